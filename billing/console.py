"""Billing in the vendor console: accounts per municipality, the overdue list, monthly recurring
revenue, plans, invoices, the Stripe event log, and the manual overrides (extend grace, mark an
invoice paid out of band), each with a reason and an audit entry written by billing.services.

Registered on ``tenants.console.vendor_console``; loaded by the admin's autodiscovery through
``billing/admin.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from billing import selectors, services
from billing.errors import BillingError
from billing.models import (
    BillingAccount,
    BillingAuditEntry,
    Invoice,
    InvoiceStatus,
    Plan,
    WebhookEvent,
)
from billing.templatetags.billing_ui import format_baht
from tenants.console import vendor_console
from tenants.models import LifecycleState
from thaiformat.dates import BANGKOK, format_thai_date
from thaiformat.forms import BEDateField


def _actor(request: HttpRequest) -> str:
    user: Any = request.user
    return f"vendor:{user.get_username()}"


def _date(value: dt.date | dt.datetime | None) -> str:
    return format_thai_date(value) if value else "-"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only Stripe or the services write: the console shows them, never edits."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- manual overrides -----------------------------------------------------------------------


class ExtendGraceForm(forms.Form):
    until = BEDateField(
        label=_("ขยายระยะผ่อนผันถึงวันที่"),
        help_text=_("วัน/เดือน/ปี พ.ศ. เช่น 31/12/2569 ถึงสิ้นวันนั้นตามเวลาประเทศไทย"),
    )
    reason = forms.CharField(
        label=_("เหตุผล"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("เช่น งบประมาณอนุมัติแล้ว รอเบิกจ่ายภายในเดือนหน้า"),
    )

    def until_datetime(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["until"]
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=BANGKOK)


class MarkPaidForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลและหลักฐานการชำระ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("เช่น โอนเข้าบัญชีบริษัท วันที่ เลขที่อ้างอิง"),
    )


def _override_page(
    request: HttpRequest, *, title: str, form: forms.Form, subject: Any, facts: list[Any]
) -> HttpResponse:
    context = {
        **vendor_console.each_context(request),
        "title": title,
        "form": form,
        "subject": subject,
        "facts": facts,
    }
    return render(request, "console/billing/override.html", context)


def _mark_paid_link(invoice: Invoice) -> SafeString | str:
    if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
        return "-"
    url = reverse("console:billing_invoice_mark_paid", args=[invoice.pk])
    return format_html('<a href="{}">{}</a>', url, _("บันทึกว่าชำระแล้ว"))


# --- plans ----------------------------------------------------------------------------------


@admin.register(Plan, site=vendor_console)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_th",
        "organisation_type",
        "size_label",
        "interval",
        "price",
        "trial_days",
        "stripe_price_id",
        "active",
    )
    list_filter = ("active", "interval", "organisation_type")
    search_fields = ("code", "name_th", "name_en")
    readonly_fields = ("stripe_price_id", "created_at", "updated_at")
    actions = ("sync_to_stripe",)

    @admin.display(description=_("ราคา"), ordering="amount_satang")
    def price(self, plan: Plan) -> str:
        return format_baht(plan.amount_satang)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts point at plans; stop selling one by unticking "active"

    @admin.action(description=_("ส่งแผนราคาไปที่ Stripe (สร้างหรือปรับราคา)"))
    def sync_to_stripe(self, request: HttpRequest, queryset: QuerySet[Plan]) -> None:
        for plan in queryset:
            try:
                services.plan_sync_to_stripe(plan=plan)
            except BillingError as error:
                self.message_user(request, f"{plan.code}: {error.text()}", level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(code)s: ราคาใน Stripe คือ %(price)s")
                    % {"code": plan.code, "price": plan.stripe_price_id},
                )


# --- accounts -------------------------------------------------------------------------------


class InvoiceInline(admin.TabularInline):
    model = Invoice
    extra = 0
    can_delete = False
    fields = ("number", "status", "amount", "due", "paid_out_of_band", "pay")
    readonly_fields = fields
    ordering = ("-stripe_created", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("จำนวนเงิน"))
    def amount(self, invoice: Invoice) -> str:
        return format_baht(invoice.amount_due_satang)

    @admin.display(description=_("ครบกำหนดชำระ"))
    def due(self, invoice: Invoice) -> str:
        return _date(invoice.due_date)

    @admin.display(description=_("ชำระนอกระบบ"))
    def pay(self, invoice: Invoice) -> SafeString | str:
        return _mark_paid_link(invoice)


class AuditInline(admin.TabularInline):
    model = BillingAuditEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "action", "reason", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _accounts_with_next_invoice(queryset: QuerySet[BillingAccount]) -> QuerySet[BillingAccount]:
    """Each account with its oldest open invoice's due date and amount (one query)."""
    oldest_open = Invoice.objects.filter(
        account=OuterRef("pk"), status=InvoiceStatus.OPEN
    ).order_by("due_date", "stripe_created")
    return queryset.select_related("municipality", "plan").annotate(
        next_due=Subquery(oldest_open.values("due_date")[:1]),
        next_amount=Subquery(oldest_open.values("amount_due_satang")[:1]),
    )


