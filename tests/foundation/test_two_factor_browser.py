"""In headless Chromium: a clerk turns on the second factor by reading the secret shown next to
the QR code (as an authenticator app would), then logs in with password and code."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django_otp.oath import totp

from tests.conftest import host_of, make_staff
from tests.registers.helpers_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, live_server

pytestmark = [pytest.mark.foundation, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"


def _code(secret: str, drift: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return str(totp(key, drift=drift)).zfill(6)


def test_clerk_enrols_and_logs_in_with_a_code(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tenant = committed_tenant
    make_staff(tenant, "tfaclerk", password=PASSWORD, role_codes=("central_clerk",))
    shots = SCREENSHOTS / "two-factor"
    shots.mkdir(parents=True, exist_ok=True)

    with live_server(host_of(tenant)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "tfaclerk")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(re.compile(r".*/staff/.*"), timeout=90_000)

        page.get_by_role("link", name=re.compile("tfaclerk")).click()
        page.get_by_role("button", name="เริ่มตั้งค่า").click()
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        expect(page.locator("figure.qr svg")).to_be_visible()
        page.screenshot(path=str(shots / "1-enrol.png"), full_page=True)
        page.get_by_label("รหัส 6 หลักจากแอป").fill(_code(secret))
        page.get_by_role("button", name="ยืนยันและเปิดใช้").click()
        expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
        page.screenshot(path=str(shots / "2-backup-codes.png"), full_page=True)

        page.get_by_role("button", name="ออกจากระบบ").click()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "tfaclerk")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(re.compile(r".*/accounts/login/verify/"))
        page.screenshot(path=str(shots / "3-code-step.png"), full_page=True)
        page.get_by_label(re.compile("รหัสจากแอปยืนยันตัวตน")).fill(_code(secret, drift=1))
        page.get_by_role("button", name="ยืนยัน").click()
        page.wait_for_url(re.compile(r".*/staff/.*"))
        expect(page.get_by_role("link", name=re.compile("tfaclerk"))).to_be_visible()
        browser.close()
