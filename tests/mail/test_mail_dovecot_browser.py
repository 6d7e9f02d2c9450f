"""In headless Chromium: the tenant admin creates a staff mailbox on /staff/settings/mail/; a
bad password is refused in Thai with what was typed kept; the page is screenshotted."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mailhosting.models import Mailbox, MailboxKind, MailDomain
from tests.conftest import host_of, make_staff
from tests.registers.helpers_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, live_server

pytestmark = [pytest.mark.mail, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"


def test_the_admin_creates_a_staff_mailbox_in_the_browser(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tenant = committed_tenant
    make_staff(tenant, "mailboss", password=PASSWORD, role_codes=("tenant_admin",))
    domain = MailDomain.objects.get(municipality=tenant, is_primary=True)
    shots = SCREENSHOTS / "mail-staff-mailboxes"
    shots.mkdir(parents=True, exist_ok=True)

    with live_server(host_of(tenant)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "mailboss")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(re.compile(r".*/staff/.*"), timeout=90_000)
        page.goto(f"{base}/staff/settings/mail/")
        page.fill("input[name=mailbox-local_part]", "somsri")
        page.fill("input[name=mailbox-display_name]", "นางสาวสมศรี ใจดี")
        page.fill("input[name=mailbox-password]", "สั้นภาษาไทยยาวพอแล้วนะ")
        page.get_by_role("button", name="สร้างกล่องจดหมาย").click()
        expect(page.get_by_text("ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ").first).to_be_visible()
        expect(page.locator("input[name=mailbox-local_part]")).to_have_value("somsri")
        page.screenshot(path=str(shots / "refused.png"), full_page=True)
        assert not Mailbox.objects.filter(domain=domain, local_part="somsri").exists()

        page.fill("input[name=mailbox-password]", "Somsri-Mail-2569")
        page.get_by_role("button", name="สร้างกล่องจดหมาย").click()
        expect(page.get_by_text(f"somsri@{domain.name}").first).to_be_visible()
        page.screenshot(path=str(shots / "created.png"), full_page=True)
        browser.close()
    mailbox = Mailbox.objects.get(domain=domain, local_part="somsri")
    assert mailbox.kind == MailboxKind.STAFF and mailbox.display_name == "นางสาวสมศรี ใจดี"
