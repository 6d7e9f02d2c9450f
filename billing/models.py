"""Billing in the control plane (public schema): plans, one Stripe account per municipality,
invoices, the webhook log and the audit of manual overrides.

Tenant-plane code never imports these models: it reads billing through ``billing.selectors``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Municipality, OrganisationType


class PlanInterval(models.TextChoices):
    MONTH = "month", _("รายเดือน")
    YEAR = "year", _("รายปี")


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, spelled as Stripe spells them ("" = none yet)."""

    NONE = "", _("ยังไม่มี")
    TRIALING = "trialing", _("ทดลองใช้")
    ACTIVE = "active", _("ใช้งาน")
    PAST_DUE = "past_due", _("ค้างชำระ")
    UNPAID = "unpaid", _("ไม่ชำระ")
    CANCELED = "canceled", _("ยกเลิกแล้ว")
    INCOMPLETE = "incomplete", _("ยังไม่สมบูรณ์")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("หมดอายุก่อนสมบูรณ์")
    PAUSED = "paused", _("หยุดชั่วคราว")


class SyncStatus(models.TextChoices):
    OK = "ok", _("เชื่อมต่อแล้ว")
    PENDING = "pending", _("รอเชื่อมต่อ")
    FAILED = "failed", _("เชื่อมต่อไม่สำเร็จ")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    OPEN = "open", _("รอชำระ")
    PAID = "paid", _("ชำระแล้ว")
    VOID = "void", _("ยกเลิก")
    UNCOLLECTIBLE = "uncollectible", _("เก็บเงินไม่ได้")


class WebhookStatus(models.TextChoices):
    PROCESSED = "processed", _("ประมวลผลแล้ว")
    IGNORED = "ignored", _("ข้าม")
    FAILED = "failed", _("ล้มเหลว")


class Plan(models.Model):
    """A price list entry: per organisation type and size, in THB, monthly or yearly."""

    code = models.SlugField(_("รหัสแผน"), max_length=64, unique=True)
    name_th = models.CharField(_("ชื่อแผน (ภาษาไทย)"), max_length=200)
    name_en = models.CharField(_("ชื่อแผน (ภาษาอังกฤษ)"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("ประเภทองค์กร"),
        max_length=32,
        choices=OrganisationType.choices,
        blank=True,
        help_text=_("เว้นว่าง = ทุกประเภท"),
    )
    size_label = models.CharField(
        _("ขนาด"), max_length=100, blank=True, help_text=_("เช่น ไม่เกิน 50 ผู้ใช้")
    )
    interval = models.CharField(
        _("รอบการเรียกเก็บ"), max_length=8, choices=PlanInterval.choices, default=PlanInterval.YEAR
    )
    amount_satang = models.PositiveIntegerField(_("ราคา (สตางค์)"), help_text=_("บาท x 100"))
    trial_days = models.PositiveIntegerField(_("ระยะทดลองใช้ (วัน)"), default=60)
    stripe_price_id = models.CharField(_("รหัสราคาใน Stripe"), max_length=255, blank=True)
    active = models.BooleanField(_("เปิดขาย"), default=True)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)
    updated_at = models.DateTimeField(_("แก้ไขเมื่อ"), auto_now=True)

    class Meta:
        verbose_name = _("แผนราคา")
        verbose_name_plural = _("แผนราคา")
        ordering = ["organisation_type", "amount_satang", "code"]

    def __str__(self) -> str:
        return self.name_th or self.code


class BillingAccount(models.Model):
    """A municipality's standing with Stripe: its customer, subscription and what it owes."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="billing_account",
        verbose_name=_("หน่วยงาน"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("แผนราคา"),
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    subscription_status = models.CharField(
        _("สถานะการสมัครใช้"),
        max_length=32,
        choices=SubscriptionStatus.choices,
        blank=True,
        default=SubscriptionStatus.NONE,
    )
    collection_method = models.CharField(max_length=32, blank=True, default="send_invoice")
    current_period_end = models.DateTimeField(_("สิ้นสุดรอบปัจจุบัน"), null=True, blank=True)
    trial_end = models.DateTimeField(_("สิ้นสุดการทดลองใช้"), null=True, blank=True)
    past_due_since = models.DateTimeField(_("ค้างชำระตั้งแต่"), null=True, blank=True)
    grace_days = models.PositiveIntegerField(
        _("ระยะผ่อนผัน (วัน)"),
        null=True,
        blank=True,
        help_text=_("เว้นว่าง = ตามค่าตั้งระบบ BILLING_GRACE_DAYS"),
    )
    grace_extended_until = models.DateTimeField(_("ขยายระยะผ่อนผันถึง"), null=True, blank=True)
    amount_due_satang = models.PositiveIntegerField(_("ยอดค้างชำระ (สตางค์)"), default=0)
    currency = models.CharField(max_length=3, default="thb")
    # Stripe's `created` of the newest event or object applied here: older ones never win.
    last_event_created = models.DateTimeField(null=True, blank=True)
    sync_status = models.CharField(
        _("สถานะการเชื่อมต่อ Stripe"),
        max_length=16,
        choices=SyncStatus.choices,
        default=SyncStatus.PENDING,
    )
    sync_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("แก้ไขเมื่อ"), auto_now=True)

    class Meta:
        verbose_name = _("บัญชีเรียกเก็บเงิน")
        verbose_name_plural = _("บัญชีเรียกเก็บเงิน")
        ordering = ["municipality__name_th"]

    def __str__(self) -> str:
        return f"{self.municipality} ({self.subscription_status or '-'})"


class Invoice(models.Model):
    """A Stripe invoice as last seen (webhook or re-fetch). Amounts in satang."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(_("เลขที่ใบแจ้งหนี้"), max_length=64, blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    amount_due_satang = models.PositiveIntegerField(_("ยอดที่ต้องชำระ (สตางค์)"), default=0)
    amount_paid_satang = models.PositiveIntegerField(_("ยอดที่ชำระแล้ว (สตางค์)"), default=0)
    due_date = models.DateTimeField(_("ครบกำหนดชำระ"), null=True, blank=True)
    hosted_invoice_url = models.URLField(max_length=1000, blank=True)
    invoice_pdf = models.URLField(max_length=1000, blank=True)
    paid_out_of_band = models.BooleanField(_("ชำระนอกระบบ"), default=False)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    stripe_created = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ใบแจ้งหนี้")
        verbose_name_plural = _("ใบแจ้งหนี้")
        ordering = ["-stripe_created", "-id"]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id


class WebhookEvent(models.Model):
    """Every Stripe event received, kept for the vendor to read; the id makes processing once-only."""

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    created = models.DateTimeField(help_text="Stripe's event time")
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=WebhookStatus.choices, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("เหตุการณ์จาก Stripe")
        verbose_name_plural = _("เหตุการณ์จาก Stripe")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.stripe_event_id} {self.type} ({self.status or '-'})"


class BillingAuditEntry(models.Model):
    """Manual overrides and other billing decisions: who, what, why (append-only)."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.CharField(_("ผู้ดำเนินการ"), max_length=150)
    action = models.CharField(_("การดำเนินการ"), max_length=32)
    reason = models.TextField(_("เหตุผล"))
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("เมื่อ"), auto_now_add=True)

    class Meta:
        verbose_name = _("บันทึกการดำเนินการด้านการเงิน")
        verbose_name_plural = _("บันทึกการดำเนินการด้านการเงิน")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.action} by {self.actor}"
