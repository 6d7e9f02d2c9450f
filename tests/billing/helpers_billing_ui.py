"""Billing rows for the UI tests: a plan, a municipality's account and its invoices.

The UI reads what Stripe's webhooks leave in these tables; the tests put the same rows there
directly (the webhook path itself is tested by the billing core tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

AMOUNT = 1_234_500  # 12,345.00 บาท
HOSTED = "https://invoice.stripe.com/i/acct_test/test_inv_0001"


def plan_create(code: str = "sao-s-year", **fields: Any) -> Any:
    from billing.models import Plan

    values: dict[str, Any] = {
        "name_th": "อบต. ขนาดเล็ก รายปี",
        "name_en": "Small SAO, yearly",
        "organisation_type": "sao",
        "size_label": "ไม่เกิน 50 ผู้ใช้",
        "interval": "year",
        "amount_satang": AMOUNT,
    }
    values.update(fields)
    return Plan.objects.create(code=code, **values)


def account_create(
    tenant: Any,
    *,
    past_due_days: int | None = None,
    amount: int = AMOUNT,
    status: str = "active",
    plan: Any = None,
    **fields: Any,
) -> Any:
    """An account as the webhooks leave it; ``past_due_days`` = how long the invoice is unpaid."""
    from billing.models import BillingAccount

    now = timezone.now()
    return BillingAccount.objects.create(
        municipality=tenant,
        plan=plan if plan is not None else plan_create(code=f"plan-{tenant.slug}"),
        stripe_customer_id=f"cus_{tenant.slug}",
        stripe_subscription_id=f"sub_{tenant.slug}",
        subscription_status="past_due" if past_due_days is not None else status,
        past_due_since=now - dt.timedelta(days=past_due_days)
        if past_due_days is not None
        else None,
        amount_due_satang=amount if past_due_days is not None else fields.pop("amount_due", 0),
        current_period_end=now + dt.timedelta(days=300),
        sync_status="ok",
        **fields,
    )


def invoice_create(
    account: Any,
    *,
    number: str = "SBN-0001",
    status: str = "open",
    due_in_days: int = -5,
    amount: int = AMOUNT,
    **fields: Any,
) -> Any:
    from billing.models import Invoice

    now = timezone.now()
    return Invoice.objects.create(
        account=account,
        stripe_invoice_id=f"in_{account.municipality.slug}_{number}",
        number=number,
        status=status,
        amount_due_satang=amount,
        amount_paid_satang=amount if status == "paid" else 0,
        due_date=now + dt.timedelta(days=due_in_days),
        hosted_invoice_url=fields.pop("hosted_invoice_url", HOSTED),
        invoice_pdf=fields.pop("invoice_pdf", f"{HOSTED}/pdf"),
        stripe_created=now + dt.timedelta(days=due_in_days - 30),
        **fields,
    )


def state_set(tenant: Any, state: str) -> None:
    from tenants.services import municipality_set_state

    municipality_set_state(municipality=tenant, state=state, actor="test", reason="billing ui test")
    tenant.refresh_from_db()
