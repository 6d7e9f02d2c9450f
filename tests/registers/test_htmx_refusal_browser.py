"""In headless Chromium: an in-place action refused by the server (the municipality was
suspended while the page was open) tells the clerk why instead of doing nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tenants import routing_cache
from tests.conftest import host_of, make_staff
from tests.registers.helpers_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    live_server,
    staff_login,
)
from tests.registers.helpers_views import intake_letter

pytestmark = [pytest.mark.registers, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"


def test_a_refused_htmx_action_shows_the_reason(
    committed_tenant: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tenants.services import municipality_set_state

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tenant = committed_tenant
    clerk = make_staff(tenant, "htmxclerk", password=PASSWORD, role_codes=("central_clerk",))
    intake_letter(tenant, clerk, subject="ขอเชิญประชุมประจำเดือน")
    shots = SCREENSHOTS / "registers-htmx"
    shots.mkdir(parents=True, exist_ok=True)

    with live_server(host_of(tenant)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        staff_login(page, base, "htmxclerk", PASSWORD)
        page.goto(f"{base}/staff/intake/")
        register = page.locator("[data-register]").first
        expect(register).to_be_visible()

        try:
            with django_db_blocker.unblock():
                municipality_set_state(
                    municipality=tenant, state="suspended", actor="test", reason="htmx refusal"
                )
            time.sleep(routing_cache.CHECK_INTERVAL + 0.5)
            register.click()
            alert = page.locator("#htmx-error")
            expect(alert).to_be_visible()
            expect(alert).to_contain_text("(403)")
            expect(alert).to_have_attribute("role", "alert")
            page.screenshot(path=str(shots / "refused-in-place.png"), full_page=True)
        finally:
            with django_db_blocker.unblock():
                municipality_set_state(
                    municipality=tenant, state="active", actor="test", reason="htmx refusal"
                )
        browser.close()
