"""Register entries and the counters that number them, per register and year (BE)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.choices import EntryStatus, RegisterKind


class NumberCounter(models.Model):
    """The last number given in one sequence; its row lock serialises numbering.

    ``sequence`` is a register kind or another numbered list (e.g. the storage register).
    """

    sequence = models.CharField(max_length=24)
    period = models.PositiveSmallIntegerField(help_text="Buddhist-Era year (calendar or fiscal)")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sequence", "period"], name="counter_sequence_period")
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.period}: {self.last_number}"


class NumberReservation(models.Model):
    """จองเลข: a block of numbers set aside in advance, logged with who, why and when."""

    register = models.CharField(_("ทะเบียน"), max_length=16, choices=RegisterKind.choices)
    period = models.PositiveSmallIntegerField(_("ปี พ.ศ."))
    first_number = models.PositiveIntegerField(_("เลขแรก"))
    last_number = models.PositiveIntegerField(_("เลขสุดท้าย"))
    purpose = models.CharField(_("วัตถุประสงค์"), max_length=300)
    for_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reserved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reserved_at"]
        verbose_name = _("การจองเลข")
        verbose_name_plural = _("การจองเลข")

    def __str__(self) -> str:
        return f"{self.register} {self.first_number}-{self.last_number}/{self.period}"


class RegisterEntry(models.Model):
    """One line of a register (form 13 or 14, circulars, orders, announcements).

    A number, once given, always has its entry: active, reserved (จองไว้) or cancelled with who,
    when and why. Entries are never deleted, so numbers are never reused or skipped.
    """

    register = models.CharField(_("ทะเบียน"), max_length=16, choices=RegisterKind.choices)
    period = models.PositiveSmallIntegerField(_("ปี พ.ศ."))
    number = models.PositiveIntegerField(_("เลขทะเบียน"))
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.ACTIVE
    )
    letter = models.ForeignKey(
        "registers.Letter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    registered_at = models.DateTimeField(_("วันเวลาลงทะเบียน"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reservation = models.ForeignKey(
        NumberReservation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    # ที่ of an outgoing letter, formed from the prefix at the moment of numbering.
    reference = models.CharField(_("ที่"), max_length=120, blank=True)
    remarks = models.CharField(_("หมายเหตุ"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("ยกเลิกเมื่อ"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("เหตุผลที่ยกเลิก"), max_length=500, blank=True)

    class Meta:
        ordering = ["register", "-period", "-number"]
        verbose_name = _("รายการในทะเบียน")
        verbose_name_plural = _("รายการในทะเบียน")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "period", "number"], name="entry_register_period_number"
            )
        ]
        indexes = [
            models.Index(fields=["register", "registered_at"], name="entry_register_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_register_display()} {self.number}/{self.period}"
