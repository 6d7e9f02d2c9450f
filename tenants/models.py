"""The tenant registry: one Municipality (a PostgreSQL schema) per local government."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants import routing_cache


class OrganisationType(models.TextChoices):
    PAO = "pao", _("องค์การบริหารส่วนจังหวัด (อบจ.)")
    CITY = "city", _("เทศบาลนคร")
    TOWN = "town", _("เทศบาลเมือง")
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality", _("เทศบาลตำบล")
    SAO = "sao", _("องค์การบริหารส่วนตำบล (อบต.)")
    BANGKOK = "bangkok", _("กรุงเทพมหานคร")
    PATTAYA = "pattaya", _("เมืองพัทยา")


class LifecycleState(models.TextChoices):
    TRIAL = "trial", _("ทดลองใช้")
    ACTIVE = "active", _("ใช้งาน")
    GRACE = "grace", _("ผ่อนผันการชำระเงิน")
    READ_ONLY = "read_only", _("อ่านอย่างเดียว")
    SUSPENDED = "suspended", _("ระงับการใช้งาน")
    ARCHIVED = "archived", _("เก็บถาวร")


class OnboardingStatus(models.TextChoices):
    PENDING = "pending", _("รอดำเนินการ")
    RUNNING = "running", _("กำลังดำเนินการ")
    FAILED = "failed", _("ล้มเหลว")
    DONE = "done", _("เสร็จสิ้น")


class Municipality(TenantMixin):
    """A local government. Its registers, staff and letters live in its own schema."""

    name_th = models.CharField(_("ชื่อ (ภาษาไทย)"), max_length=200)
    name_en = models.CharField(_("ชื่อ (ภาษาอังกฤษ)"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("ประเภทองค์กร"), max_length=32, choices=OrganisationType.choices
    )
    province = models.CharField(_("จังหวัด"), max_length=100)
    district = models.CharField(_("อำเภอ/เขต"), max_length=100, blank=True)
    dla_code = models.CharField(
        _("รหัส อปท. (กรมส่งเสริมการปกครองท้องถิ่น)"), max_length=8, unique=True, null=True, blank=True
    )
    slug = models.SlugField(_("โดเมนย่อย"), max_length=40, unique=True)
    letter_code_prefix = models.CharField(
        _("รหัสตัวพยัญชนะและเลขประจำหน่วยงาน"), max_length=32, help_text=_("เช่น ตร 52301")
    )
    officer_name = models.CharField(_("ชื่อผู้รับผิดชอบ"), max_length=200)
    officer_phone = models.CharField(_("โทรศัพท์ผู้รับผิดชอบ"), max_length=20)
    admin_email = models.EmailField(_("อีเมลผู้ดูแลระบบคนแรก"))
    admin_name = models.CharField(_("ชื่อผู้ดูแลระบบคนแรก"), max_length=200, blank=True)
    # Custom domains asked for at onboarding; the domains step creates their Domain rows.
    requested_domains = models.JSONField(default=list, blank=True)
    state = models.CharField(
        _("สถานะ"), max_length=16, choices=LifecycleState.choices, default=LifecycleState.TRIAL
    )
    onboarding_status = models.CharField(
        _("สถานะการเริ่มใช้งาน"),
        max_length=16,
        choices=OnboardingStatus.choices,
        default=OnboardingStatus.PENDING,
    )
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)
    updated_at = models.DateTimeField(_("แก้ไขเมื่อ"), auto_now=True)
    archived_at = models.DateTimeField(_("เก็บถาวรเมื่อ"), null=True, blank=True)

    # Schemas are created by onboarding from the tenant template, never by save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("เทศบาล/อปท.")
        verbose_name_plural = _("เทศบาล/อปท.")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th or self.schema_name

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    @property
    def accepts_changes(self) -> bool:
        """Whether staff may change data (read-only and later states only read and receive)."""
        return self.state in {LifecycleState.TRIAL, LifecycleState.ACTIVE, LifecycleState.GRACE}

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _invalidate_routing_after_commit()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        _invalidate_routing_after_commit()
        return result


def _invalidate_routing_after_commit() -> None:
    """Tell every process to forget its cached hosts once the change is visible to them.

    Invalidating before the commit lets another process reload the old row in between and cache
    it under the new generation, where it would stay (a read-only state not taking effect)."""
    routing_cache.forget_local()  # this connection already sees the change
    transaction.on_commit(routing_cache.invalidate)


class Domain(DomainMixin):
    """A host name that serves a tenant: the primary <slug>.<PLATFORM_DOMAIN> or a custom one."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("โดเมน")
        verbose_name_plural = _("โดเมน")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = str(self.domain).lower().strip(".")  # type: ignore[has-type]
        super().save(*args, **kwargs)
        _invalidate_routing_after_commit()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        _invalidate_routing_after_commit()
        return result


