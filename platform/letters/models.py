"""A letter drafted here from a template, and the PDF issued for it once approved and numbered.

The draft holds what the author typed; approval registers it as an outgoing ``registers.Letter``
(numbered in the send, circular, order or announcement register) and stores the rendered,
unsigned PDF under its SHA-256; the signed PDF is stored the same way once the signature is made
(after the approval has committed, ``letters.services.issuing``). The public verification page
finds the issued PDF by an unguessable token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from letters.choices import DraftKind, DraftStatus, SigningState
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
    """The PDF as issued: numbered, with its QR code, signed; its SHA-256 is of these bytes.

    Created at approval with the rendered, unsigned PDF (``unsigned_pdf``) and
    ``signing_state`` pending; ``file``, ``sha256``, ``size`` and the signature fields are
    filled when the signature is made (``signing_state`` signed), and ``unsigned_pdf`` is
    emptied then (the signed PDF is an incremental update: it starts with those exact bytes,
    whose SHA-256 stays in ``unsigned_sha256``). Only the signed copy is ever offered
    (downloads, e-mail, the public check page).
    """

    draft = models.OneToOneField(LetterDraft, on_delete=models.PROTECT, related_name="issued")
    letter = models.OneToOneField(
        "registers.Letter", on_delete=models.PROTECT, related_name="issued_pdf"
    )
    # The signed PDF (empty until signed) and its SHA-256, the one the public page confirms.
    file = models.FileField(_("ไฟล์"), upload_to=issued_key, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True, blank=True)
    size = models.BigIntegerField(_("ขนาด (ไบต์)"), default=0)
    # The PDF as rendered at approval (number, date, QR code), before the signature: kept in
    # the row, not in the file storage, so that approving makes no network call (S3) while the
    # register's counter row is locked; emptied once signed. Defer it in listings.
    unsigned_pdf = models.BinaryField(blank=True, default=b"", editable=False)
    unsigned_sha256 = models.CharField(max_length=64, blank=True)
    # Where the visible signature block goes ({"page": 0, "box": [x1, y1, x2, y2]}, PDF points
    # from the bottom-left corner), read from the template when it was rendered; null: default.
    signature_spot = models.JSONField(null=True, blank=True)
    # In the QR code's URL; 32 random bytes, so it cannot be guessed or enumerated.
    verify_token = models.CharField(max_length=64, unique=True)
    # How it was signed (signing.services.document_sign): a PAdES signature with the signer's
    # certificate ("pades", with its level), or the typed name of the 2021 amendment.
    signature_method = models.CharField(_("วิธีลงนาม"), max_length=16, blank=True)
    signature_level = models.CharField(_("ระดับลายมือชื่อ PAdES"), max_length=8, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # --- the signature, made after the approval committed (letters.tasks) --------------------
    signing_state = models.CharField(
        _("สถานะการลงนาม"),
        max_length=16,
        choices=SigningState.choices,
        default=SigningState.PENDING,
    )
    # Who signs: the approver, or the approver who asked for it to be signed again.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_ip = models.GenericIPAddressField(null=True, blank=True)
    # The signer had an active certificate when they approved: sign with it, never fall back
    # to the typed name silently if it is gone by then.
    with_certificate = models.BooleanField(default=False)
    signing_attempts = models.PositiveIntegerField(default=0)
    signing_attempted_at = models.DateTimeField(null=True, blank=True)
    # The last failure, in Thai (the signing app's message): shown on the draft's page.
    signing_error = models.TextField(blank=True)
    # The first failure of the current run of failures (cleared by a signature or ลงนามใหม่):
    # the approver is told once it has lasted a while, and retries stop after a day.
    signing_failing_since = models.DateTimeField(null=True, blank=True)
    signing_failure_notified = models.BooleanField(default=False)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("หนังสือที่ออกแล้ว")
        verbose_name_plural = _("หนังสือที่ออกแล้ว")
        indexes = [
            models.Index(
                fields=["signing_attempted_at"],
                name="issued_awaiting_signature",
                condition=models.Q(signing_state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter.reference} ({(self.sha256 or self.unsigned_sha256)[:12]})"

    @property
    def is_signed(self) -> bool:
        return self.signing_state == SigningState.SIGNED

    @property
    def signing_failing(self) -> bool:
        """The signature failed for good, or keeps failing: an approver may sign it again."""
        return self.signing_state == SigningState.FAILED or (
            self.signing_state == SigningState.PENDING and bool(self.signing_error)
        )

    def open_bytes(self) -> bytes:
        """The signed PDF (the only copy ever offered)."""
        if not self.is_signed:
            raise ValueError(f"issued letter {self.pk} is not signed yet")
        with self.file.open("rb") as handle:
            data: Any = handle.read()
        return bytes(data)

    def open_unsigned(self) -> bytes:
        return bytes(self.unsigned_pdf)
