"""The whole lifecycle through signed webhooks: trial -> active -> past due -> grace -> read-only
-> paid -> active, with time moved forward by passing ``now`` (never by sleeping)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from billing.models import BillingAccount, Invoice
from billing.selectors import (
    accounts_overdue,
    billing_banner_for,
    invoices_for,
    monthly_recurring_revenue_satang,
)
from billing.services import billing_apply_lifecycle
from billing.tasks import apply_lifecycle
from tenants.models import LifecycleEvent, Municipality
from tests.billing.conftest import deliver
from tests.billing.stripe_stub import StripeStub

pytestmark = [pytest.mark.billing, pytest.mark.django_db]


def _state(municipality: Any) -> str:
    return str(Municipality.objects.get(pk=municipality.pk).state)


def _days(account: BillingAccount, days: float) -> dt.datetime:
    assert account.past_due_since is not None
    return account.past_due_since + dt.timedelta(days=days)


def test_trial_active_past_due_grace_read_only_paid_active(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    subscription_id = alpha_account.stripe_subscription_id
    assert _state(alpha) == "trial"

    # The trial ends: Stripe sends the first invoice and the subscription becomes active.
    deliver(public_client, billing_on.end_trial(subscription_id))
    account = BillingAccount.objects.get(pk=alpha_account.pk)
    assert account.subscription_status == "active"
    assert _state(alpha) == "active"
    invoice = Invoice.objects.get(account=account)
    assert (invoice.status, invoice.amount_due_satang) == ("open", 1_200_000)
    assert account.amount_due_satang == 1_200_000
    assert list(invoices_for(municipality=alpha)) == [invoice]
    banner = billing_banner_for(municipality=Municipality.objects.get(pk=alpha.pk))
    assert banner is not None and banner.level == "info" and "12,000.00" in banner.message_th
    assert monthly_recurring_revenue_satang() == 100_000  # 12,000 baht a year

    # Unpaid past its due date: past due, the tenant gets a grace period.
    deliver(public_client, billing_on.make_past_due(subscription_id))
    account.refresh_from_db()
    assert account.subscription_status == "past_due" and account.past_due_since is not None
    assert _state(alpha) == "grace"
    assert list(accounts_overdue()) == [account]
    banner = billing_banner_for(municipality=Municipality.objects.get(pk=alpha.pk))
    assert banner is not None and banner.level == "warning"
    assert banner.read_only_on is not None and banner.pay_url == invoice.hosted_invoice_url

    # Day 29 of grace: still grace. Day 31: read-only. Data and receiving stay (H6's middleware).
    billing_apply_lifecycle(account=account, now=_days(account, 29))
    assert _state(alpha) == "grace"
    billing_apply_lifecycle(account=account, now=_days(account, 31))
    assert _state(alpha) == "read_only"
    banner = billing_banner_for(municipality=Municipality.objects.get(pk=alpha.pk))
    assert banner is not None and banner.level == "danger"

    # The municipality pays by PromptPay: invoice paid, subscription active again.
    deliver(public_client, billing_on.pay(invoice.stripe_invoice_id))
    account.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.amount_paid_satang == 1_200_000
    assert account.subscription_status == "active"
    assert account.past_due_since is None and account.amount_due_satang == 0
    assert _state(alpha) == "active"
    assert billing_banner_for(municipality=Municipality.objects.get(pk=alpha.pk)) is None
    assert list(accounts_overdue()) == []

    moves = list(
        LifecycleEvent.objects.filter(municipality=alpha)
        .order_by("created_at", "id")
        .values_list("from_state", "to_state", "actor")
    )
    assert moves == [
        ("trial", "active", "billing"),
        ("active", "grace", "billing"),
        ("grace", "read_only", "billing"),
        ("read_only", "active", "billing"),
    ]


def test_read_only_becomes_suspended_after_the_further_period(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    deliver(public_client, billing_on.end_trial(alpha_account.stripe_subscription_id))
    deliver(public_client, billing_on.make_past_due(alpha_account.stripe_subscription_id))
    account = BillingAccount.objects.get(pk=alpha_account.pk)

    billing_apply_lifecycle(account=account, now=_days(account, 30 + 59))
    assert _state(alpha) == "read_only"
    billing_apply_lifecycle(account=account, now=_days(account, 30 + 61))
    assert _state(alpha) == "suspended"
    # Suspension never deletes: the schema and its admin are still there.
    with Municipality.objects.get(pk=alpha.pk):
        from accounts.models import User

        assert User.objects.filter(username=alpha.admin_email).exists()


def test_per_account_grace_days_override_the_setting(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    deliver(public_client, billing_on.end_trial(alpha_account.stripe_subscription_id))
    deliver(public_client, billing_on.make_past_due(alpha_account.stripe_subscription_id))
    account = BillingAccount.objects.get(pk=alpha_account.pk)
    account.grace_days = 45
    account.save()

    billing_apply_lifecycle(account=account, now=_days(account, 40))
    assert _state(alpha) == "grace"
    billing_apply_lifecycle(account=account, now=_days(account, 46))
    assert _state(alpha) == "read_only"


def test_the_daily_task_visits_every_account_and_leaves_archived_tenants_alone(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    deliver(public_client, billing_on.end_trial(alpha_account.stripe_subscription_id))
    assert apply_lifecycle()["alpha"] == "active"

    from tenants.services import municipality_archive

    municipality_archive(municipality=alpha, actor="vendor", reason="offboarded")
    deliver(public_client, billing_on.make_past_due(alpha_account.stripe_subscription_id))
    assert "alpha" not in apply_lifecycle()
    assert _state(alpha) == "archived"
