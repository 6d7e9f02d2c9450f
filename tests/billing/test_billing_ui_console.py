"""Billing in the vendor console: accounts, overdue list, MRR, overrides with reasons, plans,
the Stripe event log; and the tenant admin's link to Stripe's customer portal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import User
from billing.models import BillingAccount, BillingAuditEntry, Invoice, Plan, WebhookEvent
from tenants.models import Municipality
from tests.billing.conftest import deliver
from tests.billing.helpers_billing_ui import account_create, invoice_create, plan_create, state_set
from tests.billing.stripe_stub import StripeStub
from tests.registers.helpers_views import staff_client, text_of

pytestmark = [pytest.mark.billing, pytest.mark.django_db]

PASSWORD = "vendor-passphrase-2569"


@pytest.fixture
def console(db: None) -> Client:
    """A vendor staff member logged in to the console with password and a one-time code."""
    user = User.objects.create_superuser("vendor-billing", "billing@saraban.example", PASSWORD)
    device = StaticDevice.objects.create(user=user, name="backup")
    device.token_set.create(token="31313131")
    client = Client(HTTP_HOST="localhost")
    response = client.post(
        "/console/login/?next=/console/",
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "31313131",
        },
    )
    assert response.status_code == 302
    return client


def _state(tenant: Any) -> str:
    return str(Municipality.objects.get(pk=tenant.pk).state)


def test_console_needs_the_second_factor(public_client: Client, alpha: Any) -> None:
    account_create(alpha, past_due_days=5)
    for url in (
        "/console/billing/billingaccount/",
        "/console/billing/billingaccount/overview/",
        "/console/billing/billingaccount/overdue/",
    ):
        response = public_client.get(url)
        assert response.status_code == 302 and "/console/login/" in response.url, url


def test_accounts_list_shows_plan_status_next_invoice_and_overdue(
    console: Client, alpha: Any, beta: Any
) -> None:
    overdue = account_create(alpha, past_due_days=12)
    invoice = invoice_create(overdue, due_in_days=-12)
    state_set(alpha, "grace")
    fine = account_create(beta, plan=plan_create(code="b-month", name_th="รายเดือน เล็ก"))
    later = invoice_create(fine, number="SBN-B1", due_in_days=25, amount=99_000)

    index = text_of(console.get("/console/"))
    assert "การเรียกเก็บเงิน" in index and "แผนราคา" in index and "เหตุการณ์จาก Stripe" in index
    page = text_of(console.get("/console/billing/billingaccount/"))
    assert alpha.name_th in page and beta.name_th in page
    assert "อบต. ขนาดเล็ก รายปี" in page and "รายเดือน เล็ก" in page  # plans
    assert "ผ่อนผันการชำระเงิน" in page  # alpha's state
    assert "12,345.00 บาท (12 วัน)" in page  # amount overdue, and for how long
    from thaiformat.dates import format_thai_date

    assert f"12,345.00 บาท · {format_thai_date(invoice.due_date)}" in page  # next invoice
    assert f"990.00 บาท · {format_thai_date(later.due_date)}" in page

    detail = text_of(console.get(f"/console/billing/billingaccount/{overdue.pk}/change/"))
    assert "SBN-0001" in detail and "ขยายระยะผ่อนผัน" in detail and "บันทึกว่าชำระแล้ว" in detail


def test_overdue_list_and_revenue_overview(console: Client, alpha: Any, beta: Any) -> None:
    account_create(alpha, past_due_days=45)  # yearly 12,345.00 บาท, past due: still revenue
    state_set(alpha, "read_only")
    account_create(beta, plan=plan_create(code="m", interval="month", amount_satang=150_000))
    expected = 150_000 + 1_234_500 / 12  # a yearly plan counts as a twelfth a month

    overdue = text_of(console.get("/console/billing/billingaccount/overdue/"))
    assert alpha.name_th in overdue and beta.name_th not in overdue
    assert "12,345.00 บาท" in overdue and "45" in overdue and "อ่านอย่างเดียว" in overdue

    overview = console.get("/console/billing/billingaccount/overview/")
    assert overview.status_code == 200
    assert f"{round(expected) / 100:,.2f} บาท" in text_of(overview)  # MRR, yearly as 1/12


def test_extend_grace_needs_a_reason_and_is_audited(console: Client, alpha: Any) -> None:
    account = account_create(alpha, past_due_days=40)
    state_set(alpha, "read_only")
    url = f"/console/billing/billingaccount/{account.pk}/extend-grace/"
    until = timezone.localdate() + dt.timedelta(days=20)

    form = console.get(url)
    assert form.status_code == 200 and "12,345.00 บาท" in text_of(form)
    missing = console.post(url, {"until": until.isoformat(), "reason": "  "})
    assert missing.status_code == 200 and not BillingAuditEntry.objects.exists()
    assert _state(alpha) == "read_only"

    # Typed as the console shows dates: day/month/Buddhist-Era year.
    typed = f"{until.day}/{until.month}/{until.year + 543}"
    done = console.post(url, {"until": typed, "reason": "งบประมาณอนุมัติแล้ว"})
    assert done.status_code == 302
    entry = BillingAuditEntry.objects.get(account=account)
    assert (entry.action, entry.actor, entry.reason) == (
        "extend_grace",
        "vendor:vendor-billing",
        "งบประมาณอนุมัติแล้ว",
    )
    account.refresh_from_db()
    assert account.grace_extended_until is not None
    assert timezone.localtime(account.grace_extended_until).date() == until
    assert _state(alpha) == "grace"  # working again until then
    assert "งบประมาณอนุมัติแล้ว" in text_of(console.get(done.url))  # audit shown on the account


def test_mark_paid_out_of_band_needs_a_reason_calls_stripe_and_is_audited(
    console: Client,
    alpha: Any,
    alpha_account: BillingAccount,
    billing_on: StripeStub,
    public_client: Client,
) -> None:
    subscription = alpha_account.stripe_subscription_id
    deliver(public_client, billing_on.end_trial(subscription))
    deliver(public_client, billing_on.make_past_due(subscription))
    assert _state(alpha) == "grace"
    invoice = Invoice.objects.get(account=alpha_account, status="open")
    url = f"/console/billing/invoice/{invoice.pk}/mark-paid/"
    assert url in console.get("/console/billing/invoice/").content.decode()

    assert console.post(url, {"reason": ""}).status_code == 200
    assert billing_on.calls("POST", f"/v1/invoices/{invoice.stripe_invoice_id}/pay") == []

    done = console.post(url, {"reason": "โอนเข้าบัญชีบริษัท 20 พ.ย. 2569 อ้างอิง 12345"})
    assert done.status_code == 302
    (pay,) = billing_on.calls("POST", f"/v1/invoices/{invoice.stripe_invoice_id}/pay")
    assert pay.params.get("paid_out_of_band") == "true"
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.paid_out_of_band
    entry = BillingAuditEntry.objects.get(account=alpha_account, action="mark_paid")
    assert entry.actor == "vendor:vendor-billing" and "อ้างอิง 12345" in entry.reason
    assert _state(alpha) == "active"

    # Paid already: the console says so and Stripe is not asked again.
    again = console.post(url, {"reason": "ซ้ำ"})
    assert again.status_code == 200 and "ไม่อยู่ในสถานะรอชำระ" in text_of(again)
    assert len(billing_on.calls("POST", f"/v1/invoices/{invoice.stripe_invoice_id}/pay")) == 1


def test_plans_are_created_and_synced_to_stripe(console: Client, billing_on: StripeStub) -> None:
    response = console.post(
        "/console/billing/plan/add/",
        {
            "code": "city-l-year",
            "name_th": "เทศบาลนคร รายปี",
            "name_en": "City, yearly",
            "organisation_type": "city",
            "size_label": "ไม่เกิน 500 ผู้ใช้",
            "interval": "year",
            "amount_satang": "9600000",
            "trial_days": "60",
            "active": "on",
        },
    )
    assert response.status_code == 302, text_of(response)[:500]
    plan = Plan.objects.get(code="city-l-year")
    assert plan.stripe_price_id == ""
    assert "96,000.00 บาท" in text_of(console.get("/console/billing/plan/"))

    synced = console.post(
        "/console/billing/plan/",
        {"action": "sync_to_stripe", "_selected_action": [plan.pk]},
        follow=True,
    )
    plan.refresh_from_db()
    assert plan.stripe_price_id.startswith("price_")
    assert plan.stripe_price_id in text_of(synced)
    (price,) = billing_on.calls("POST", "/v1/prices")
    assert price.params["unit_amount"] == "9600000" and price.params["currency"] == "thb"


def test_plan_sync_when_billing_is_off_reports_the_error(console: Client) -> None:
    plan = plan_create(code="off")
    synced = console.post(
        "/console/billing/plan/",
        {"action": "sync_to_stripe", "_selected_action": [plan.pk]},
        follow=True,
    )
    assert "ระบบเรียกเก็บเงินปิดอยู่" in text_of(synced)


def test_webhook_log_is_read_only_and_filterable(console: Client) -> None:
    now = timezone.now()
    paid = WebhookEvent.objects.create(
        stripe_event_id="evt_ui_1",
        type="invoice.paid",
        created=now,
        payload={"data": {"object": {"id": "in_ui_1", "number": "SBN-ข-1"}}},
        status="processed",
        attempts=1,
    )
    WebhookEvent.objects.create(
        stripe_event_id="evt_ui_2",
        type="customer.subscription.updated",
        created=now,
        payload={},
        status="failed",
        attempts=3,
        last_error="boom",
    )
    listing = text_of(console.get("/console/billing/webhookevent/"))
    assert "evt_ui_1" in listing and "evt_ui_2" in listing
    only_failed = text_of(console.get("/console/billing/webhookevent/?status__exact=failed"))
    assert "evt_ui_2" in only_failed and "evt_ui_1" not in only_failed
    by_type = text_of(console.get("/console/billing/webhookevent/?type=invoice.paid"))
    assert "evt_ui_1" in by_type and "evt_ui_2" not in by_type

    detail = console.get(f"/console/billing/webhookevent/{paid.pk}/change/")
    assert detail.status_code == 200
    assert "SBN-ข-1" in detail.content.decode()  # the payload, readable
    assert 'name="_save"' not in detail.content.decode()
    assert console.get("/console/billing/webhookevent/add/").status_code == 403
    assert console.post(f"/console/billing/webhookevent/{paid.pk}/delete/").status_code == 403


def test_audit_log_lists_overrides(console: Client, alpha: Any) -> None:
    account = account_create(alpha, past_due_days=3)
    BillingAuditEntry.objects.create(
        account=account, actor="vendor:x", action="extend_grace", reason="เหตุผลทดสอบ"
    )
    page = text_of(console.get("/console/billing/billingauditentry/"))
    assert "เหตุผลทดสอบ" in page and "vendor:x" in page


# --- the tenant admin's way to Stripe's customer portal -------------------------------------


def test_portal_button_opens_a_stripe_portal_session(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub
) -> None:
    admin, _ = staff_client(alpha, "tadmin", "tenant_admin")
    response = admin.post("/staff/billing/portal/")
    assert response.status_code == 302
    assert response.url.startswith(billing_on.url + "/p/session/")
    (call,) = billing_on.calls("POST", "/v1/billing_portal/sessions")
    assert call.params["customer"] == alpha_account.stripe_customer_id
    assert call.params["return_url"].endswith("/staff/billing/")
    assert alpha.slug in call.params["return_url"]  # back to the municipality's own host
