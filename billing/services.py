"""Writes of billing: Stripe customers and subscriptions, webhooks, manual overrides, lifecycle.

Stripe is the source of truth for subscriptions and invoices; these services keep a local copy
(``BillingAccount``, ``Invoice``) and move the municipality's lifecycle state from it, always
through ``tenants.services.municipality_set_state``. Nothing here ever deletes tenant data.

Order safety: Stripe does not deliver events in order and may deliver one several times.
Each event id is processed once (``WebhookEvent``); a subscription event is applied directly only
when it is newer than the last one applied (``last_event_created``), otherwise the subscription
is read back from Stripe, which is always current. Invoice statuses only move forward
(draft -> open -> paid/void).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from billing import stripe_gateway
from billing.errors import BillingOff, InvalidOverride, StripeUnavailable
from billing.models import (
    BillingAccount,
    BillingAuditEntry,
    Invoice,
    InvoiceStatus,
    Plan,
    SubscriptionStatus,
    SyncStatus,
    WebhookEvent,
    WebhookStatus,
)
from billing.selectors import billing_account_for, grace_ends_at, suspension_at
from tenants.models import LifecycleState, Municipality
from tenants.services import municipality_set_state

logger = logging.getLogger(__name__)

ACTOR = "billing"

_SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "customer.subscription.trial_will_end",
    }
)
_INVOICE_EVENTS = frozenset(
    {
        "invoice.created",
        "invoice.finalized",
        "invoice.updated",
        "invoice.sent",
        "invoice.paid",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
        "invoice.payment_action_required",
        "invoice.marked_uncollectible",
        "invoice.overdue",
        "invoice.voided",
    }
)
# After these, Stripe changes the subscription too (e.g. past_due -> active): read it back.
_INVOICE_SETTLING_EVENTS = frozenset(
    {"invoice.paid", "invoice.payment_succeeded", "invoice.marked_uncollectible", "invoice.voided"}
)
_INVOICE_RANK = {
    InvoiceStatus.DRAFT: 0,
    InvoiceStatus.OPEN: 1,
    InvoiceStatus.UNCOLLECTIBLE: 2,
    InvoiceStatus.PAID: 3,
    InvoiceStatus.VOID: 3,
}
_OWED_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)
_PAST_DUE_STATUSES = frozenset({SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID})
_GOOD_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})
# Lifecycle states billing moves between; archived (offboarding) is never touched.
_BILLING_STATES = frozenset(
    {
        LifecycleState.TRIAL,
        LifecycleState.ACTIVE,
        LifecycleState.GRACE,
        LifecycleState.READ_ONLY,
        LifecycleState.SUSPENDED,
    }
)
_SEVERITY = {
    LifecycleState.TRIAL: 0,
    LifecycleState.ACTIVE: 0,
    LifecycleState.GRACE: 1,
    LifecycleState.READ_ONLY: 2,
    LifecycleState.SUSPENDED: 3,
}


@dataclasses.dataclass(frozen=True)
class WebhookOutcome:
    """What happened to one delivery; ``http_status`` is what Stripe gets back."""

    status: str  # processed | ignored | duplicate | failed | invalid
    http_status: int
    event_id: str = ""
    detail: str = ""


# --- small helpers --------------------------------------------------------------------------


def _ts(value: Any) -> dt.datetime | None:
    if value in (None, "", 0):
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def _id_of(value: Any) -> str:
    """A Stripe reference is an id or, when expanded, the object itself."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidOverride(_("ต้องระบุเหตุผล"))
    return reason


def _client() -> Any:
    if not stripe_gateway.enabled():
        raise BillingOff(_("ระบบเรียกเก็บเงินปิดอยู่ (ไม่ได้ตั้งค่า STRIPE_SECRET_KEY)"))
    return stripe_gateway.client()


def _stripe_failed(error: Exception) -> StripeUnavailable:
    return StripeUnavailable(_("ติดต่อ Stripe ไม่สำเร็จ: %(error)s"), error=str(error)[:300])


def _metadata(municipality: Municipality) -> dict[str, str]:
    return {
        "municipality_id": str(municipality.pk),
        "schema_name": municipality.schema_name,
        "slug": municipality.slug,
    }