@admin.register(BillingAccount, site=vendor_console)
class BillingAccountAdmin(ReadOnlyAdmin):
    list_display = (
        "municipality",
        "plan",
        "subscription_status",
        "tenant_state",
        "next_invoice",
        "amount_overdue",
        "grace_ends",
        "sync_status",
    )
    list_filter = ("subscription_status", "municipality__state", "sync_status", "plan")
    search_fields = ("municipality__name_th", "municipality__slug", "stripe_customer_id")
    readonly_fields = (
        "municipality",
        "plan",
        "subscription_status",
        "tenant_state",
        "stripe_customer_id",
        "stripe_subscription_id",
        "collection_method",
        "trial_end",
        "current_period_end",
        "past_due_since",
        "grace_days",
        "grace_extended_until",
        "grace_ends",
        "amount_due",
        "sync_status",
        "sync_error",
        "updated_at",
    )
    fields = readonly_fields
    inlines = (InvoiceInline, AuditInline)
    change_list_template = "console/billing/account_changelist.html"
    change_form_template = "console/billing/account_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[BillingAccount]:
        return _accounts_with_next_invoice(super().get_queryset(request))

    @admin.display(description=_("สถานะของระบบ"), ordering="municipality__state")
    def tenant_state(self, account: BillingAccount) -> str:
        return str(account.municipality.get_state_display())

    @admin.display(description=_("ใบแจ้งหนี้ถัดไป"))
    def next_invoice(self, account: BillingAccount) -> str:
        due = getattr(account, "next_due", None)
        if due is not None:
            amount = format_baht(getattr(account, "next_amount", 0))
            return f"{amount} · {_date(due)}"
        if account.current_period_end:
            return _("รอบถัดไป %(date)s") % {"date": _date(account.current_period_end)}
        return "-"

    @admin.display(description=_("ยอดค้างชำระ"), ordering="amount_due_satang")
    def amount_overdue(self, account: BillingAccount) -> str:
        if account.past_due_since is None:
            return "-"
        days = (timezone.now() - account.past_due_since).days
        return _("%(amount)s (%(days)s วัน)") % {
            "amount": format_baht(account.amount_due_satang),
            "days": days,
        }

    @admin.display(description=_("ยอดค้างชำระ"))
    def amount_due(self, account: BillingAccount) -> str:
        return format_baht(account.amount_due_satang)

    @admin.display(description=_("สิ้นสุดระยะผ่อนผัน"))
    def grace_ends(self, account: BillingAccount) -> str:
        return _date(selectors.grace_ends_at(account))

    def get_urls(self) -> list[Any]:
        view = vendor_console.admin_view
        return [
            path("overview/", view(self.overview_view), name="billing_overview"),
            path("overdue/", view(self.overdue_view), name="billing_overdue"),
            path(
                "<int:pk>/extend-grace/",
                view(self.extend_grace_view),
                name="billing_account_extend_grace",
            ),
            *super().get_urls(),
        ]

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        accounts = BillingAccount.objects.all()
        overdue = selectors.accounts_overdue()
        mrr = selectors.monthly_recurring_revenue_satang()
        context = {
            **vendor_console.each_context(request),
            "title": _("ภาพรวมรายได้และการชำระเงิน"),
            "mrr": format_baht(mrr),
            "arr": format_baht(mrr * 12),
            "overdue_count": overdue.count(),
            "overdue_total": format_baht(
                overdue.aggregate(total=Sum("amount_due_satang"))["total"] or 0
            ),
            "by_status": accounts.values("subscription_status")
            .annotate(n=Count("pk"))
            .order_by("subscription_status"),
            "by_state": [
                (LifecycleState(row["municipality__state"]).label, row["n"])
                for row in accounts.values("municipality__state")
                .annotate(n=Count("pk"))
                .order_by("municipality__state")
            ],
            "sync_problems": accounts.exclude(sync_status="ok").count(),
        }
        return render(request, "console/billing/overview.html", context)

    def overdue_view(self, request: HttpRequest) -> HttpResponse:
        now = timezone.now()
        rows = [
            {
                "account": account,
                "amount": format_baht(account.amount_due_satang),
                "since": _date(account.past_due_since),
                "days": (now - account.past_due_since).days if account.past_due_since else 0,
                "grace_ends": _date(selectors.grace_ends_at(account)),
                "state": account.municipality.get_state_display(),
            }
            for account in selectors.accounts_overdue()
        ]
        context = {
            **vendor_console.each_context(request),
            "title": _("หน่วยงานที่ค้างชำระ"),
            "rows": rows,
        }
        return render(request, "console/billing/overdue.html", context)

    def extend_grace_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = get_object_or_404(BillingAccount.objects.select_related("municipality"), pk=pk)
        form = ExtendGraceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.billing_extend_grace(
                    account=account,
                    until=form.until_datetime(),
                    actor=_actor(request),
                    reason=form.cleaned_data["reason"],
                )
            except BillingError as error:
                form.add_error(None, error.text())
            else:
                messages.success(
                    request,
                    _("ขยายระยะผ่อนผันของ %(name)s ถึง %(date)s แล้ว")
                    % {"name": account.municipality, "date": _date(form.cleaned_data["until"])},
                )
                return HttpResponseRedirect(
                    reverse("console:billing_billingaccount_change", args=[account.pk])
                )
        facts = [
            (_("ยอดค้างชำระ"), format_baht(account.amount_due_satang)),
            (_("ค้างชำระตั้งแต่"), _date(account.past_due_since)),
            (_("สิ้นสุดระยะผ่อนผัน"), _date(selectors.grace_ends_at(account))),
            (_("สถานะของระบบ"), account.municipality.get_state_display()),
        ]
        return _override_page(
            request,
            title=str(_("ขยายระยะผ่อนผัน: %(name)s") % {"name": account.municipality}),
            form=form,
            subject=account,
            facts=facts,
        )


