"""Fixtures of the billing tests: a local Stripe stub, billing switched on against it, a plan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.billing.stripe_stub import StripeStub, signed

WEBHOOK_SECRET = "whsec_test_saraban_cloud"
WEBHOOK_URL = "/billing/stripe/webhook/"


@pytest.fixture
def stripe_stub() -> Iterator[StripeStub]:
    stub = StripeStub().start()
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture
def billing_on(settings: Any, stripe_stub: StripeStub) -> StripeStub:
    """Billing switched on, talking to the stub (no retries: an unreachable Stripe fails fast)."""
    settings.STRIPE_SECRET_KEY = "sk_test_saraban_stub"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_stub.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.BILLING_GRACE_DAYS = 30
    settings.BILLING_SUSPEND_AFTER_DAYS = 60
    settings.BILLING_DAYS_UNTIL_DUE = 30
    return stripe_stub


@pytest.fixture
def plan(db: None) -> Any:
    from billing.models import Plan

    return Plan.objects.create(
        code="small-yearly",
        name_th="แผนรายปี หน่วยงานขนาดเล็ก",
        name_en="Small organisation, yearly",
        organisation_type="",
        size_label="ไม่เกิน 50 ผู้ใช้",
        interval="year",
        amount_satang=1_200_000,
        trial_days=60,
    )


@pytest.fixture
def alpha_account(alpha: Any, billing_on: StripeStub, plan: Any) -> Any:
    """Alpha with a Stripe customer and a trial subscription (rolled back with the test)."""
    from billing.services import billing_account_create_for

    account = billing_account_create_for(municipality=alpha)
    assert account is not None and account.sync_status == "ok"
    return account


def post_event(
    client: Client,
    event: dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
) -> Any:
    payload, header = signed(event, secret, timestamp=timestamp)
    return client.post(
        WEBHOOK_URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def deliver(client: Client, events: list[dict[str, Any]]) -> None:
    for event in events:
        response = post_event(client, event)
        assert response.status_code == 200, (event["type"], response.content)
