"""Per-tenant backups in the control plane: fleet runs, one backup per tenant and run, its copy
in each region, and every restore with its verification."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Municipality


class BackupKind(models.TextChoices):
    DAILY = "daily", _("ประจำวัน")
    MANUAL = "manual", _("สั่งเอง")
    DRILL = "drill", _("ซ้อมกู้คืน")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("กำลังทำงาน")
    SUCCEEDED = "succeeded", _("สำเร็จ")
    PARTIAL = "partial", _("สำเร็จบางส่วน")
    FAILED = "failed", _("ล้มเหลว")


class BackupStatus(models.TextChoices):
    RUNNING = "running", _("กำลังสำรอง")
    STAGED = "staged", _("เตรียมไว้ในเครื่องแล้ว")
    COMPLETE = "complete", _("ครบทุกภูมิภาค")
    PARTIAL = "partial", _("ยังไม่ครบทุกภูมิภาค")
    FAILED = "failed", _("ล้มเหลว")


class CopyStatus(models.TextChoices):
    PENDING = "pending", _("รอส่ง")
    UPLOADING = "uploading", _("กำลังส่ง")
    COMPLETE = "complete", _("ครบถ้วน")
    FAILED = "failed", _("ล้มเหลว")


class RestoreMode(models.TextChoices):
    FRESH = "fresh", _("กู้คืนเป็นสคีมาใหม่")
    REPLACE = "replace", _("แทนที่ข้อมูลที่ใช้งานอยู่")
    DRILL = "drill", _("ซ้อมกู้คืน")
    LETTER_FILES = "letter_files", _("ไฟล์ของหนังสือฉบับเดียว")


class RestoreStatus(models.TextChoices):
    RUNNING = "running", _("กำลังกู้คืน")
    SUCCEEDED = "succeeded", _("สำเร็จ")
    FAILED = "failed", _("ล้มเหลว")


class BackupRun(models.Model):
    """One pass over the fleet (daily or manual) or a drill; progress updated as tenants finish."""

    kind = models.CharField(_("ชนิด"), max_length=16, choices=BackupKind.choices)
    started_at = models.DateTimeField(_("เริ่มเมื่อ"), default=timezone.now)
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    total = models.PositiveIntegerField(_("ทั้งหมด"), default=0)
    done = models.PositiveIntegerField(_("สำเร็จ"), default=0)
    failed = models.PositiveIntegerField(_("ล้มเหลว"), default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("รอบการสำรองข้อมูล")
        verbose_name_plural = _("รอบการสำรองข้อมูล")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def remaining(self) -> int:
        return max(self.total - self.done - self.failed, 0)


class TenantBackup(models.Model):
    """A consistent snapshot of one tenant's schema and files, described by its manifest."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="backups")
    run = models.ForeignKey(
        BackupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="backups"
    )
    created_at = models.DateTimeField(_("สร้างเมื่อ"), default=timezone.now)
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=BackupStatus.choices, default=BackupStatus.RUNNING
    )
    format_version = models.PositiveSmallIntegerField(default=1)
    # tenants/<slug>/backups/<YYYYmmddTHHMMSSZ>-<id>/ in every region.
    key_prefix = models.CharField(max_length=300, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.BigIntegerField(_("ขนาด (ไบต์)"), default=0)
    # The local folder holding the parts until every region has them ("" once removed).
    staging_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    # Which retention classes keep this backup, e.g. ["daily", "monthly"] (set by retention).
    retention_tags = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("ข้อมูลสำรองของหน่วยงาน")
        verbose_name_plural = _("ข้อมูลสำรองของหน่วยงาน")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="backup_tenant_created"),
            models.Index(fields=["status"], name="backup_status"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}#{self.pk} {self.status}"


class BackupCopy(models.Model):
    """The copy of one backup in one region; a failed copy is retried until it exists."""

    backup = models.ForeignKey(TenantBackup, on_delete=models.CASCADE, related_name="copies")
    region = models.CharField(_("ภูมิภาค"), max_length=32)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=CopyStatus.choices, default=CopyStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("สำเนาข้อมูลสำรองในภูมิภาค")
        verbose_name_plural = _("สำเนาข้อมูลสำรองในภูมิภาค")
        constraints = [
            models.UniqueConstraint(fields=["backup", "region"], name="backup_copy_unique")
        ]

    def __str__(self) -> str:
        return f"{self.backup_id}@{self.region}={self.status}"


class RestoreRecord(models.Model):
    """Who restored what, into which schema, why, and whether the result matched the backup."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="restores"
    )
    # Kept when retention removes the backup: the record of the restore stays.
    backup = models.ForeignKey(
        TenantBackup, on_delete=models.SET_NULL, null=True, blank=True, related_name="restores"
    )
    mode = models.CharField(_("วิธีกู้คืน"), max_length=16, choices=RestoreMode.choices)
    target_schema = models.CharField(_("สคีมาปลายทาง"), max_length=63, blank=True)
    # replace: the live schema as it was, kept under this name (never dropped silently).
    previous_schema = models.CharField(max_length=63, blank=True)
    actor = models.CharField(_("ผู้สั่ง"), max_length=150)
    reason = models.TextField(_("เหตุผล"), blank=True)
    started_at = models.DateTimeField(_("เริ่มเมื่อ"), default=timezone.now)
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=RestoreStatus.choices, default=RestoreStatus.RUNNING
    )
    # {"tables": {name: {"expected": n, "actual": n}}, "files": {"checked": n,
    #  "mismatched": [...]}, "ok": bool}
    verification = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("การกู้คืนข้อมูล")
        verbose_name_plural = _("การกู้คืนข้อมูล")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.mode} {self.status}"
