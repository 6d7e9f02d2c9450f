"""The billing banner and the billing page in headless Chromium on a phone-sized screen.

The tenant admin of a municipality in its grace period logs in on a phone: the banner says what
is owed, by when, and when the system turns read-only; the billing page lists the invoices. A
clerk of the same municipality, once read-only, still sees the intake form. Screenshots are
saved under var/screenshots/billing/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tenants import routing_cache
from tests.billing.helpers_billing_ui import account_create, invoice_create, state_set
from tests.conftest import host_of, make_staff
from tests.registers.helpers_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    live_server,
    staff_login,
)

pytestmark = [pytest.mark.billing, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def billed_tenant(committed_tenant: Any, django_db_blocker: Any) -> Iterator[Any]:
    """A committed municipality in grace with an overdue invoice. Afterwards the rows that
    protect a municipality from deletion (lifecycle events, mail domains, ...) go first, so
    that committed_tenant can drop it; billing rows cascade with it."""
    from django.db.models import PROTECT

    from tenants.models import Municipality

    tenant = committed_tenant
    with django_db_blocker.unblock():
        account = account_create(tenant, past_due_days=6)
        invoice_create(account, number="SBN-2569-0007", due_in_days=-6)
        invoice_create(
            account, number="SBN-2568-0003", status="paid", due_in_days=-371, amount=1_150_000
        )
        state_set(tenant, "grace")
        make_staff(tenant, "bill_admin", password=PASSWORD, role_codes=("tenant_admin",))
        make_staff(tenant, "bill_clerk", password=PASSWORD, role_codes=("central_clerk",))
        try:
            yield tenant
        finally:
            for relation in Municipality._meta.related_objects:
                if relation.on_delete is PROTECT:
                    manager = relation.related_model._base_manager
                    manager.filter(**{relation.field.name: tenant}).delete()


def test_banner_and_billing_page_on_a_phone(
    billed_tenant: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls between browser steps
    tenant = billed_tenant
    shots = SCREENSHOTS / "billing"
    shots.mkdir(parents=True, exist_ok=True)

    with live_server(host_of(tenant)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        admin = browser.new_context(viewport=PHONE, device_scale_factor=2).new_page()
        admin.set_default_timeout(90_000)
        expect.set_options(timeout=30_000)

        staff_login(admin, base, "bill_admin", PASSWORD)
        banner = admin.locator("[data-billing-banner]")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("12,345.00 บาท")
        expect(banner).to_contain_text("เป็นอ่านอย่างเดียวตั้งแต่")
        # On a phone the banner fits the width: no sideways scrolling.
        width = admin.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        admin.screenshot(path=str(shots / "1-banner-grace-phone.png"))

        admin.get_by_role("link", name="ดูใบแจ้งหนี้ทั้งหมด").click()
        admin.wait_for_url(re.compile(r".*/staff/billing/$"))
        expect(admin.get_by_role("heading", name="ใบแจ้งหนี้", exact=True)).to_be_visible()
        expect(admin.get_by_text("SBN-2569-0007")).to_be_visible()
        expect(admin.get_by_text("11,500.00 บาท")).to_be_visible()
        pay = admin.locator("table.data").get_by_role("link", name="ชำระเงิน")
        expect(pay).to_have_count(1)  # only the open invoice
        assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        admin.screenshot(path=str(shots / "2-billing-page-phone.png"), full_page=True)

        # Read-only: the clerk still opens the intake form; numbering an outgoing letter is
        # refused with the reason, the banner and the ways out.
        with django_db_blocker.unblock():
            state_set(tenant, "read_only")
        # The server's processes learn of the change within the routing cache's check interval.
        time.sleep(routing_cache.CHECK_INTERVAL + 0.5)
        clerk = browser.new_context(viewport=PHONE, device_scale_factor=2).new_page()
        clerk.set_default_timeout(90_000)
        staff_login(clerk, base, "bill_clerk", PASSWORD)
        clerk.goto(f"{base}/staff/intake/new/")
        expect(clerk.locator("[data-billing-banner='danger']")).to_be_visible()
        expect(clerk.get_by_label("เรื่อง", exact=True).first).to_be_visible()
        clerk.screenshot(path=str(shots / "3-read-only-intake-phone.png"))
        clerk.goto(f"{base}/staff/outgoing/new/")
        clerk.get_by_role("button", name=re.compile("บันทึก")).first.click()
        expect(clerk.get_by_text("ออกเลขหนังสือส่งหรือแก้ไขการตั้งค่าไม่ได้")).to_be_visible()
        clerk.screenshot(path=str(shots / "4-read-only-refusal-phone.png"), full_page=True)
        browser.close()