def _later(first: dt.datetime | None, second: dt.datetime) -> dt.datetime:
    return second if first is None or second > first else first


# --- plans ----------------------------------------------------------------------------------


def plan_product_id(plan: Plan) -> str:
    """Our own id for the plan's Stripe product, so a lost answer never makes a second one."""
    return f"saraban-plan-{plan.code}"


def plan_sync_to_stripe(*, plan: Plan) -> Plan:
    """Make Stripe's product and price match the plan (THB, monthly or yearly).

    Stripe prices cannot change their amount: a changed plan gets a new price and the old one is
    archived. Existing subscriptions keep the price they were sold at until changed.
    """
    client = _client()
    product_id = plan_product_id(plan)
    product_params: dict[str, Any] = {
        "name": plan.name_th,
        "description": plan.name_en or plan.name_th,
        "active": plan.active,
        "metadata": {"plan_code": plan.code, "size": plan.size_label},
    }
    try:
        try:
            client.v1.products.retrieve(product_id)
        except stripe_gateway.InvalidRequestError as exc:
            if getattr(exc, "http_status", None) != 404:
                raise
            client.v1.products.create(params={"id": product_id, **product_params})
        else:
            client.v1.products.update(product_id, params=product_params)
        if plan.stripe_price_id:
            current = stripe_gateway.to_dict(client.v1.prices.retrieve(plan.stripe_price_id))
            recurring = current.get("recurring") or {}
            if (
                current.get("unit_amount") == plan.amount_satang
                and current.get("currency") == "thb"
                and recurring.get("interval") == plan.interval
                and current.get("active", True)
            ):
                return plan
        price = client.v1.prices.create(
            params={
                "product": product_id,
                "currency": "thb",
                "unit_amount": plan.amount_satang,
                "recurring": {"interval": plan.interval},
                "nickname": plan.name_th,
                "lookup_key": plan.code,
                "transfer_lookup_key": True,
                "metadata": {"plan_code": plan.code},
            }
        )
        if plan.stripe_price_id:
            client.v1.prices.update(plan.stripe_price_id, params={"active": False})
    except stripe_gateway.StripeError as exc:
        raise _stripe_failed(exc) from exc
    Plan.objects.filter(pk=plan.pk).update(stripe_price_id=price.id, updated_at=timezone.now())
    plan.stripe_price_id = price.id
    return plan


def plan_for(municipality: Municipality) -> Plan | None:
    """The plan a new municipality starts its trial on: BILLING_DEFAULT_PLAN, else the cheapest
    active plan for its organisation type, else the cheapest for any type."""
    active = Plan.objects.filter(active=True)
    if settings.BILLING_DEFAULT_PLAN:
        chosen = active.filter(code=settings.BILLING_DEFAULT_PLAN).first()
        if chosen:
            return chosen
    return (
        active.filter(organisation_type=municipality.organisation_type)
        .order_by("amount_satang")
        .first()
        or active.filter(organisation_type="").order_by("amount_satang").first()
    )


# --- accounts (the onboarding step) -------------------------------------------------------


def billing_account_create_for(*, municipality: Municipality) -> BillingAccount | None:
    """The onboarding step's body: a Stripe customer and a trial subscription.

    Billing off (no STRIPE_SECRET_KEY): nothing to do, the tenant stays on trial. Stripe
    unreachable: the account is kept "pending" and ``billing.tasks.retry_pending_accounts``
    finishes it later; onboarding is never stopped by billing.
    """
    if not stripe_gateway.enabled():
        return None
    account, _created = BillingAccount.objects.get_or_create(
        municipality=municipality, defaults={"plan": plan_for(municipality)}
    )
    return billing_account_sync(account=account)