class OnboardingStep(models.Model):
    """The recorded state of one onboarding step of one municipality (resumable, idempotent)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="onboarding_steps"
    )
    name = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=OnboardingStatus.choices, default=OnboardingStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["municipality", "position"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="onboarding_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality.slug}:{self.name}={self.status}"


class LifecycleEvent(models.Model):
    """Every change of a municipality's lifecycle state: who, when, why (append-only)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="lifecycle_events"
    )
    from_state = models.CharField(max_length=16, choices=LifecycleState.choices)
    to_state = models.CharField(max_length=16, choices=LifecycleState.choices)
    actor = models.CharField(max_length=150, help_text="vendor user name, or 'system'")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.from_state} -> {self.to_state}"


class SchemaTemplate(models.Model):
    """The DDL of a fully migrated tenant schema, keyed by the migration state it reflects."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.fingerprint[:12]


class SpareSchema(models.Model):
    """A ready-made tenant schema waiting to be renamed to a new municipality's schema."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name


class ConsoleActionKind(models.TextChoices):
    RESEND_INVITATION = "resend_invitation", _("ส่งอีเมลเชิญอีกครั้ง")
    SUSPEND = "suspend", _("ระงับการใช้งาน")
    RESUME = "resume", _("เปิดใช้งานอีกครั้ง")
    ARCHIVE = "archive", _("เก็บถาวร")
    ONBOARDING_START = "onboarding_start", _("เริ่มการเริ่มใช้งาน")
    ONBOARDING_RETRY = "onboarding_retry", _("ลองขั้นตอนที่ล้มเหลวอีกครั้ง")


class ConsoleAction(models.Model):
    """What vendor staff did to a municipality from the console: who, what, why (append-only).

    State changes are also LifecycleEvents; this log covers every action, including those that
    change no state (a resent invitation, a retried onboarding step)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="console_actions"
    )
    kind = models.CharField(_("การดำเนินการ"), max_length=32, choices=ConsoleActionKind.choices)
    actor = models.CharField(_("ผู้ดำเนินการ"), max_length=150)
    reason = models.TextField(_("เหตุผล"))
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("เมื่อ"), auto_now_add=True)

    class Meta:
        verbose_name = _("การดำเนินการในคอนโซล")
        verbose_name_plural = _("การดำเนินการในคอนโซล")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="console_action_recent")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.kind} by {self.actor}"


class TenantUsage(models.Model):
    """A municipality's usage, computed in its own schema by a periodic task (tenants.usage).

    The console reads this table: counting letters across thousands of schemas on page load
    would be one query per schema."""

    # Derived data, rebuilt by the next run: it goes with its municipality.
    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="usage"
    )
    year = models.PositiveSmallIntegerField(help_text="Gregorian year the letter count covers")
    letters_this_year = models.PositiveIntegerField(_("หนังสือในปีนี้"), default=0)
    files_bytes = models.BigIntegerField(_("ขนาดไฟล์ (ไบต์)"), default=0)
    database_bytes = models.BigIntegerField(_("ขนาดฐานข้อมูล (ไบต์)"), default=0)
    computed_at = models.DateTimeField(_("คำนวณเมื่อ"))

    class Meta:
        verbose_name = _("การใช้งานของหน่วยงาน")
        verbose_name_plural = _("การใช้งานของหน่วยงาน")

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.letters_this_year} letters"

    @property
    def storage_bytes(self) -> int:
        return self.files_bytes + self.database_bytes
