"""The vendor's manual overrides (with audit entries) and the tenant admin's customer portal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from billing.errors import InvalidOverride, StripeUnavailable
from billing.models import BillingAccount, BillingAuditEntry, Invoice
from billing.services import (
    billing_apply_lifecycle,
    billing_extend_grace,
    billing_mark_paid_out_of_band,
    billing_portal_url,
)
from tenants.models import Municipality
from tests.billing.conftest import deliver
from tests.billing.stripe_stub import StripeStub

pytestmark = [pytest.mark.billing, pytest.mark.django_db]


def _state(municipality: Any) -> str:
    return str(Municipality.objects.get(pk=municipality.pk).state)


@pytest.fixture
def overdue(
    alpha_account: BillingAccount, billing_on: StripeStub, public_client: Client
) -> BillingAccount:
    deliver(public_client, billing_on.end_trial(alpha_account.stripe_subscription_id))
    deliver(public_client, billing_on.make_past_due(alpha_account.stripe_subscription_id))
    return BillingAccount.objects.get(pk=alpha_account.pk)


def test_mark_paid_out_of_band_pays_on_stripe_writes_an_audit_entry_and_reactivates(
    alpha: Any, overdue: BillingAccount, billing_on: StripeStub
) -> None:
    assert overdue.past_due_since is not None
    billing_apply_lifecycle(account=overdue, now=overdue.past_due_since + dt.timedelta(days=31))
    assert _state(alpha) == "read_only"
    invoice = Invoice.objects.get(account=overdue)

    with pytest.raises(InvalidOverride):
        billing_mark_paid_out_of_band(invoice=invoice, actor="somchai@vendor", reason="  ")
    assert billing_on.calls("POST", f"/v1/invoices/{invoice.stripe_invoice_id}/pay") == []

    paid = billing_mark_paid_out_of_band(
        invoice=invoice, actor="somchai@vendor", reason="โอนเข้าบัญชีธนาคารกรุงไทย 5 ธ.ค. 2569"
    )

    (call,) = billing_on.calls("POST", f"/v1/invoices/{invoice.stripe_invoice_id}/pay")
    assert call.params == {"paid_out_of_band": "true"}
    assert paid.status == "paid" and paid.paid_out_of_band
    assert billing_on.invoices[invoice.stripe_invoice_id]["paid_out_of_band"] is True
    (entry,) = BillingAuditEntry.objects.filter(account=overdue)
    assert (entry.action, entry.actor) == ("mark_paid", "somchai@vendor")
    assert entry.reason == "โอนเข้าบัญชีธนาคารกรุงไทย 5 ธ.ค. 2569"
    assert entry.data["invoice"] == invoice.stripe_invoice_id
    overdue.refresh_from_db()
    assert overdue.past_due_since is None and overdue.amount_due_satang == 0
    assert _state(alpha) == "active"

    with pytest.raises(InvalidOverride):  # already paid
        billing_mark_paid_out_of_band(invoice=paid, actor="somchai@vendor", reason="again")


def test_mark_paid_when_stripe_is_down_changes_nothing(
    alpha: Any, overdue: BillingAccount, billing_on: StripeStub
) -> None:
    invoice = Invoice.objects.get(account=overdue)
    with billing_on.unreachable(), pytest.raises(StripeUnavailable):
        billing_mark_paid_out_of_band(invoice=invoice, actor="vendor", reason="cheque")
    assert Invoice.objects.get(pk=invoice.pk).status == "open"
    assert not BillingAuditEntry.objects.exists()
    assert _state(alpha) == "grace"


def test_extend_grace_writes_an_audit_entry_and_moves_the_read_only_tenant_back(
    alpha: Any, overdue: BillingAccount
) -> None:
    start = overdue.past_due_since
    assert start is not None
    day = dt.timedelta(days=1)
    billing_apply_lifecycle(account=overdue, now=start + 31 * day)
    assert _state(alpha) == "read_only"

    with pytest.raises(InvalidOverride):
        billing_extend_grace(account=overdue, until=start + 45 * day, actor="v", reason="")
    with pytest.raises(InvalidOverride):  # not in the future
        billing_extend_grace(
            account=overdue, until=start + 20 * day, actor="v", reason="x", now=start + 31 * day
        )

    billing_extend_grace(
        account=overdue,
        until=start + 45 * day,
        actor="somchai@vendor",
        reason="งบประมาณอนุมัติเดือนหน้า",
        now=start + 31 * day,
    )

    assert _state(alpha) == "grace"
    (entry,) = BillingAuditEntry.objects.filter(account=overdue)
    assert (entry.action, entry.actor, entry.reason) == (
        "extend_grace",
        "somchai@vendor",
        "งบประมาณอนุมัติเดือนหน้า",
    )
    assert entry.data["until"] == (start + 45 * day).isoformat()
    billing_apply_lifecycle(account=overdue, now=start + 44 * day)
    assert _state(alpha) == "grace"
    billing_apply_lifecycle(account=overdue, now=start + 46 * day)
    assert _state(alpha) == "read_only"
    # Suspension counts from the end of the extended grace period.
    billing_apply_lifecycle(account=overdue, now=start + (45 + 59) * day)
    assert _state(alpha) == "read_only"
    billing_apply_lifecycle(account=overdue, now=start + (45 + 61) * day)
    assert _state(alpha) == "suspended"


def test_extend_grace_needs_something_past_due(alpha_account: BillingAccount) -> None:
    with pytest.raises(InvalidOverride):
        billing_extend_grace(
            account=alpha_account,
            until=dt.datetime.now(dt.UTC) + dt.timedelta(days=10),
            actor="v",
            reason="x",
        )
    assert not BillingAuditEntry.objects.exists()


def test_customer_portal_link_for_the_tenant_admin(
    alpha: Any, alpha_account: BillingAccount, billing_on: StripeStub, beta: Any
) -> None:
    url = billing_portal_url(municipality=alpha, return_url="http://alpha.localhost/staff/billing/")

    (call,) = billing_on.calls("POST", "/v1/billing_portal/sessions")
    assert call.params["customer"] == alpha_account.stripe_customer_id
    assert call.params["return_url"] == "http://alpha.localhost/staff/billing/"
    assert url.startswith(billing_on.url + "/p/session/")
    with pytest.raises(InvalidOverride):  # beta has no billing account
        billing_portal_url(municipality=beta, return_url="http://beta.localhost/")
