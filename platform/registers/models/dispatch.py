"""Sending a registered letter by e-mail: one dispatch per send, one row per recipient.

Each recipient row carries its own return-path token (VERP: ``saraban+<token>@<domain>``) and
Message-ID, so a delivery report, a receipt notice or a direct delivery between municipalities
finds its row again. The status only moves forward (see ``STATUS_RANK``); every change is kept
as an event for the history shown on the letter.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("รอผลการส่ง")
    ACCEPTED = "accepted", _("ปลายทางรับแล้ว")
    DEFERRED = "deferred", _("ส่งล่าช้า กำลังลองใหม่")
    BOUNCED = "bounced", _("ส่งไม่ถึง (ตีกลับ)")
    FAILED = "failed", _("ส่งไม่ได้")
    ACKNOWLEDGED = "acknowledged", _("ผู้รับลงรับแล้ว")


# A report never moves a recipient backwards: a late "delayed" after "delivered" is ignored,
# and a receipt number is the end of the road.
STATUS_RANK: dict[str, int] = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.DEFERRED: 1,
    DeliveryStatus.FAILED: 2,
    DeliveryStatus.ACCEPTED: 3,
    DeliveryStatus.BOUNCED: 3,
    DeliveryStatus.ACKNOWLEDGED: 4,
}


class DeliveryRoute(models.TextChoices):
    SMTP = "smtp", _("อีเมล")
    PLATFORM = "platform", _("ส่งตรงถึงหน่วยงานบนระบบ")


def new_token() -> str:
    # Lower-case hex: mail systems may fold the case of a local part.
    return secrets.token_hex(12)


class Dispatch(models.Model):
    letter = models.ForeignKey(
        "registers.Letter", on_delete=models.PROTECT, related_name="dispatches"
    )
    created_at = models.DateTimeField(_("สั่งส่งเมื่อ"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("การส่งทางอีเมล")
        verbose_name_plural = _("การส่งทางอีเมล")

    def __str__(self) -> str:
        return f"{self.letter_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class DispatchRecipient(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="recipients")
    # Denormalised: the letter's page and the register read recipients by letter.
    letter = models.ForeignKey(
        "registers.Letter", on_delete=models.PROTECT, related_name="dispatch_recipients"
    )
    address = models.CharField(_("อีเมลผู้รับ"), max_length=320)
    token = models.CharField(max_length=32, unique=True, default=new_token)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    route = models.CharField(
        _("ช่องทาง"), max_length=16, choices=DeliveryRoute.choices, default=DeliveryRoute.SMTP
    )
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    status_at = models.DateTimeField(_("สถานะเมื่อ"), default=timezone.now)
    sent_at = models.DateTimeField(_("ส่งออกเมื่อ"), null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Why it bounced or failed: a Thai summary and the remote server's own words.
    reason = models.CharField(_("สาเหตุ"), max_length=500, blank=True)
    diagnostic = models.TextField(_("รหัสวินิจฉัยจากเซิร์ฟเวอร์"), blank=True)
    receipt_number = models.CharField(_("เลขรับของผู้รับ"), max_length=60, blank=True)
    receipt_at = models.DateTimeField(_("วันที่ผู้รับลงรับ"), null=True, blank=True)

    class Meta:
        ordering = ["letter_id", "pk"]
        verbose_name = _("ผู้รับทางอีเมล")
        verbose_name_plural = _("ผู้รับทางอีเมล")
        indexes = [models.Index(fields=["message_id"], name="dispatch_rcpt_message_id")]

    def __str__(self) -> str:
        return f"{self.address}: {self.status}"

    @property
    def reason_display(self) -> str:
        return reason_text(self.reason) if self.reason else ""


class DispatchEvent(models.Model):
    recipient = models.ForeignKey(
        DispatchRecipient, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices)
    detail = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.status} {self.at:%Y-%m-%d %H:%M}"


def reason_text(code: str) -> str:
    """A person's words for why a recipient bounced, was deferred or failed, from the enhanced
    status code (RFC 3463) a server gave, or a key of ours."""
    from django.utils.translation import gettext

    ours = {
        "no-relay": gettext("ระบบนี้ไม่ได้ตั้งค่าเซิร์ฟเวอร์ส่งอีเมลออก (ส่งได้เฉพาะหน่วยงานบนระบบ)"),
        "relay-unreachable": gettext("ติดต่อเซิร์ฟเวอร์ส่งอีเมลไม่ได้ ระบบจะลองใหม่"),
        "no-sender": gettext("หน่วยงานยังไม่มีที่อยู่อีเมลกลาง (saraban@)"),
    }
    if code in ours:
        return ours[code]
    known = {
        "5.1.1": gettext("ไม่มีผู้รับอีเมลนี้ที่ปลายทาง"),
        "5.1.2": gettext("ไม่พบโดเมนปลายทาง"),
        "5.1.10": gettext("ไม่มีผู้รับอีเมลนี้ที่ปลายทาง"),
        "5.2.1": gettext("กล่องจดหมายผู้รับถูกปิด"),
        "5.2.2": gettext("กล่องจดหมายผู้รับเต็ม"),
        "5.3.4": gettext("ไฟล์ใหญ่เกินกว่าที่ปลายทางรับได้"),
        "5.4.4": gettext("ไม่พบเซิร์ฟเวอร์รับอีเมลของปลายทาง"),
    }
    if code in known:
        return known[code]
    if code.startswith("5.7."):
        return gettext("ปลายทางปฏิเสธตามนโยบายความปลอดภัย")
    if code.startswith("4."):
        return gettext("ปลายทางยังรับไม่ได้ชั่วคราว ระบบกำลังลองส่งใหม่")
    if code.startswith("5."):
        return gettext("เซิร์ฟเวอร์ปลายทางปฏิเสธ")
    return code