def billing_account_sync(*, account: BillingAccount) -> BillingAccount:
    """Create what is missing on Stripe's side (customer, subscription); record the outcome."""
    try:
        _ensure_customer(account)
        _ensure_subscription(account)
    except stripe_gateway.StripeError as exc:
        transient = stripe_gateway.is_transient(exc)
        logger.warning("billing sync of %s failed: %s", account.municipality.slug, exc)
        account.sync_status = SyncStatus.PENDING if transient else SyncStatus.FAILED
        account.sync_error = f"{type(exc).__name__}: {exc}"[:2000]
    except (BillingOff, StripeUnavailable, InvalidOverride) as exc:
        cause = exc.__cause__
        transient = cause is not None and stripe_gateway.is_transient(cause)
        account.sync_status = SyncStatus.PENDING if transient else SyncStatus.FAILED
        account.sync_error = exc.bilingual()[:2000]
    else:
        account.sync_status = SyncStatus.OK
        account.sync_error = ""
    account.save()
    if account.sync_status == SyncStatus.OK:
        _sync_tenant(account, now=timezone.now(), relieve=False)
    return account


def _ensure_customer(account: BillingAccount) -> None:
    if account.stripe_customer_id:
        return
    municipality = account.municipality
    customer = _client().v1.customers.create(
        params={
            "name": municipality.name_th,
            "email": municipality.admin_email,
            "phone": municipality.officer_phone,
            "preferred_locales": ["th"],
            "address": {
                "country": "TH",
                "state": municipality.province,
                "city": municipality.district,
            },
            "metadata": _metadata(municipality),
        },
        # Keyed on the municipality: a retry after a lost answer gets the same customer back.
        options={"idempotency_key": f"saraban-customer-{municipality.pk}"},
    )
    account.stripe_customer_id = customer.id
    account.save(update_fields=["stripe_customer_id", "updated_at"])


def _ensure_subscription(account: BillingAccount) -> None:
    if account.stripe_subscription_id:
        return
    client = _client()
    municipality = account.municipality
    # One made earlier whose answer was lost (timeout) is adopted, not doubled.
    existing = client.v1.subscriptions.list(
        params={"customer": account.stripe_customer_id, "status": "all", "limit": 10}
    )
    for candidate in existing.data:
        if candidate.status not in ("canceled", "incomplete_expired"):
            _apply_subscription(account, stripe_gateway.to_dict(candidate), seen_at=timezone.now())
            account.save()
            return
    plan = account.plan or plan_for(municipality)
    if plan is None:
        raise InvalidOverride(_("ยังไม่มีแผนราคาที่เปิดขายสำหรับหน่วยงานประเภทนี้ กรุณาสร้างแผนในคอนโซล"))
    # Fresh from the database: another account's sync may have pushed the plan meanwhile.
    plan = Plan.objects.get(pk=plan.pk)
    account.plan = plan
    if not plan.stripe_price_id:
        plan_sync_to_stripe(plan=plan)
    params: dict[str, Any] = {
        "customer": account.stripe_customer_id,
        "items": [{"price": plan.stripe_price_id}],
        # Local governments pay against an invoice with a due date, not by automatic charge.
        "collection_method": "send_invoice",
        "days_until_due": settings.BILLING_DAYS_UNTIL_DUE,
        "payment_settings": {"payment_method_types": list(settings.BILLING_PAYMENT_METHOD_TYPES)},
        "metadata": {**_metadata(municipality), "plan_code": plan.code},
    }
    if plan.trial_days:
        params["trial_period_days"] = plan.trial_days
    subscription = client.v1.subscriptions.create(
        params=params,
        options={
            "idempotency_key": f"saraban-subscription-{municipality.pk}-{plan.stripe_price_id}"
        },
    )
    _apply_subscription(account, stripe_gateway.to_dict(subscription), seen_at=timezone.now())
    account.save()


# --- applying Stripe's objects ---------------------------------------------------------------


def _apply_subscription(
    account: BillingAccount, subscription: dict[str, Any], *, seen_at: dt.datetime
) -> None:
    """Copy a subscription snapshot taken at ``seen_at`` onto the account (caller saves)."""
    account.stripe_subscription_id = str(subscription["id"])
    status = str(subscription.get("status") or "")
    account.subscription_status = status
    account.collection_method = str(subscription.get("collection_method") or "")
    account.trial_end = _ts(subscription.get("trial_end"))
    items = (subscription.get("items") or {}).get("data") or []
    # Newer API versions keep the period on the items; older ones on the subscription.
    period_ends = [
        item.get("current_period_end") for item in items if item.get("current_period_end")
    ]
    account.current_period_end = _ts(
        subscription.get("current_period_end") or (max(period_ends) if period_ends else None)
    )
    if items:
        price_id = _id_of(items[0].get("price") or {})
        plan = Plan.objects.filter(stripe_price_id=price_id).first() if price_id else None
        if plan is not None:
            account.plan = plan
    if status in _PAST_DUE_STATUSES:
        if account.past_due_since is None:
            account.past_due_since = seen_at
    elif status in _GOOD_STATUSES:
        account.past_due_since = None
        account.grace_extended_until = None
    account.last_event_created = _later(account.last_event_created, seen_at)


