"""What staff may still do when billing restricts a municipality (TenantLifecycleMiddleware).

Read-only: read, search, export, and RECEIVE letters (intake and registering incoming letters
stay open); outgoing letters and settings are refused. Suspended: only exports, payment and
logging in or out. The API answers refusals in JSON.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tenants.middleware import lifecycle_allows
from tests.billing.helpers_billing_ui import account_create, state_set
from tests.conftest import client_for
from tests.registers.helpers_api import RECEIVE_FIELDS, api_client, staff_with_token
from tests.registers.helpers_views import manual_form, staff_client, text_of

pytestmark = [pytest.mark.billing, pytest.mark.django_db]

OUTGOING_FORM = {"channel": "hand", "recipient": "นายอำเภอเมือง", "subject": "ขอส่งรายงาน"}


def _letters(tenant: Any, **filters: Any) -> list[Any]:
    from registers.models import Letter

    with tenant:
        return list(Letter.objects.filter(**filters).prefetch_related("entries"))


def _is_refusal(response: Any) -> bool:
    return response.status_code == 403 and "อ่านอย่างเดียว" in response.content.decode()


@pytest.fixture
def clerk(alpha: Any) -> Client:
    client, _ = staff_client(alpha, "clerk", "central_clerk")
    return client


@pytest.fixture
def admin(alpha: Any) -> Client:
    account_create(alpha, past_due_days=40)
    client, _ = staff_client(alpha, "tadmin", "tenant_admin")
    return client


# --- read-only ------------------------------------------------------------------------------


def test_read_only_still_receives_and_registers_an_incoming_letter(
    alpha: Any, clerk: Client
) -> None:
    state_set(alpha, "read_only")
    response = clerk.post("/staff/intake/new/", {**manual_form(), "action": "register"})
    assert response.status_code == 302, text_of(response)[:300]
    (letter,) = _letters(alpha, reference="ขก 0023.3/ว 5555")
    assert letter.status == "registered"
    assert [e.register for e in letter.entries.all()] == ["receive"]

    # A letter keyed into the queue earlier is registered from the queue, too.
    clerk.post(
        "/staff/intake/new/",
        {**manual_form(reference="ขก 0023.3/ว 6666", subject="เรื่องที่สอง"), "action": "intake"},
    )
    (queued,) = _letters(alpha, reference="ขก 0023.3/ว 6666")
    assert queued.status == "intake"
    assert clerk.post(f"/staff/intake/{queued.pk}/register/").status_code == 302
    (queued,) = _letters(alpha, pk=queued.pk)
    assert queued.status == "registered"


def test_read_only_refuses_outgoing_letters_and_settings_but_reads(
    alpha: Any, clerk: Client, admin: Client
) -> None:
    state_set(alpha, "read_only")
    refused = clerk.post("/staff/outgoing/new/", OUTGOING_FORM)
    assert _is_refusal(refused)
    assert "ออกเลขหนังสือส่งหรือแก้ไขการตั้งค่าไม่ได้" in text_of(refused)
    assert _letters(alpha, direction="outgoing") == []
    assert _is_refusal(admin.post("/staff/settings/", {"thai_digits": "on"}))
    assert _is_refusal(admin.post("/staff/settings/tokens/", {"name": "ระบบบัญชี"}))
    assert _is_refusal(clerk.post("/staff/reserve/", {}))

    for url in ("/staff/", "/staff/search/?q=ประชุม", "/staff/intake/", "/staff/reports/"):
        assert clerk.get(url).status_code == 200, url
    assert admin.get("/staff/billing/").status_code == 200
    assert clerk.post("/i18n/setlang/", {"language": "en", "next": "/staff/"}).status_code == 302
    assert clerk.post("/accounts/logout/").status_code == 302


def test_grace_and_active_change_freely(alpha: Any, clerk: Client) -> None:
    for state in ("grace", "active"):
        state_set(alpha, state)
        response = clerk.post("/staff/outgoing/new/", {})
        assert response.status_code == 200, state  # the form with its errors, not a refusal


# --- suspended ------------------------------------------------------------------------------


def test_suspended_keeps_only_export_payment_and_login(
    alpha: Any, clerk: Client, admin: Client
) -> None:
    state_set(alpha, "suspended")
    for url in ("/staff/", "/staff/search/", "/staff/intake/", "/staff/outgoing/new/"):
        assert clerk.get(url).status_code == 403, url
    refused = clerk.post("/staff/intake/new/", {**manual_form(), "action": "register"})
    assert refused.status_code == 403
    assert _letters(alpha) == []

    assert clerk.get("/staff/reports/").status_code == 200  # export
    report = clerk.get(
        "/staff/reports/",
        {"kind": "receive", "fmt": "xlsx", "start": "1/1/2569", "end": "31/12/2569"},
    )
    assert report.status_code == 200, text_of(report)[:300]
    assert "attachment" in report["Content-Disposition"]
    assert admin.get("/staff/billing/").status_code == 200  # payment
    assert clerk.post("/accounts/logout/").status_code == 302
    assert client_for(alpha).get("/accounts/login/").status_code == 200


# --- the API answers in JSON ----------------------------------------------------------------


def test_api_in_read_only_receives_but_refuses_outgoing_in_json(alpha: Any) -> None:
    _user, raw = staff_with_token(alpha, "api_clerk", "central_clerk")
    api = api_client(alpha, raw)
    state_set(alpha, "read_only")

    created = api.post("/api/v1/letters/intake/", RECEIVE_FIELDS, format="json")
    assert created.status_code == 201, created.content
    registered = api.post(f"/api/v1/letters/{created.json()['id']}/register/", {}, format="json")
    assert registered.status_code in (200, 201), registered.content

    refused = api.post("/api/v1/letters/outgoing/", OUTGOING_FORM, format="json")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")
    body = refused.json()
    assert body["code"] == "tenant_read_only"
    assert "อ่านอย่างเดียว" in body["detail"] and "read-only" in body["detail"]
    assert "อ่านอย่างเดียว" in body["detail_th"] and "read-only" in body["detail_en"]
    assert api.get("/api/v1/letters/").status_code == 200


def test_api_in_suspended_is_refused_in_json(alpha: Any) -> None:
    _user, raw = staff_with_token(alpha, "api_clerk", "central_clerk")
    api = api_client(alpha, raw)
    state_set(alpha, "suspended")
    for method, url in (("get", "/api/v1/letters/"), ("post", "/api/v1/letters/intake/")):
        response = getattr(api, method)(url, RECEIVE_FIELDS, format="json")
        assert response.status_code == 403, url
        body = response.json()
        assert body["code"] == "tenant_suspended"
        assert "ระงับ" in body["detail"] and "suspended" in body["detail"]


# --- the rule table itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "method", "view_name", "allowed"),
    [
        ("active", "POST", "registers:outgoing-new", True),
        ("grace", "POST", "registers:settings", True),
        ("read_only", "GET", "registers:letter-detail", True),
        ("read_only", "POST", "registers:intake-new", True),
        ("read_only", "POST", "api:letter-register", True),
        ("read_only", "POST", "registers:outgoing-new", False),
        ("read_only", "POST", "registers:letter-number", False),
        ("read_only", "POST", "api:outgoing-create", False),
        ("read_only", "POST", "registers:settings-people", False),
        ("read_only", "POST", "billing:portal", True),
        ("suspended", "GET", "registers:dashboard", False),
        ("suspended", "GET", "registers:attachment-download", True),
        ("suspended", "POST", "registers:reports", False),
        ("suspended", "POST", "registers:intake-new", False),
        ("suspended", "POST", "billing:portal", True),
        ("suspended", "POST", "accounts:logout", True),
        ("suspended", "GET", None, False),
        ("archived", "POST", "registers:intake-new", False),
        ("archived", "GET", "registers:search", True),
    ],
)
def test_lifecycle_rules(state: str, method: str, view_name: str | None, allowed: bool) -> None:
    assert lifecycle_allows(state=state, method=method, view_name=view_name) is allowed
