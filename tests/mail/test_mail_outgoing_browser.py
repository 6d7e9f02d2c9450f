"""The ส่งทางอีเมล action and the per-recipient statuses in headless Chromium: the letter's page
and the send register's การปฏิบัติ column. Screenshots in var/screenshots/mail-outgoing/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from mailhosting.models import MailDomain
from tests.conftest import host_of, make_staff
from tests.mail.helpers_outgoing import registered_letter, remote_smtp
from tests.registers.helpers_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, live_server

pytestmark = [pytest.mark.mail, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"


def test_clerk_sends_a_letter_by_email_and_sees_each_recipients_status(
    committed_tenant: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from registers.models import DispatchRecipient
    from registers.services.dispatch import dispatch_recipient_send
    from tests.cleanup import committed_municipality

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tenant = committed_tenant
    clerk = make_staff(tenant, "mailclerk", password=PASSWORD, role_codes=("central_clerk",))
    shots = SCREENSHOTS / "mail-outgoing"
    shots.mkdir(parents=True, exist_ok=True)
    with (
        django_db_blocker.unblock(),
        committed_municipality() as receiver,
        remote_smtp() as remote,
        live_server(host_of(tenant)) as base,
        sync_playwright() as playwright,
    ):
        other = MailDomain.objects.get(municipality=receiver, is_primary=True).central_address
        letter = registered_letter(tenant, clerk, recipient_email=other)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(90_000)
        expect.set_options(timeout=30_000)
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "mailclerk")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(re.compile(r".*/staff/.*"), timeout=90_000)

        page.goto(f"{base}/staff/letters/{letter.pk}/#dispatch")
        field = page.get_by_label("อีเมลผู้รับ")
        expect(field).to_have_value(other)  # prefilled from the letter's recipient_email
        field.fill(f"{other}\nnot-an-address")
        page.get_by_role("button", name="ส่งทางอีเมล").click()
        expect(page.locator("#dispatch .form-errors")).to_contain_text("อีเมลผู้รับไม่ถูกต้อง")
        expect(page.get_by_label("อีเมลผู้รับ")).to_have_value(f"{other}\nnot-an-address")
        page.screenshot(path=str(shots / "1-bad-address.png"), full_page=True)

        page.get_by_label("อีเมลผู้รับ").fill(
            f"{other}, ok@remote.test, nobody@remote.test, later@remote.test"
        )
        page.get_by_role("button", name="ส่งทางอีเมล").click()
        expect(page.locator("#dispatch table")).to_contain_text("รอผลการส่ง")

        # The worker's part, here in the test: each recipient's send (the remote server
        # accepts ok@, refuses nobody@ and defers later@; the other municipality is direct).
        settings.MAIL_OUTBOUND_HOST = "127.0.0.1"
        settings.MAIL_OUTBOUND_PORT = remote.port
        with tenant:
            ids = list(
                DispatchRecipient.objects.filter(letter_id=letter.pk).values_list("pk", flat=True)
            )
            outcomes = sorted(dispatch_recipient_send(recipient_id=pk) for pk in ids)
        connection.set_schema_to_public()
        assert outcomes == ["bounced", "retry", "sent", "sent"]

        page.reload()
        table = page.locator("#dispatch table")
        expect(table).to_contain_text("ผู้รับลงรับแล้ว")
        expect(table).to_contain_text("เลขรับ")
        expect(table).to_contain_text("ส่งไม่ถึง (ตีกลับ)")
        expect(table).to_contain_text("ไม่มีผู้รับอีเมลนี้ที่ปลายทาง")
        expect(table).to_contain_text("ส่งออกแล้ว รอรายงานผล")
        expect(table).to_contain_text("กำลังลองส่งใหม่")
        expect(table).to_contain_text(str(timezone.localdate().year + 543))  # BE years
        page.locator("#dispatch details").first.click()
        page.locator("#dispatch").screenshot(path=str(shots / "2-statuses.png"))
        page.screenshot(path=str(shots / "3-letter-page.png"), full_page=True)

        page.goto(f"{base}/staff/registers/send/")
        row = page.locator("table.register tr", has_text=letter.subject)
        expect(row).to_contain_text("ส่งทางอีเมล 4 ราย")
        expect(row).to_contain_text("ผู้รับลงรับแล้ว 1")
        expect(row).to_contain_text("ส่งไม่ถึง (ตีกลับ) 1")
        page.screenshot(path=str(shots / "4-send-register.png"), full_page=True)
        browser.close()