def _refetch_subscription(account: BillingAccount) -> None:
    """Read the subscription back from Stripe: the answer is current, so it wins over every
    event delivered so far."""
    if not account.stripe_subscription_id:
        return
    fresh = _client().v1.subscriptions.retrieve(account.stripe_subscription_id)
    seen_at = _later(account.last_event_created, timezone.now())
    _apply_subscription(account, stripe_gateway.to_dict(fresh), seen_at=seen_at)


def _apply_invoice(account: BillingAccount, data: dict[str, Any]) -> Invoice:
    """Copy an invoice snapshot; a status never moves backwards (paid stays paid)."""
    row = Invoice.objects.filter(stripe_invoice_id=str(data["id"])).first()
    status = str(data.get("status") or InvoiceStatus.DRAFT)
    if status not in _INVOICE_RANK:
        status = InvoiceStatus.DRAFT
    if row is not None and _INVOICE_RANK[status] < _INVOICE_RANK[row.status]:  # type: ignore[index]
        return row
    if row is None:
        row = Invoice(account=account, stripe_invoice_id=str(data["id"]))
    row.account = account
    row.number = str(data.get("number") or "")
    row.status = status
    row.amount_due_satang = int(data.get("amount_due") or 0)
    row.amount_paid_satang = int(data.get("amount_paid") or 0)
    row.due_date = _ts(data.get("due_date"))
    row.hosted_invoice_url = str(data.get("hosted_invoice_url") or "")
    row.invoice_pdf = str(data.get("invoice_pdf") or "")
    row.paid_out_of_band = row.paid_out_of_band or bool(data.get("paid_out_of_band"))
    row.period_start = _ts(data.get("period_start"))
    row.period_end = _ts(data.get("period_end"))
    row.stripe_created = _ts(data.get("created"))
    row.save()
    _refresh_amount_due(account)
    return row


def _refresh_amount_due(account: BillingAccount) -> None:
    owed = 0
    for invoice in account.invoices.filter(status__in=_OWED_STATUSES):
        owed += max(invoice.amount_due_satang - invoice.amount_paid_satang, 0)
    account.amount_due_satang = owed


# --- the tenant's lifecycle -------------------------------------------------------------------


def _target_state(account: BillingAccount, now: dt.datetime) -> str | None:
    """The lifecycle state the account calls for at ``now``, or None for "leave it"."""
    if account.past_due_since is not None:
        grace_end = grace_ends_at(account)
        suspend_at = suspension_at(account)
        assert grace_end is not None and suspend_at is not None
        if now < grace_end:
            return LifecycleState.GRACE
        if now < suspend_at:
            return LifecycleState.READ_ONLY
        return LifecycleState.SUSPENDED
    if account.subscription_status == SubscriptionStatus.ACTIVE:
        return LifecycleState.ACTIVE
    if account.subscription_status == SubscriptionStatus.TRIALING:
        return LifecycleState.TRIAL
    return None  # canceled, incomplete, none yet: the vendor decides


def _reason_for(target: str, account: BillingAccount) -> str:
    if target == LifecycleState.GRACE:
        return f"billing: past due since {account.past_due_since:%Y-%m-%d}, grace period"
    if target == LifecycleState.READ_ONLY:
        return f"billing: grace period ended {grace_ends_at(account):%Y-%m-%d}"
    if target == LifecycleState.SUSPENDED:
        return f"billing: read-only since {grace_ends_at(account):%Y-%m-%d}, still unpaid"
    return f"billing: subscription {account.subscription_status}, nothing past due"


