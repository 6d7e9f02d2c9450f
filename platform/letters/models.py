"""A letter drafted here from a template, and the PDF issued for it once approved and numbered.

The draft holds what the author typed; approval registers it as an outgoing ``registers.Letter``
(numbered in the send, circular, order or announcement register) and stores the issued PDF once,
under its SHA-256. The public verification page finds the issued PDF by an unguessable token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from letters.choices import DraftKind, DraftStatus
from registers.choices import Channel, Secrecy, Urgency
from tenants.db import tenant_connection


class LetterDraft(models.Model):
    kind = models.CharField(_("ชนิด"), max_length=16, choices=DraftKind.choices)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    circular = models.BooleanField(_("หนังสือเวียน (ว)"), default=False)
    subject = models.CharField(_("เรื่อง"), max_length=500)
    # เรียน (external, memo) or ถึง (stamped); unused on orders and announcements.
    addressee = models.CharField(_("เรียน / ถึง"), max_length=300, blank=True)
    recipient_email = models.CharField(_("อีเมลผู้รับ"), max_length=1000, blank=True)
    # ส่วนราชการ on a memo: the unit that writes it.
    department = models.CharField(_("ส่วนราชการ"), max_length=300, blank=True)
    # อ้างถึง and สิ่งที่ส่งมาด้วย, one item per line.
    references = models.TextField(_("อ้างถึง"), blank=True)
    enclosures = models.TextField(_("สิ่งที่ส่งมาด้วย"), blank=True)
    body = models.TextField(_("ข้อความ"))
    closing = models.CharField(_("คำลงท้าย"), max_length=100, blank=True)
    signer_name = models.CharField(_("ชื่อผู้ลงนาม"), max_length=200, blank=True)
    signer_position = models.CharField(_("ตำแหน่งผู้ลงนาม"), max_length=300, blank=True)
    # ส่วนราชการเจ้าของเรื่อง, โทร., โทรสาร, e-mail: printed bottom left, one per line.
    contact = models.TextField(_("ส่วนราชการเจ้าของเรื่องและการติดต่อ"), blank=True)
    urgency = models.CharField(
        _("ชั้นความเร็ว"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.CharField(
        _("ชั้นความลับ"), max_length=16, choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    thai_digits = models.BooleanField(_("ใช้เลขไทย"), default=False)
    channel = models.CharField(
        _("ช่องทางส่ง"), max_length=16, choices=Channel.choices, default=Channel.EMAIL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(_("ความเห็นเมื่อส่งกลับ"), blank=True)
    # The registered outgoing letter, set on approval.
    letter = models.OneToOneField(
        "registers.Letter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draft",
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("ร่างหนังสือ")
        verbose_name_plural = _("ร่างหนังสือ")
        indexes = [models.Index(fields=["status", "-updated_at"], name="draft_status_updated")]

    def __str__(self) -> str:
        return self.subject


def issued_key(instance: IssuedLetter, filename: str) -> str:
    """Content-addressed: the same bytes always live at the same key, under the tenant's prefix."""
    sha = instance.sha256
    return f"tenants/{tenant_connection.schema_name}/issued/{sha[:2]}/{sha}.pdf"


class IssuedLetter(models.Model):
    """The PDF as issued: numbered, with its QR code, signed; its SHA-256 is of these bytes."""

    draft = models.OneToOneField(LetterDraft, on_delete=models.PROTECT, related_name="issued")
    letter = models.OneToOneField(
        "registers.Letter", on_delete=models.PROTECT, related_name="issued_pdf"
    )
    file = models.FileField(_("ไฟล์"), upload_to=issued_key, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("ขนาด (ไบต์)"))
    # In the QR code's URL; 32 random bytes, so it cannot be guessed or enumerated.
    verify_token = models.CharField(max_length=64, unique=True)
    # How it was signed (signing.services.document_sign): a PAdES signature with the approver's
    # certificate ("pades", with its level), or the typed name of the 2021 amendment.
    signature_method = models.CharField(_("วิธีลงนาม"), max_length=16)
    signature_level = models.CharField(_("ระดับลายมือชื่อ PAdES"), max_length=8, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("หนังสือที่ออกแล้ว")
        verbose_name_plural = _("หนังสือที่ออกแล้ว")

    def __str__(self) -> str:
        return f"{self.letter.reference} ({self.sha256[:12]})"

    def open_bytes(self) -> bytes:
        with self.file.open("rb") as handle:
            data: Any = handle.read()
        return bytes(data)
