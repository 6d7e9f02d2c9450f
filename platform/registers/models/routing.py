"""Routing inside the municipality: endorsements and orders, forwarding, delegation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.choices import AssignmentStatus, EndorsementKind


class Endorsement(models.Model):
    """เกษียนหนังสือ / สั่งการ: an executive's free-text endorsement or order on a letter."""

    letter = models.ForeignKey(
        "registers.Letter", on_delete=models.CASCADE, related_name="endorsements"
    )
    kind = models.CharField(_("ประเภท"), max_length=16, choices=EndorsementKind.choices)
    text = models.TextField(_("ข้อความ"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The position is kept as it was when written: people change posts.
    author_position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("การเกษียน/สั่งการ")
        verbose_name_plural = _("การเกษียน/สั่งการ")

    def __str__(self) -> str:
        return self.text[:60]


class Assignment(models.Model):
    """A letter forwarded to an org unit or an officer, with an instruction and a due date."""

    letter = models.ForeignKey(
        "registers.Letter", on_delete=models.CASCADE, related_name="assignments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="forwards"
    )
    to_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("ส่งถึงหน่วยงาน"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ส่งถึงเจ้าหน้าที่"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    instruction = models.TextField(_("คำสั่ง/ข้อความ"), blank=True)
    due_date = models.DateField(_("กำหนดเสร็จ"), null=True, blank=True)
    status = models.CharField(
        _("สถานะ"),
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(_("ผลการดำเนินการ"), blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("การส่งต่อ")
        verbose_name_plural = _("การส่งต่อ")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_unit__isnull=False) | models.Q(to_user__isnull=False),
                name="assignment_has_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="assignment_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} -> {self.to_user_id or self.to_unit_id}"


class Delegation(models.Model):
    """While someone is away, another person acts on their tasks (รักษาราชการแทน/ปฏิบัติหน้าที่แทน)."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้มอบหมาย"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ปฏิบัติแทน"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    starts_on = models.DateField(_("ตั้งแต่วันที่"))
    ends_on = models.DateField(_("ถึงวันที่"))
    reason = models.CharField(_("เหตุผล"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("การมอบหมายปฏิบัติแทน")
        verbose_name_plural = _("การมอบหมายปฏิบัติแทน")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(delegator=models.F("delegate")),
                name="delegation_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator_id} -> {self.delegate_id}"


class ReminderRun(models.Model):
    """A Bangkok day on which the daily reminders went out; the unique day makes it once a day,
    even when beat fires twice or a worker retries."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("การแจ้งเตือนประจำวัน")
        verbose_name_plural = _("การแจ้งเตือนประจำวัน")

    def __str__(self) -> str:
        return str(self.day)
