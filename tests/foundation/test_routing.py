"""Host -> tenant routing, and that tenants never see each other's staff or sessions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants import routing_cache
from tenants.models import Domain
from tests.conftest import client_for, host_of, make_staff

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]


def test_tenant_host_serves_that_tenants_page(alpha_client: Client, beta_client: Client) -> None:
    alpha_page = alpha_client.get("/").content.decode()
    beta_page = beta_client.get("/").content.decode()
    assert "เทศบาลตำบลอัลฟา" in alpha_page and "เบตา" not in alpha_page
    assert "องค์การบริหารส่วนตำบลเบตา" in beta_page and "อัลฟา" not in beta_page


def test_apex_serves_the_public_site(public_client: Client, alpha: Any) -> None:
    from mailhosting.selectors import primary_mail_domain
    from tests.portal.helpers_portal import record_check

    # The site listing shows a municipality once its saraban@ address verifies (issue 7).
    domain = primary_mail_domain(municipality=alpha)
    assert domain is not None
    record_check(domain, ok=True)
    response = public_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "สารบรรณคลาวด์" in body
    assert "เทศบาลตำบลอัลฟา" in body and "องค์การบริหารส่วนตำบลเบตา" not in body


def test_unknown_host_gets_a_clear_404_page() -> None:
    response = Client(HTTP_HOST="nobody.localhost").get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "nobody.localhost" in body
    assert "ไม่พบหน่วยงาน" in body and "No organisation" in body


@pytest.mark.parametrize("host", ["bad host", "exa_mple..com:99999", "<script>", "[::1"])
def test_malformed_host_header_is_a_400_page_not_a_stack_trace(host: str) -> None:
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 400
    assert "ไม่ถูกต้อง" in response.content.decode()


def test_staff_of_one_tenant_cannot_log_in_to_another(alpha: Any, beta: Any) -> None:
    make_staff(alpha, username="somchai", password="alpha-secret-2569")
    credentials = {"username": "somchai", "password": "alpha-secret-2569"}

    on_alpha = client_for(alpha).post("/accounts/login/", credentials)
    assert on_alpha.status_code == 302 and on_alpha.url == "/staff/"

    on_beta = client_for(beta).post("/accounts/login/", credentials)
    assert on_beta.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in on_beta.content.decode()


def test_session_replayed_on_another_tenants_host_finds_nothing(alpha: Any, beta: Any) -> None:
    # The same user id exists in both schemas: a shared session table would map one to the other.
    from accounts.models import User

    alpha_user = make_staff(alpha, username="same-id")
    with beta:
        beta_user = User.objects.create(pk=alpha_user.pk, username="someone-else-in-beta")
    assert beta_user.pk == alpha_user.pk
    alpha_client = client_for(alpha)
    with alpha:
        alpha_client.force_login(alpha_user)
    assert alpha_client.get("/staff/").status_code == 200

    stolen = alpha_client.cookies["sessionid"].value
    beta_client = client_for(beta)
    beta_client.cookies["sessionid"] = stolen
    response = beta_client.get("/staff/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_session_cookie_is_host_only(alpha_staff_client: Client) -> None:
    cookie = alpha_staff_client.cookies["sessionid"]
    assert not cookie["domain"]


def test_cached_routing_makes_no_query_after_the_first_request(alpha: Any) -> None:
    client = client_for(alpha)
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    assert [q["sql"] for q in queries if "tenants_domain" in q["sql"]] == []


def test_routing_cache_forgets_a_domain_when_it_changes(alpha: Any) -> None:
    extra = Domain.objects.create(domain="saraban.alpha.example", tenant=alpha, is_primary=False)
    assert Client(HTTP_HOST="saraban.alpha.example").get("/").status_code == 200
    extra.delete()
    assert Client(HTTP_HOST="saraban.alpha.example").get("/").status_code == 404


def test_routing_cache_notices_another_process_changed_the_registry(
    alpha: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = host_of(alpha)
    assert routing_cache.lookup(host)[0] is False
    client_for(alpha).get("/healthz")
    assert routing_cache.lookup(host)[0] is True
    # Another process bumps the shared generation; this one sees it at its next check.
    from django.core.cache import caches

    caches["platform"].incr("tenant-routing-generation")
    monkeypatch.setattr(routing_cache, "CHECK_INTERVAL", 0.0)
    assert routing_cache.lookup(host)[0] is False


def test_other_processes_are_told_only_after_the_change_is_committed(
    alpha: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Invalidating inside the transaction let another process re-cache the old row under the
    new generation (a read-only state that never took effect there)."""
    from django.core.cache import caches

    from tenants.services import municipality_set_state

    shared = caches["platform"]
    before = shared.get("tenant-routing-generation")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        municipality_set_state(municipality=alpha, state="read_only", actor="t", reason="test")
        assert shared.get("tenant-routing-generation") == before  # not yet: not committed
    assert callbacks
    for callback in callbacks:
        callback()
    assert shared.get("tenant-routing-generation") != before
