"""Per-municipality options of the registers (one row, made on first use)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from registers.choices import MailAutoRegister, NumberingReset, RetentionClass


class RegistrySettings(models.Model):
    numbering_reset = models.CharField(
        _("เริ่มเลขใหม่ทุก"),
        max_length=16,
        choices=NumberingReset.choices,
        default=NumberingReset.CALENDAR,
    )
    thai_digits = models.BooleanField(_("แสดงเลขไทยในรายงานและตราประทับ"), default=False)
    # The receipt stamp (ตรารับ, form 12): top right by default, moved by these offsets.
    stamp_right_mm = models.PositiveSmallIntegerField(_("ระยะตรารับจากขอบขวา (มม.)"), default=10)
    stamp_top_mm = models.PositiveSmallIntegerField(_("ระยะตรารับจากขอบบน (มม.)"), default=10)
    stamp_agency_name = models.CharField(
        _("ชื่อหน่วยงานบนตรารับ"),
        max_length=200,
        blank=True,
        help_text=_("เว้นว่างเพื่อใช้ชื่อหน่วยงาน"),
    )
    max_attachment_mb = models.PositiveSmallIntegerField(_("ขนาดไฟล์แนบสูงสุด (MB)"), default=50)
    default_retention = models.CharField(
        _("อายุการเก็บเริ่มต้น"),
        max_length=16,
        choices=RetentionClass.choices,
        default=RetentionClass.TEN_YEARS,
    )
    # Circulars (ว) usually have their own sequence; some agencies share the send sequence.
    circular_own_sequence = models.BooleanField(_("หนังสือเวียนมีเลขชุดของตนเอง"), default=True)
    reminder_hour = models.PositiveSmallIntegerField(
        _("เวลาส่งการแจ้งเตือนประจำวัน (นาฬิกา)"), default=8
    )
    mail_auto_register = models.CharField(
        _("การลงรับอีเมลที่ส่งถึงที่อยู่กลาง"),
        max_length=16,
        choices=MailAutoRegister.choices,
        default=MailAutoRegister.GOVERNMENT,
    )

    class Meta:
        verbose_name = _("การตั้งค่าทะเบียน")
        verbose_name_plural = _("การตั้งค่าทะเบียน")

    def __str__(self) -> str:
        return str(_("การตั้งค่าทะเบียน"))
