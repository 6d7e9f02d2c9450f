"""Reads of billing state. Tenant-plane code (banner, invoices page) reads billing only here."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from billing.models import (
    BillingAccount,
    Invoice,
    InvoiceStatus,
    PlanInterval,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)
from tenants.models import LifecycleState, Municipality
from thaiformat.dates import format_thai_date, to_bangkok

# Paying subscriptions (past_due still counts: the money is owed, not lost).
_REVENUE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
# The trial banner appears this many days before the trial ends.
_TRIAL_NOTICE_DAYS = 14


@dataclasses.dataclass(frozen=True)
class BillingBanner:
    level: str  # "info" | "warning" | "danger"
    message_th: str
    message_en: str
    amount_due_satang: int
    due_date: dt.date | None
    read_only_on: dt.date | None
    pay_url: str | None

    @property
    def message(self) -> str:
        """The message in the active language (Thai unless English is chosen)."""
        return self.message_en if translation.get_language() == "en" else self.message_th


def billing_account_for(*, municipality: Municipality) -> BillingAccount | None:
    return BillingAccount.objects.select_related("plan").filter(municipality=municipality).first()


def invoices_for(*, municipality: Municipality) -> QuerySet[Invoice]:
    """The municipality's invoices, newest first (drafts are Stripe's work in progress)."""
    return Invoice.objects.filter(account__municipality=municipality).exclude(
        status=InvoiceStatus.DRAFT
    )


def accounts_overdue() -> QuerySet[BillingAccount]:
    """Accounts past due, the longest overdue first."""
    return (
        BillingAccount.objects.select_related("municipality", "plan")
        .filter(past_due_since__isnull=False)
        .order_by("past_due_since")
    )


def monthly_recurring_revenue_satang() -> int:
    """What paying subscriptions bring in per month; a yearly plan counts as a twelfth."""
    total = 0.0
    accounts = BillingAccount.objects.select_related("plan").filter(
        subscription_status__in=_REVENUE_STATUSES, plan__isnull=False
    )
    for account in accounts:
        assert account.plan is not None
        amount = account.plan.amount_satang
        total += amount if account.plan.interval == PlanInterval.MONTH else amount / 12
    return round(total)


def grace_ends_at(account: BillingAccount) -> dt.datetime | None:
    """When a past-due account turns read-only (its own grace days or the setting, or the
    vendor's extension, whichever is later); None when nothing is past due."""
    if account.past_due_since is None:
        return None
    days = account.grace_days if account.grace_days is not None else settings.BILLING_GRACE_DAYS
    ends = account.past_due_since + dt.timedelta(days=days)
    if account.grace_extended_until and account.grace_extended_until > ends:
        ends = account.grace_extended_until
    return ends


def suspension_at(account: BillingAccount) -> dt.datetime | None:
    ends = grace_ends_at(account)
    if ends is None:
        return None
    return ends + dt.timedelta(days=settings.BILLING_SUSPEND_AFTER_DAYS)


def _oldest_open_invoice(account: BillingAccount) -> Invoice | None:
    return (
        account.invoices.filter(status=InvoiceStatus.OPEN)
        .order_by("due_date", "stripe_created")
        .first()
    )


def _baht(satang: int) -> str:
    return f"{satang / 100:,.2f}"


def _date_en(value: dt.date) -> str:
    return f"{value.day} {value:%B} {value.year}"


def _bangkok_date(value: dt.datetime | None) -> dt.date | None:
    return to_bangkok(value).date() if value else None


def _both(message: object, **params: object) -> tuple[str, str]:
    texts = []
    for language in ("th", "en"):
        with translation.override(language):
            values = {
                k: (_date_en(v) if language == "en" else format_thai_date(v))
                if isinstance(v, dt.date)
                else v
                for k, v in params.items()
            }
            texts.append(str(message) % values)
    return texts[0], texts[1]


def billing_banner_for(
    *, municipality: Municipality, now: dt.datetime | None = None
) -> BillingBanner | None:
    """What staff should be told about payment, or None when there is nothing to say."""
    account = billing_account_for(municipality=municipality)
    if account is None:
        return None
    now = now or timezone.now()
    invoice = _oldest_open_invoice(account)
    amount = account.amount_due_satang
    due = _bangkok_date(invoice.due_date) if invoice else None
    pay_url = (invoice.hosted_invoice_url or None) if invoice else None
    read_only_on = _bangkok_date(grace_ends_at(account))
    state = municipality.state
    level: str
    if state == LifecycleState.SUSPENDED:
        level = "danger"
        th, en = _both(
            _(
                "ระงับการใช้งานเนื่องจากค้างชำระค่าบริการ %(amount)s บาท "
                "ส่งออกข้อมูลได้และชำระเงินเพื่อเปิดใช้งานอีกครั้ง"
            ),
            amount=_baht(amount),
        )
    elif state == LifecycleState.READ_ONLY:
        level = "danger"
        th, en = _both(
            _(
                "ระบบอยู่ในสถานะอ่านอย่างเดียวเนื่องจากค้างชำระค่าบริการ %(amount)s บาท "
                "ยังรับหนังสือได้ตามปกติ กรุณาชำระเงินเพื่อใช้งานเต็มรูปแบบ"
            ),
            amount=_baht(amount),
        )
    elif state == LifecycleState.GRACE and read_only_on is not None:
        level = "warning"
        th, en = _both(
            _(
                "ค้างชำระค่าบริการ %(amount)s บาท กรุณาชำระภายในวันที่ %(date)s "
                "มิฉะนั้นระบบจะเปลี่ยนเป็นอ่านอย่างเดียว"
            ),
            amount=_baht(amount),
            date=read_only_on,
        )
    elif invoice is not None and due is not None and amount > 0:
        level = "info"
        th, en = _both(
            _("มีใบแจ้งหนี้ค่าบริการ %(amount)s บาท ครบกำหนดชำระวันที่ %(date)s"),
            amount=_baht(amount),
            date=due,
        )
    elif (
        state == LifecycleState.TRIAL
        and account.trial_end is not None
        and now <= account.trial_end <= now + dt.timedelta(days=_TRIAL_NOTICE_DAYS)
    ):
        level = "info"
        trial_end = _bangkok_date(account.trial_end)
        th, en = _both(
            _("ระยะทดลองใช้สิ้นสุดวันที่ %(date)s หลังจากนั้นจะมีใบแจ้งหนี้ค่าบริการ"),
            date=trial_end,
        )
    else:
        return None
    return BillingBanner(
        level=level,
        message_th=th,
        message_en=en,
        amount_due_satang=amount,
        due_date=due,
        read_only_on=read_only_on if state == LifecycleState.GRACE else None,
        pay_url=pay_url,
    )


def webhook_failures_of(*, municipality: Municipality, limit: int = 10) -> QuerySet[WebhookEvent]:
    """Stripe events about the municipality's customer that failed to apply (console feed)."""
    account = billing_account_for(municipality=municipality)
    if account is None or not account.stripe_customer_id:
        return WebhookEvent.objects.none()
    return WebhookEvent.objects.filter(
        status=WebhookStatus.FAILED,
        payload__data__object__customer=account.stripe_customer_id,
    ).order_by("-received_at")[:limit]


def webhook_failures_since(since: dt.datetime) -> QuerySet[WebhookEvent]:
    return WebhookEvent.objects.filter(status=WebhookStatus.FAILED, received_at__gte=since)