def _sync_tenant(account: BillingAccount, *, now: dt.datetime, relieve: bool) -> Municipality:
    """Move the municipality to the state the account calls for.

    Without ``relieve`` (webhooks) a still-past-due tenant is never moved to a milder state:
    only payment (or the daily run and manual overrides, which pass ``relieve``) does that.
    """
    municipality = Municipality.objects.get(pk=account.municipality_id)
    if municipality.state not in _BILLING_STATES:
        return municipality
    target = _target_state(account, now)
    if target is None or target == municipality.state:
        return municipality
    if (
        not relieve
        and account.past_due_since is not None
        and _SEVERITY[target] < _SEVERITY[municipality.state]  # type: ignore[index]
    ):
        return municipality
    return municipality_set_state(
        municipality=municipality, state=target, actor=ACTOR, reason=_reason_for(target, account)
    )


@transaction.atomic
def billing_apply_lifecycle(
    *, account: BillingAccount, now: dt.datetime | None = None
) -> Municipality:
    """Move the tenant for the passage of time: grace -> read-only -> suspended (daily task)."""
    locked = BillingAccount.objects.select_for_update().get(pk=account.pk)
    return _sync_tenant(locked, now=now or timezone.now(), relieve=True)


# --- webhooks -------------------------------------------------------------------------------


def billing_webhook_process(*, payload: bytes, signature: str) -> WebhookOutcome:
    """Verify, record and apply one Stripe event, once. Any failure answers 500 so that Stripe
    delivers it again; the failure is kept in the event log."""
    try:
        event = stripe_gateway.verify_event(payload, signature)
    except stripe_gateway.SignatureInvalid as exc:
        return WebhookOutcome("invalid", 400, detail=str(exc))
    event_id = str(event["id"])
    WebhookEvent.objects.get_or_create(
        stripe_event_id=event_id,
        defaults={
            "type": str(event.get("type") or ""),
            "created": _ts(event.get("created")) or timezone.now(),
            "livemode": bool(event.get("livemode")),
            "payload": event,
        },
    )
    with transaction.atomic():
        # The row lock makes two simultaneous deliveries of one event take turns.
        row = WebhookEvent.objects.select_for_update().get(stripe_event_id=event_id)
        if row.status in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED):
            return WebhookOutcome("duplicate", 200, event_id, "already handled")
        row.attempts += 1
        try:
            with transaction.atomic():
                status, detail = _dispatch(event)
        except Exception as exc:
            logger.exception("stripe event %s (%s) failed", event_id, row.type)
            row.status = WebhookStatus.FAILED
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.save(update_fields=["status", "attempts", "last_error"])
            return WebhookOutcome("failed", 500, event_id, row.last_error)
        row.status = status
        row.last_error = detail if status == WebhookStatus.IGNORED else ""
        row.processed_at = timezone.now()
        row.save(update_fields=["status", "attempts", "last_error", "processed_at"])
    return WebhookOutcome(status, 200, event_id, detail)


def _account_for(obj: dict[str, Any]) -> BillingAccount | None:
    accounts = BillingAccount.objects.select_for_update()
    customer = _id_of(obj.get("customer"))
    if customer:
        found = accounts.filter(stripe_customer_id=customer).first()
        if found:
            return found
    if obj.get("object") == "subscription":
        found = accounts.filter(stripe_subscription_id=str(obj.get("id"))).first()
        if found:
            return found
    municipality_id = (obj.get("metadata") or {}).get("municipality_id")
    if municipality_id and str(municipality_id).isdigit():
        return accounts.filter(municipality_id=int(municipality_id)).first()
    return None


def _dispatch(event: dict[str, Any]) -> tuple[str, str]:
    kind = str(event.get("type") or "")
    if kind not in _SUBSCRIPTION_EVENTS and kind not in _INVOICE_EVENTS:
        return WebhookStatus.IGNORED, f"not handled: {kind}"
    obj = (event.get("data") or {}).get("object") or {}
    account = _account_for(obj)
    if account is None:
        return WebhookStatus.IGNORED, "no billing account for this customer"
    created = _ts(event.get("created")) or timezone.now()
    detail = "applied"
    if kind in _SUBSCRIPTION_EVENTS:
        subscription_id = str(obj.get("id") or "")
        if account.stripe_subscription_id and subscription_id != account.stripe_subscription_id:
            return WebhookStatus.IGNORED, f"not the account's subscription: {subscription_id}"
        if account.last_event_created is None or created > account.last_event_created:
            _apply_subscription(account, obj, seen_at=created)
        else:
            account.stripe_subscription_id = subscription_id
            _refetch_subscription(account)
            detail = "older than the last applied event: subscription read back from Stripe"
    else:
        _apply_invoice(account, obj)
        if kind in _INVOICE_SETTLING_EVENTS:
            _refetch_subscription(account)
    account.save()
    _sync_tenant(account, now=timezone.now(), relieve=False)
    return WebhookStatus.PROCESSED, detail


