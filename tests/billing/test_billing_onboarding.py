"""Onboarding's billing step: a Stripe customer and a trial subscription; Stripe down never stops it."""

from __future__ import annotations

from typing import Any

import pytest

from billing.models import BillingAccount, Plan
from billing.services import plan_sync_to_stripe
from billing.tasks import retry_pending_accounts
from tenants import services
from tenants.models import OnboardingStatus
from tests.billing.stripe_stub import StripeStub
from tests.factories import OnboardingRequestFactory

pytestmark = [pytest.mark.billing, pytest.mark.django_db]


def _request(slug: str) -> Any:
    return OnboardingRequestFactory(slug=slug)


def test_onboarding_creates_the_customer_and_a_trial_subscription(
    billing_on: StripeStub, plan: Plan
) -> None:
    municipality = services.onboard_municipality(_request("billed"))

    assert municipality.onboarding_status == OnboardingStatus.DONE
    step = municipality.onboarding_steps.get(name="billing")
    assert step.status == OnboardingStatus.DONE
    account = BillingAccount.objects.get(municipality=municipality)
    assert account.sync_status == "ok" and account.sync_error == ""
    assert account.stripe_customer_id in billing_on.customers
    assert account.stripe_subscription_id in billing_on.subscriptions
    assert account.subscription_status == "trialing"
    assert account.plan == plan and account.trial_end is not None
    municipality.refresh_from_db()
    assert municipality.state == "trial"

    (customer_call,) = billing_on.calls("POST", "/v1/customers")
    assert customer_call.params["name"] == municipality.name_th
    assert customer_call.params["metadata"]["schema_name"] == municipality.schema_name
    assert customer_call.headers["idempotency-key"] == f"saraban-customer-{municipality.pk}"
    (subscription_call,) = billing_on.calls("POST", "/v1/subscriptions")
    params = subscription_call.params
    assert params["collection_method"] == "send_invoice"
    assert params["days_until_due"] == "30"
    assert params["trial_period_days"] == "60"
    assert {"promptpay", "customer_balance"} <= set(
        params["payment_settings"]["payment_method_types"]
    )
    assert params["items"] == [{"price": Plan.objects.get(pk=plan.pk).stripe_price_id}]
    # The plan was pushed to Stripe first: a THB yearly price of 12,000.00 baht.
    (price,) = billing_on.prices.values()
    assert (price["currency"], price["unit_amount"], price["recurring"]["interval"]) == (
        "thb",
        1_200_000,
        "year",
    )


def test_onboarding_completes_when_stripe_is_unreachable_and_the_retry_finishes_it(
    billing_on: StripeStub, plan: Plan
) -> None:
    with billing_on.unreachable():
        municipality = services.onboard_municipality(_request("offline"))
        # The daily retry while Stripe is still down changes nothing and raises nothing.
        assert retry_pending_accounts()["offline"] == "pending"

    assert municipality.onboarding_status == OnboardingStatus.DONE
    account = BillingAccount.objects.get(municipality=municipality)
    assert account.sync_status == "pending"
    assert "APIConnectionError" in account.sync_error
    assert account.stripe_customer_id == "" and billing_on.requests == []

    outcome = retry_pending_accounts()

    assert outcome["offline"] == "ok"
    account.refresh_from_db()
    assert account.sync_status == "ok" and account.sync_error == ""
    assert billing_on.subscriptions[account.stripe_subscription_id]["status"] == "trialing"
    assert billing_on.customers[account.stripe_customer_id]["metadata"]["slug"] == "offline"
    # A second retry has nothing left to do for it.
    before = len(billing_on.calls("POST", "/v1/"))
    retry_pending_accounts()
    assert len(billing_on.calls("POST", "/v1/")) == before


def test_a_subscription_made_before_a_lost_answer_is_adopted_not_doubled(
    alpha: Any, billing_on: StripeStub, plan: Plan
) -> None:
    from billing.services import billing_account_create_for, billing_account_sync

    account = billing_account_create_for(municipality=alpha)
    assert account is not None
    subscription_id = account.stripe_subscription_id
    # As if the answer to "create subscription" never arrived.
    BillingAccount.objects.filter(pk=account.pk).update(
        stripe_subscription_id="", sync_status="pending"
    )
    account.refresh_from_db()

    billing_account_sync(account=account)

    assert account.stripe_subscription_id == subscription_id
    assert len(billing_on.subscriptions) == 1


def test_billing_off_leaves_the_tenant_on_trial_without_an_account(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    municipality = services.onboard_municipality(_request("nobill"))

    assert municipality.onboarding_status == OnboardingStatus.DONE
    assert not BillingAccount.objects.filter(municipality=municipality).exists()
    assert municipality.state == "trial"


def test_plan_sync_makes_a_new_price_only_when_the_plan_changed(
    billing_on: StripeStub, plan: Plan
) -> None:
    plan_sync_to_stripe(plan=plan)
    first = plan.stripe_price_id
    plan_sync_to_stripe(plan=plan)
    assert plan.stripe_price_id == first
    assert len(billing_on.prices) == 1

    plan.amount_satang = 1_500_000
    plan.interval = "month"
    plan.save()
    plan_sync_to_stripe(plan=plan)

    assert plan.stripe_price_id != first
    assert billing_on.prices[first]["active"] is False
    new = billing_on.prices[plan.stripe_price_id]
    assert (new["unit_amount"], new["recurring"]["interval"], new["lookup_key"]) == (
        1_500_000,
        "month",
        "small-yearly",
    )
    assert billing_on.products["saraban-plan-small-yearly"]["name"] == plan.name_th
    assert Plan.objects.get(pk=plan.pk).stripe_price_id == plan.stripe_price_id
