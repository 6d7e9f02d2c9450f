"""Actions on one municipality from its console page: each asks for a reason and a
confirmation, and records who and why (ConsoleAction, and LifecycleEvent for state changes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tenants.models import ConsoleAction, LifecycleEvent, Municipality

pytestmark = [pytest.mark.portal, pytest.mark.django_db]


def _act(console: Client, tenant: Any, action: str, **data: Any) -> Any:
    return console.post(f"/console/tenant/{tenant.pk}/{action}/", data)


def _state(tenant: Any) -> str:
    return str(Municipality.objects.get(pk=tenant.pk).state)


def test_the_tenant_page_shows_state_and_offers_the_actions(console: Client, alpha: Any) -> None:
    page = console.get(f"/console/tenant/{alpha.pk}/").content.decode()
    assert alpha.name_th in page
    assert 'data-lifecycle-state="trial"' in page or 'data-lifecycle-state="active"' in page
    for action in ("resend-invitation", "suspend", "archive"):
        assert f"/console/tenant/{alpha.pk}/{action}/" in page
    assert f"/console/tenant/{alpha.pk}/resume/" not in page  # not suspended
    assert f"/console/backups/tenantbackup/restore/{alpha.pk}/" in page
    confirm = console.get(f"/console/tenant/{alpha.pk}/suspend/")
    assert confirm.status_code == 200 and 'name="reason"' in confirm.content.decode()


def test_suspend_needs_a_reason_and_a_confirmation(console: Client, alpha: Any) -> None:
    before = _state(alpha)
    no_reason = _act(console, alpha, "suspend", reason="  ", confirm="on")
    assert no_reason.status_code == 200 and _state(alpha) == before
    unconfirmed = _act(console, alpha, "suspend", reason="ค้างชำระนานเกินกำหนด")
    assert unconfirmed.status_code == 200 and _state(alpha) == before
    assert not ConsoleAction.objects.filter(municipality=alpha).exists()


def test_suspend_resume_and_archive_record_who_and_why(console: Client, alpha: Any) -> None:
    before = _state(alpha)
    response = _act(console, alpha, "suspend", reason="ผู้บริหารขอระงับชั่วคราว", confirm="on")
    assert response.status_code == 302 and _state(alpha) == "suspended"
    event = LifecycleEvent.objects.filter(municipality=alpha).first()
    assert event is not None
    assert (event.from_state, event.to_state) == (before, "suspended")
    assert event.actor == "vendor:vendor-console" and event.reason == "ผู้บริหารขอระงับชั่วคราว"

    # Resume returns to the state it had before the suspension.
    _act(console, alpha, "resume", reason="ได้รับหนังสือขอเปิดใช้งาน", confirm="on")
    assert _state(alpha) == before

    # Archiving also needs the slug typed again.
    wrong = _act(console, alpha, "archive", reason="เลิกใช้บริการ", confirm="on", confirm_slug="x")
    assert wrong.status_code == 200 and _state(alpha) == before
    _act(console, alpha, "archive", reason="เลิกใช้บริการ", confirm="on", confirm_slug=alpha.slug)
    assert _state(alpha) == "archived"

    kinds = list(
        ConsoleAction.objects.filter(municipality=alpha)
        .order_by("created_at", "id")
        .values_list("kind", "actor", "reason")
    )
    assert kinds == [
        ("suspend", "vendor:vendor-console", "ผู้บริหารขอระงับชั่วคราว"),
        ("resume", "vendor:vendor-console", "ได้รับหนังสือขอเปิดใช้งาน"),
        ("archive", "vendor:vendor-console", "เลิกใช้บริการ"),
    ]
    page = console.get(f"/console/tenant/{alpha.pk}/").content.decode()
    assert "ผู้บริหารขอระงับชั่วคราว" in page and "vendor:vendor-console" in page
    assert f"/console/tenant/{alpha.pk}/suspend/" not in page  # archived: only resume
    assert f"/console/tenant/{alpha.pk}/resume/" in page


def test_an_action_that_does_not_apply_is_refused_with_its_reason(
    console: Client, alpha: Any
) -> None:
    response = _act(console, alpha, "resume", reason="ลองดู", confirm="on")
    assert response.status_code == 200
    assert "เปิดใช้งานอีกครั้งได้เฉพาะหน่วยงานที่ถูกระงับ" in response.content.decode()
    assert not ConsoleAction.objects.filter(municipality=alpha).exists()


def test_resend_invitation_mails_the_first_admin_and_is_recorded(
    console: Client, alpha: Any
) -> None:
    mail.outbox.clear()
    response = _act(console, alpha, "resend-invitation", reason="ผู้ดูแลไม่ได้รับอีเมล", confirm="on")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[alpha.admin_email]]
    action = ConsoleAction.objects.get(municipality=alpha)
    assert (action.kind, action.reason, action.data) == (
        "resend_invitation",
        "ผู้ดูแลไม่ได้รับอีเมล",
        {"to": alpha.admin_email},
    )


def test_resend_is_refused_once_the_admin_has_a_password(console: Client, alpha: Any) -> None:
    from accounts.models import User

    with alpha:
        admin = User.objects.get(username=alpha.admin_email)
        admin.set_password("chosen-by-the-admin-2569")
        admin.save()
    mail.outbox.clear()
    response = _act(console, alpha, "resend-invitation", reason="ขอส่งอีกครั้ง", confirm="on")
    assert response.status_code == 200 and "ตั้งรหัสผ่านแล้ว" in response.content.decode()
    assert mail.outbox == []


def test_restore_reuses_the_backups_console_form(console: Client, alpha: Any) -> None:
    page = console.get(f"/console/backups/tenantbackup/restore/{alpha.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="reason"' in text and 'name="confirm"' in text