# --- manual overrides and the customer portal ------------------------------------------------


def billing_mark_paid_out_of_band(*, invoice: Invoice, actor: str, reason: str) -> Invoice:
    """Record a payment received outside Stripe (a transfer to the vendor's account, a cheque):
    Stripe marks the invoice paid out of band, the tenant returns to active."""
    reason = _require_reason(reason)
    if invoice.status not in _OWED_STATUSES:
        raise InvalidOverride(
            _("ใบแจ้งหนี้ %(number)s ไม่อยู่ในสถานะรอชำระ"),
            number=invoice.number or invoice.stripe_invoice_id,
        )
    try:
        paid = _client().v1.invoices.pay(
            invoice.stripe_invoice_id, params={"paid_out_of_band": True}
        )
    except stripe_gateway.StripeError as exc:
        raise _stripe_failed(exc) from exc
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=invoice.account_id)
        row = _apply_invoice(account, stripe_gateway.to_dict(paid))
        row.paid_out_of_band = True
        row.save(update_fields=["paid_out_of_band", "updated_at"])
        try:
            _refetch_subscription(account)
        except stripe_gateway.StripeError:
            # The invoice is paid on Stripe; the subscription's webhook will bring its status.
            logger.warning("billing: subscription of %s not read back", account.pk, exc_info=True)
        account.save()
        BillingAuditEntry.objects.create(
            account=account,
            actor=actor[:150],
            action="mark_paid",
            reason=reason,
            data={
                "invoice": row.stripe_invoice_id,
                "number": row.number,
                "amount_satang": row.amount_due_satang,
            },
        )
        _sync_tenant(account, now=timezone.now(), relieve=True)
    return row


@transaction.atomic
def billing_extend_grace(
    *,
    account: BillingAccount,
    until: dt.datetime,
    actor: str,
    reason: str,
    now: dt.datetime | None = None,
) -> BillingAccount:
    """Let a past-due municipality keep working until ``until`` (e.g. its budget is approved
    next month); a read-only tenant goes back to grace."""
    reason = _require_reason(reason)
    now = now or timezone.now()
    locked = BillingAccount.objects.select_for_update().get(pk=account.pk)
    if locked.past_due_since is None:
        raise InvalidOverride(_("บัญชีนี้ไม่มียอดค้างชำระ จึงไม่ต้องขยายระยะผ่อนผัน"))
    if until <= now:
        raise InvalidOverride(_("วันที่ขยายระยะผ่อนผันต้องเป็นวันในอนาคต"))
    previous = locked.grace_extended_until
    locked.grace_extended_until = until
    locked.save(update_fields=["grace_extended_until", "updated_at"])
    BillingAuditEntry.objects.create(
        account=locked,
        actor=actor[:150],
        action="extend_grace",
        reason=reason,
        data={"until": until.isoformat(), "previous": previous.isoformat() if previous else None},
    )
    _sync_tenant(locked, now=now, relieve=True)
    return locked


def billing_portal_url(*, municipality: Municipality, return_url: str) -> str:
    """A short-lived link to Stripe's customer portal (invoices, payment details) for the
    tenant admin."""
    account = billing_account_for(municipality=municipality)
    if account is None or not account.stripe_customer_id:
        raise InvalidOverride(_("หน่วยงานนี้ยังไม่มีบัญชีเรียกเก็บเงิน"))
    locale = "en" if translation.get_language() == "en" else "th"
    try:
        session = _client().v1.billing_portal.sessions.create(
            params={
                "customer": account.stripe_customer_id,
                "return_url": return_url,
                "locale": locale,
            }
        )
    except stripe_gateway.StripeError as exc:
        raise _stripe_failed(exc) from exc
    return str(session.url)
