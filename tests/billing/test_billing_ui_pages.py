"""The tenant side of billing: the banner every staff member sees, the admin's invoices page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from tests.billing.helpers_billing_ui import (
    AMOUNT,
    HOSTED,
    account_create,
    invoice_create,
    plan_create,
    state_set,
)
from tests.conftest import client_for
from tests.registers.helpers_views import staff_client, text_of
from thaiformat.dates import format_thai_date

pytestmark = [pytest.mark.billing, pytest.mark.django_db]


def _banner(response: Any) -> str:
    """The banner's visible text, or "" when the page has none."""
    html = response.content.decode()
    start = html.find('<section class="billing-banner')
    if start < 0:
        return ""
    end = html.index("</section>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end]))


def test_grace_banner_says_what_is_owed_by_when_and_when_it_turns_read_only(alpha: Any) -> None:
    account = account_create(alpha, past_due_days=5)
    invoice = invoice_create(account, due_in_days=-5)
    state_set(alpha, "grace")
    clerk, _ = staff_client(alpha, "clerk", "central_clerk")

    response = clerk.get("/staff/")
    banner = _banner(response)
    assert response.status_code == 200
    assert 'data-billing-banner="warning"' in response.content.decode()
    assert "ค้างชำระค่าบริการ 12,345.00 บาท" in banner  # Thai first, amount as invoices write it
    assert "ยอดที่ต้องชำระ 12,345.00 บาท" in banner
    assert f"ครบกำหนดชำระ {format_thai_date(invoice.due_date)}" in banner  # BE date
    read_only_on = account.past_due_since + dt.timedelta(days=settings.BILLING_GRACE_DAYS)
    assert f"เป็นอ่านอย่างเดียวตั้งแต่ {format_thai_date(read_only_on)}" in banner
    assert str(timezone.localdate().year + 543) in banner
    assert "โปรดแจ้งผู้ดูแลระบบหรือกองคลังของหน่วยงาน" in banner  # what a clerk should do
    assert HOSTED in response.content.decode()  # the pay link (Stripe's hosted invoice)
    assert "ดูใบแจ้งหนี้ทั้งหมด" not in banner  # the invoices page is the admin's

    admin, _ = staff_client(alpha, "tadmin", "tenant_admin")
    admin_banner = _banner(admin.get("/staff/"))
    assert "ชำระด้วยพร้อมเพย์หรือโอนผ่านธนาคาร" in admin_banner
    assert "ดูใบแจ้งหนี้ทั้งหมด" in admin_banner


def test_read_only_banner_says_letters_still_come_in(alpha: Any) -> None:
    account = account_create(alpha, past_due_days=40)
    invoice_create(account, due_in_days=-40)
    state_set(alpha, "read_only")
    clerk, _ = staff_client(alpha, "clerk", "unit_clerk")

    response = clerk.get("/staff/search/")
    banner = _banner(response)
    assert 'data-billing-banner="danger"' in response.content.decode()
    assert "อ่านอย่างเดียว" in banner and "ยังรับหนังสือได้ตามปกติ" in banner
    assert "12,345.00 บาท" in banner
    assert "เป็นอ่านอย่างเดียวตั้งแต่" not in banner  # it already is


def test_suspended_refusal_page_carries_the_banner_and_the_ways_out(alpha: Any) -> None:
    account = account_create(alpha, past_due_days=100)
    invoice_create(account, due_in_days=-100)
    state_set(alpha, "suspended")
    clerk, _ = staff_client(alpha, "clerk", "central_clerk")

    response = clerk.get("/staff/")
    assert response.status_code == 403
    page = text_of(response)
    assert "ระงับการใช้งานชั่วคราว" in page
    assert "ระงับการใช้งานเนื่องจากค้างชำระค่าบริการ 12,345.00 บาท" in _banner(response)
    assert "/staff/reports/" in response.content.decode()  # export stays open
    assert "/staff/billing/" not in response.content.decode()  # the admin's page
    admin, _ = staff_client(alpha, "tadmin", "tenant_admin")
    assert "/staff/billing/" in admin.get("/staff/search/").content.decode()


def test_active_tenant_with_an_invoice_past_due_warns_everyone(alpha: Any) -> None:
    account = account_create(alpha, amount_due=AMOUNT)
    invoice_create(account, due_in_days=-2)
    clerk, _ = staff_client(alpha, "clerk", "central_clerk")

    response = clerk.get("/staff/")
    banner = _banner(response)
    assert 'data-billing-banner="warning"' in response.content.decode()
    assert "เลยกำหนด" in banner and "12,345.00 บาท" in banner


def test_invoice_not_yet_due_is_told_to_the_admin_only(alpha: Any) -> None:
    account = account_create(alpha, amount_due=AMOUNT)
    invoice = invoice_create(account, due_in_days=20)
    clerk, _ = staff_client(alpha, "clerk", "central_clerk")
    admin, _ = staff_client(alpha, "tadmin", "tenant_admin")

    assert _banner(clerk.get("/staff/")) == ""
    admin_banner = _banner(admin.get("/staff/"))
    assert f"ครบกำหนดชำระ {format_thai_date(invoice.due_date)}" in admin_banner
    assert "เลยกำหนด" not in admin_banner


def test_no_banner_without_billing_or_for_visitors(alpha: Any) -> None:
    clerk, _ = staff_client(alpha, "clerk", "central_clerk")
    assert _banner(clerk.get("/staff/")) == ""  # billing off: no account, trial

    account = account_create(alpha, past_due_days=5)
    invoice_create(account)
    state_set(alpha, "grace")
    visitor = client_for(alpha)
    assert _banner(visitor.get("/accounts/login/")) == ""
    assert _banner(visitor.get("/")) == ""


# --- the tenant admin's billing page ---------------------------------------------------------


def test_billing_page_lists_plan_status_and_invoices_in_baht_and_be_dates(alpha: Any) -> None:
    plan = plan_create(code="town-m-year", name_th="เทศบาลขนาดกลาง รายปี", amount_satang=4_800_000)
    account = account_create(alpha, past_due_days=3, plan=plan)
    unpaid = invoice_create(account, number="SBN-0002", due_in_days=-3)
    paid = invoice_create(
        account,
        number="SBN-0001",
        status="paid",
        due_in_days=-368,
        amount=4_800_000,
        hosted_invoice_url="https://invoice.stripe.com/i/paid-one",
        paid_out_of_band=True,
    )
    invoice_create(account, number="DRAFT", status="draft", due_in_days=30)
    state_set(alpha, "grace")
    admin, _ = staff_client(alpha, "tadmin", "tenant_admin")

    response = admin.get("/staff/billing/")
    assert response.status_code == 200
    page = text_of(response)
    html = response.content.decode()
    assert "เทศบาลขนาดกลาง รายปี (ไม่เกิน 50 ผู้ใช้)" in page
    assert "48,000.00 บาท / ปี" in page
    assert "ผ่อนผันการชำระเงิน" in page  # the tenant's state
    assert "ค้างชำระ" in page  # Stripe's status, in Thai
    for invoice in (unpaid, paid):
        assert invoice.number in page
        assert format_thai_date(invoice.due_date) in page
        assert format_thai_date(invoice.stripe_created) in page
    assert "12,345.00 บาท" in page and "48,000.00 บาท" in page
    assert "รอชำระ" in page and "ชำระแล้ว" in page and "ชำระนอกระบบ" in page
    assert html.count(HOSTED) >= 1  # pay link of the open invoice
    assert "https://invoice.stripe.com/i/paid-one" not in html  # nothing to pay on a paid one
    assert "DRAFT" not in page  # Stripe's drafts are not shown
    assert 'action="/staff/billing/portal/"' in html
    assert 'href="/staff/billing/"' in html  # in the staff menu
    assert "ดูใบแจ้งหนี้ทั้งหมด" not in page  # the banner does not link to the page it is on


def test_only_the_tenant_admin_opens_the_billing_page(alpha: Any) -> None:
    account_create(alpha)
    for role in ("central_clerk", "unit_clerk", "executive", "officer"):
        client, _ = staff_client(alpha, f"u_{role}", role)
        response = client.get("/staff/billing/")
        assert response.status_code == 403, role
        assert client.post("/staff/billing/portal/").status_code == 403, role
        assert 'href="/staff/billing/"' not in client.get("/staff/").content.decode()
    anonymous = client_for(alpha).get("/staff/billing/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_billing_page_without_an_account_says_trial(alpha: Any) -> None:
    admin, _ = staff_client(alpha, "tadmin", "tenant_admin")
    page = text_of(admin.get("/staff/billing/"))
    assert "ช่วงทดลองใช้" in page


def test_portal_button_when_billing_is_off_explains_instead_of_failing(alpha: Any) -> None:
    account_create(alpha)
    admin, _ = staff_client(alpha, "tadmin", "tenant_admin")
    response = admin.post("/staff/billing/portal/")
    assert response.status_code == 302 and response.url == "/staff/billing/"
    assert "ระบบเรียกเก็บเงินปิดอยู่" in text_of(admin.get(response.url))
    assert admin.get("/staff/billing/portal/").status_code == 405  # a session is opened by POST
