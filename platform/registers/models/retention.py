"""Storage, retention and destruction (forms 19, 20, 21 and 25 of the regulation)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.choices import (
    ArchivesAnswer,
    CommitteeRole,
    DestructionDecision,
    DestructionStatus,
)


class StorageRecord(models.Model):
    """A finished letter put into storage: its line in forms 19 and 20."""

    letter = models.OneToOneField(
        "registers.Letter", on_delete=models.PROTECT, related_name="storage"
    )
    period = models.PositiveSmallIntegerField(_("ปี พ.ศ."))
    item_number = models.PositiveIntegerField(_("ลำดับที่"))
    file_code = models.CharField(_("รหัสแฟ้ม"), max_length=60, blank=True)
    # None means permanent (ห้ามทำลาย).
    keep_until_year = models.PositiveSmallIntegerField(_("เก็บถึง พ.ศ."), null=True, blank=True)
    remarks = models.CharField(_("หมายเหตุ"), max_length=500, blank=True)
    stored_at = models.DateTimeField(_("วันที่เก็บ"), default=timezone.now)
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["period", "item_number"]
        verbose_name = _("ทะเบียนหนังสือเก็บ")
        verbose_name_plural = _("ทะเบียนหนังสือเก็บ")
        constraints = [
            models.UniqueConstraint(fields=["period", "item_number"], name="storage_period_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_number}/{self.period}"


class DestructionList(models.Model):
    """บัญชีหนังสือขอทำลาย (form 25) for one year, with its committee and the archives' answer."""

    year = models.PositiveSmallIntegerField(_("ปี พ.ศ."))
    status = models.CharField(
        _("สถานะ"),
        max_length=16,
        choices=DestructionStatus.choices,
        default=DestructionStatus.DRAFT,
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("ส่งกรมศิลปากรเมื่อ"), null=True, blank=True)
    sent_reference = models.CharField(_("ที่หนังสือนำส่ง"), max_length=120, blank=True)
    archives_answer = models.CharField(
        _("คำตอบของหอจดหมายเหตุ"), max_length=16, choices=ArchivesAnswer.choices, blank=True
    )
    archives_answered_at = models.DateField(_("วันที่ตอบ"), null=True, blank=True)
    archives_note = models.TextField(_("รายละเอียดคำตอบ"), blank=True)
    destroyed_at = models.DateTimeField(_("ทำลายเมื่อ"), null=True, blank=True)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("บัญชีหนังสือขอทำลาย")
        verbose_name_plural = _("บัญชีหนังสือขอทำลาย")

    def __str__(self) -> str:
        return f"{self.year}"


class DestructionCommitteeMember(models.Model):
    destruction_list = models.ForeignKey(
        DestructionList, on_delete=models.CASCADE, related_name="committee"
    )
    role = models.CharField(_("ตำแหน่งในคณะกรรมการ"), max_length=16, choices=CommitteeRole.choices)
    name = models.CharField(_("ชื่อ"), max_length=200)
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("กรรมการทำลายหนังสือ")
        verbose_name_plural = _("กรรมการทำลายหนังสือ")

    def __str__(self) -> str:
        return self.name


class DestructionItem(models.Model):
    destruction_list = models.ForeignKey(
        DestructionList, on_delete=models.CASCADE, related_name="items"
    )
    letter = models.ForeignKey(
        "registers.Letter", on_delete=models.PROTECT, related_name="destruction_items"
    )
    item_number = models.PositiveIntegerField(_("ลำดับที่"))
    decision = models.CharField(
        _("การพิจารณา"),
        max_length=16,
        choices=DestructionDecision.choices,
        default=DestructionDecision.PENDING,
    )
    keep_until_year = models.PositiveSmallIntegerField(
        _("ขยายเวลาเก็บถึง พ.ศ."), null=True, blank=True
    )
    remarks = models.CharField(_("หมายเหตุ"), max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["item_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["destruction_list", "letter"], name="destruction_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_number}"


class HandoverList(models.Model):
    """บัญชีส่งมอบหนังสือครบ 20 ปี (form 21) to the National Archives."""

    year = models.PositiveSmallIntegerField(_("ปี พ.ศ."))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("ส่งมอบเมื่อ"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("บัญชีส่งมอบหนังสือครบ 20 ปี")
        verbose_name_plural = _("บัญชีส่งมอบหนังสือครบ 20 ปี")

    def __str__(self) -> str:
        return f"{self.year}"


class HandoverItem(models.Model):
    handover_list = models.ForeignKey(HandoverList, on_delete=models.CASCADE, related_name="items")
    letter = models.ForeignKey("registers.Letter", on_delete=models.PROTECT, related_name="+")
    item_number = models.PositiveIntegerField(_("ลำดับที่"))
    remarks = models.CharField(_("หมายเหตุ"), max_length=500, blank=True)

    class Meta:
        ordering = ["item_number"]
        constraints = [
            models.UniqueConstraint(fields=["handover_list", "letter"], name="handover_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_number}"