# --- invoices, events, audit ------------------------------------------------------------------


@admin.register(Invoice, site=vendor_console)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "account",
        "status",
        "amount",
        "due",
        "paid_out_of_band",
        "mark_paid_link",
    )
    list_filter = ("status", "paid_out_of_band")
    search_fields = ("number", "stripe_invoice_id", "account__municipality__name_th")
    list_select_related = ("account__municipality",)

    @admin.display(description=_("จำนวนเงิน"), ordering="amount_due_satang")
    def amount(self, invoice: Invoice) -> str:
        return format_baht(invoice.amount_due_satang)

    @admin.display(description=_("ครบกำหนดชำระ"), ordering="due_date")
    def due(self, invoice: Invoice) -> str:
        return _date(invoice.due_date)

    @admin.display(description=_("ชำระนอกระบบ"))
    def mark_paid_link(self, invoice: Invoice) -> SafeString | str:
        return _mark_paid_link(invoice)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/mark-paid/",
                vendor_console.admin_view(self.mark_paid_view),
                name="billing_invoice_mark_paid",
            ),
            *super().get_urls(),
        ]

    def mark_paid_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = get_object_or_404(Invoice.objects.select_related("account__municipality"), pk=pk)
        form = MarkPaidForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.billing_mark_paid_out_of_band(
                    invoice=invoice, actor=_actor(request), reason=form.cleaned_data["reason"]
                )
            except BillingError as error:
                form.add_error(None, error.text())
            else:
                messages.success(
                    request, _("บันทึกว่าใบแจ้งหนี้ %(number)s ชำระแล้ว") % {"number": invoice}
                )
                return HttpResponseRedirect(
                    reverse("console:billing_billingaccount_change", args=[invoice.account_id])
                )
        facts = [
            (_("หน่วยงาน"), invoice.account.municipality),
            (_("จำนวนเงิน"), format_baht(invoice.amount_due_satang)),
            (_("ครบกำหนดชำระ"), _date(invoice.due_date)),
            (_("สถานะ"), invoice.get_status_display()),
        ]
        return _override_page(
            request,
            title=str(_("บันทึกการชำระนอกระบบ: ใบแจ้งหนี้ %(number)s") % {"number": invoice}),
            form=form,
            subject=invoice,
            facts=facts,
        )


@admin.register(WebhookEvent, site=vendor_console)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "type", "status", "attempts", "stripe_event_id", "livemode")
    list_filter = ("status", "type", "livemode")
    search_fields = ("stripe_event_id", "type")
    date_hierarchy = "received_at"
    fields = (
        "stripe_event_id",
        "type",
        "status",
        "created",
        "received_at",
        "processed_at",
        "attempts",
        "last_error",
        "livemode",
        "payload_pretty",
    )
    readonly_fields = fields

    @admin.display(description=_("ข้อมูลเหตุการณ์ (JSON)"))
    def payload_pretty(self, event: WebhookEvent) -> SafeString:
        text = json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)


@admin.register(BillingAuditEntry, site=vendor_console)
class BillingAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "action", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("account__municipality__name_th", "actor", "reason")
    list_select_related = ("account__municipality",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_staff", False))
