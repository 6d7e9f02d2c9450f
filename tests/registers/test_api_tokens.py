"""API tokens: made once, stored as SHA-256 only, per municipality, revocable; session auth too."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from registers.api.tokens import api_token_authenticate, api_token_create, api_token_revoke
from registers.errors import InvalidState, NotAllowed, RegistersError
from registers.models import ApiToken, AuditEntry
from tests.conftest import host_of, make_staff
from tests.registers.helpers_api import api_client, is_thai, staff_with_token

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

ME = "/api/v1/me/"


def test_token_lifecycle(alpha: Any) -> None:
    user = make_staff(alpha, "integrator", role_codes=("central_clerk",))
    with alpha:
        token, raw = api_token_create(user=user, name="ระบบงานบัญชี")
        assert raw.startswith("sbn_") and len(raw) >= 40
        assert token.prefix == raw[:12]
        assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
        stored = ApiToken.objects.filter(pk=token.pk).values().get()
        assert raw not in {str(value) for value in stored.values()}  # only the hash is kept
        created = AuditEntry.objects.filter(action="api.token_create").last()
        assert created is not None and created.data["token"] == token.pk
        assert raw not in str(created.data)

    client = api_client(alpha, raw)
    response = client.get(ME)
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "integrator"
    assert response.json()["auth"] == "token"
    assert response.json()["roles"] == ["central_clerk"]

    # "Token <raw>" works as well as "Bearer <raw>".
    other = api_client(alpha)
    other.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert other.get(ME).status_code == 200

    with alpha:
        token.refresh_from_db()
        first_use = token.last_used_at
        assert first_use is not None
    client.get(ME)  # within the minute: not written again
    with alpha:
        token.refresh_from_db()
        assert token.last_used_at == first_use
        earlier = timezone.now() - timedelta(minutes=5)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    client.get(ME)
    with alpha:
        token.refresh_from_db()
        assert token.last_used_at is not None and token.last_used_at > earlier

        api_token_revoke(token=token, actor=user)
        revoked = AuditEntry.objects.filter(action="api.token_revoke").last()
        assert revoked is not None and revoked.data["token"] == token.pk
        with pytest.raises(InvalidState):
            api_token_revoke(token=token, actor=user)
        assert api_token_authenticate(raw) is None

    response = client.get(ME)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "authentication_failed"
    assert is_thai(body["detail_th"]) and body["detail_en"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_one_municipality_means_nothing_on_another_host(alpha: Any, beta: Any) -> None:
    _user, raw = staff_with_token(alpha, "alpha_api", "central_clerk")
    make_staff(beta, "alpha_api", role_codes=("central_clerk",))  # same username on beta
    assert api_client(alpha, raw).get(ME).status_code == 200
    response = api_client(beta, raw).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_missing_malformed_and_unknown_tokens_are_401(alpha: Any) -> None:
    response = api_client(alpha).get(ME)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert is_thai(body["detail_th"])
    for header in ("Bearer", "Bearer a b", "Bearer sbn_not-a-real-token", "Token xyz"):
        client = api_client(alpha)
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(ME).status_code == 401, header


def test_inactive_user_token_is_refused(alpha: Any) -> None:
    user, raw = staff_with_token(alpha, "leaver", "officer")
    with alpha:
        user.is_active = False
        user.save(update_fields=["is_active"])
        assert api_token_authenticate(raw) is None
        with pytest.raises(NotAllowed):
            api_token_create(user=user, name="another")
    assert api_client(alpha, raw).get(ME).status_code == 401


def test_who_may_make_and_revoke_tokens(alpha: Any) -> None:
    owner = make_staff(alpha, "owner", role_codes=("officer",))
    stranger = make_staff(alpha, "stranger", role_codes=("central_clerk",))
    admin = make_staff(alpha, "tadmin", role_codes=("tenant_admin",))
    with alpha:
        with pytest.raises(RegistersError):
            api_token_create(user=owner, name="   ")
        with pytest.raises(NotAllowed):
            api_token_create(user=owner, name="by someone else", actor=stranger)
        token, _raw = api_token_create(user=owner, name="made by the admin", actor=admin)
        made = AuditEntry.objects.filter(action="api.token_create").last()
        assert made is not None and made.actor_id == admin.pk and made.data["user"] == owner.pk
        with pytest.raises(NotAllowed):
            api_token_revoke(token=token, actor=stranger)
        api_token_revoke(token=token, actor=admin)
        token.refresh_from_db()
        assert token.revoked_at is not None


def test_create_api_token_command_prints_a_working_token(alpha: Any) -> None:
    make_staff(alpha, "cli_user", role_codes=("central_clerk",))
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "alpha", "cli_user", "--name", "e-CMS", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("sbn_")
    assert "e-CMS" in err.getvalue()
    assert api_client(alpha, raw).get(ME).json()["username"] == "cli_user"


def test_session_auth_serves_the_staff_pages_htmx_calls_with_csrf(alpha: Any) -> None:
    user = make_staff(alpha, "htmx_clerk", role_codes=("central_clerk",))
    client = api_client(alpha, enforce_csrf_checks=True)
    with alpha:
        client.force_login(user)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["auth"] == "session"

    payload = {"register": "send", "count": 1, "purpose": "หนังสือถึงอำเภอ"}
    refused = client.post("/api/v1/reservations/", payload, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"

    secret = "a" * 32  # the CSRF cookie's secret, echoed in X-CSRFToken as htmx does
    client.cookies["csrftoken"] = secret
    accepted = client.post("/api/v1/reservations/", payload, format="json", HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201, accepted.content
    assert host_of(alpha) in accepted.wsgi_request.get_host()
