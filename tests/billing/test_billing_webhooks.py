"""The webhook endpoint: signatures, once-only processing, order safety, failures retried."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from billing.models import BillingAccount, Invoice, WebhookEvent
from tenants.models import Municipality
from tests.billing.conftest import WEBHOOK_URL, deliver, post_event
from tests.billing.stripe_stub import StripeStub, signed

pytestmark = [pytest.mark.billing, pytest.mark.django_db]


def _state(municipality: Any) -> str:
    return str(Municipality.objects.get(pk=municipality.pk).state)


def _snapshot(account: BillingAccount) -> tuple[Any, ...]:
    account.refresh_from_db()
    return (
        account.subscription_status,
        account.past_due_since,
        account.amount_due_satang,
        account.last_event_created,
        Invoice.objects.count(),
    )


@pytest.mark.parametrize(
    "how",
    ["wrong-secret", "tampered-body", "no-header", "too-old"],
)
def test_a_bad_signature_gets_400_and_changes_nothing(
    how: str,
    alpha: Any,
    alpha_account: BillingAccount,
    billing_on: StripeStub,
    public_client: Client,
) -> None:
    event = billing_on.end_trial(alpha_account.stripe_subscription_id)[-1]
    before = _snapshot(alpha_account)
    if how == "wrong-secret":
        response = post_event(public_client, event, secret="whsec_somebody_else")
    elif how == "too-old":  # a captured delivery replayed an hour later
        response = post_event(public_client, event, timestamp=int(time.time()) - 3600)
    else:
        payload, header = signed(event, "whsec_test_saraban_cloud")
        if how == "tampered-body":
            payload = payload.replace('"active"', '"canceled"')
        else:
            header = ""
        response = public_client.post(
            WEBHOOK_URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0
    assert _snapshot(alpha_account) == before
    assert _state(alpha) == "trial"


def test_only_post_is_accepted_and_only_on_the_apex(
    alpha_account: BillingAccount, public_client: Client, alpha_client: Client
) -> None:
    assert public_client.get(WEBHOOK_URL).status_code == 405
    response = alpha_client.post(WEBHOOK_URL, data="{}", content_type="application/json")
    assert response.status_code == 404


def test_a_duplicate_delivery_is_acknowledged_and_ignored(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    events = billing_on.end_trial(alpha_account.stripe_subscription_id)
    deliver(public_client, events)
    before = _snapshot(alpha_account)
    requests_before = len(billing_on.requests)

    for event in events:
        response = post_event(public_client, event)
        assert response.status_code == 200
        assert response.json()["status"] == "duplicate"

    assert _snapshot(alpha_account) == before
    assert len(billing_on.requests) == requests_before  # nothing re-done, not even a read
    assert WebhookEvent.objects.count() == len(events)
    assert set(WebhookEvent.objects.values_list("status", "attempts")) == {("processed", 1)}


def test_an_older_event_never_moves_the_state_backwards(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    subscription_id = alpha_account.stripe_subscription_id
    trial_events = billing_on.end_trial(subscription_id)
    overdue_events = billing_on.make_past_due(subscription_id)
    invoice_id = overdue_events[0]["data"]["object"]["id"]
    paid_events = billing_on.pay(invoice_id)

    # Stripe delivers out of order: payment first, then the older "past due" and "created".
    deliver(public_client, trial_events[:1])
    deliver(public_client, paid_events)
    assert _state(alpha) == "active"
    deliver(public_client, overdue_events)
    deliver(public_client, trial_events[1:])

    account = BillingAccount.objects.get(pk=alpha_account.pk)
    invoice = Invoice.objects.get(stripe_invoice_id=invoice_id)
    assert invoice.status == "paid"  # the later "finalized"/"overdue" (open) did not undo it
    assert account.subscription_status == "active" and account.past_due_since is None
    assert account.amount_due_satang == 0
    assert _state(alpha) == "active"
    # The stale subscription events were settled by reading the subscription back from Stripe.
    reads = billing_on.calls("GET", f"/v1/subscriptions/{subscription_id}")
    assert len(reads) >= 2
    stale = WebhookEvent.objects.get(stripe_event_id=overdue_events[1]["id"])
    assert (stale.status, stale.attempts) == ("processed", 1)


def test_a_replayed_history_in_reverse_ends_in_the_true_state(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    subscription_id = alpha_account.stripe_subscription_id
    history = billing_on.end_trial(subscription_id) + billing_on.make_past_due(subscription_id)

    deliver(public_client, list(reversed(history)))
    deliver(public_client, history)  # and everything again

    account = BillingAccount.objects.get(pk=alpha_account.pk)
    assert account.subscription_status == "past_due"
    assert _state(alpha) == "grace"
    assert WebhookEvent.objects.count() == len(history)


def test_a_processing_failure_answers_500_is_logged_and_succeeds_on_retry(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    subscription_id = alpha_account.stripe_subscription_id
    deliver(public_client, billing_on.end_trial(subscription_id))
    deliver(public_client, billing_on.make_past_due(subscription_id))
    invoice_id = Invoice.objects.get().stripe_invoice_id
    paid = billing_on.pay(invoice_id)[0]  # invoice.paid makes us read the subscription back

    with billing_on.unreachable():
        response = post_event(public_client, paid)

    assert response.status_code == 500
    log = WebhookEvent.objects.get(stripe_event_id=paid["id"])
    assert (log.status, log.attempts) == ("failed", 1)
    assert "APIConnectionError" in log.last_error
    assert Invoice.objects.get().status == "open"  # the half-done work was rolled back
    assert _state(alpha) == "grace"

    response = post_event(public_client, paid)  # Stripe retries

    assert response.status_code == 200 and response.json()["status"] == "processed"
    log.refresh_from_db()
    assert (log.status, log.attempts, log.last_error) == ("processed", 2, "")
    assert Invoice.objects.get().status == "paid"
    assert _state(alpha) == "active"


def test_unknown_customers_and_unhandled_types_are_logged_as_ignored(
    alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> None:
    stranger = billing_on.event(
        "customer.subscription.updated",
        {"id": "sub_other", "object": "subscription", "customer": "cus_other", "status": "active"},
    )
    unhandled = billing_on.event("charge.refunded", {"id": "ch_1", "object": "charge"})

    deliver(public_client, [stranger, unhandled])

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"ignored"}
    assert WebhookEvent.objects.get(stripe_event_id=unhandled["id"]).type == "charge.refunded"
