"""A letter (หนังสือ) as received or sent, with its attachments, references and enclosures.

Fields map one to one to TH e-GIF GovernmentDocument (e-CMS): ID = reference, CorrespondenceDate
= letter_date, Subject, SpeedCode = urgency, SecretCode = secrecy, Sender/Receiver parties,
Reference list, main PDF and attachments (see docs/registers.md for the table).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.choices import (
    AttachmentRole,
    Channel,
    Direction,
    LetterKind,
    LetterStatus,
    LetterSubKind,
    RetentionClass,
    Secrecy,
    Urgency,
)
from tenants.db import tenant_connection


class Letter(models.Model):
    direction = models.CharField(_("ทิศทาง"), max_length=16, choices=Direction.choices)
    kind = models.CharField(
        _("ชนิดหนังสือ"), max_length=24, choices=LetterKind.choices, default=LetterKind.EXTERNAL
    )
    sub_kind = models.CharField(
        _("ประเภทย่อย"), max_length=24, choices=LetterSubKind.choices, blank=True, default=""
    )
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=LetterStatus.choices, default=LetterStatus.INTAKE
    )
    # ที่: the letter's own reference as written on it (e-CMS ID).
    reference = models.CharField(_("ที่"), max_length=120, blank=True)
    letter_date = models.DateField(_("ลงวันที่"), null=True, blank=True)
    # จาก / ถึง as written (position, agency or name), plus machine identities when known.
    sender = models.CharField(_("จาก"), max_length=300, blank=True)
    sender_email = models.EmailField(_("อีเมลผู้ส่ง"), blank=True)
    sender_org_code = models.CharField(_("รหัสหน่วยงานผู้ส่ง"), max_length=40, blank=True)
    recipient = models.CharField(_("ถึง"), max_length=300, blank=True)
    recipient_email = models.CharField(_("อีเมลผู้รับ"), max_length=1000, blank=True)
    recipient_org_code = models.CharField(_("รหัสหน่วยงานผู้รับ"), max_length=40, blank=True)
    subject = models.CharField(_("เรื่อง"), max_length=500, blank=True)
    summary = models.TextField(_("สาระสำคัญ"), blank=True)
    urgency = models.CharField(
        _("ชั้นความเร็ว"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # "ด่วนภายใน": act before this moment.
    urgent_by = models.DateTimeField(_("ด่วนภายใน"), null=True, blank=True)
    secrecy = models.CharField(
        _("ชั้นความลับ"), max_length=16, choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    channel = models.CharField(_("ช่องทาง"), max_length=16, choices=Channel.choices)
    owner_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("หน่วยงานเจ้าของเรื่อง"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
    )
    # Identities from the channel it came through, for de-duplication and answers.
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True)
    source_tenant = models.CharField(_("หน่วยงานต้นทางบนระบบ"), max_length=63, blank=True)
    source_letter_id = models.BigIntegerField(null=True, blank=True)
    ecms_id = models.CharField(_("รหัส e-CMS"), max_length=100, blank=True)
    rejected_reason = models.TextField(_("เหตุผลที่ไม่รับ"), blank=True)
    # Retention (อายุการเก็บ): the class, and for "by another law" its reference and years.
    retention_class = models.CharField(
        _("อายุการเก็บ"),
        max_length=16,
        choices=RetentionClass.choices,
        default=RetentionClass.TEN_YEARS,
    )
    retention_law = models.CharField(_("กฎหมายที่กำหนดอายุการเก็บ"), max_length=300, blank=True)
    retention_years = models.PositiveSmallIntegerField(_("จำนวนปีที่เก็บ"), null=True, blank=True)
    # Search: the Thai-segmented text of subject, parties, references and attached PDFs.
    search_document = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("หนังสือ")
        verbose_name_plural = _("หนังสือ")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="letter_status_created"),
            models.Index(fields=["reference", "letter_date"], name="letter_ref_date"),
            models.Index(fields=["message_id"], name="letter_message_id"),
            GinIndex(fields=["search_document"], name="letter_search"),
            # The indexing sweep: letters the mail ingest left for the task (arrivals.py).
            models.Index(
                fields=["id"],
                name="letter_unindexed",
                condition=models.Q(search_document__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.reference or f"#{self.pk}"

    @property
    def is_paper_only(self) -> bool:
        """ลับที่สุด: the system records that it exists, never its content."""
        return self.secrecy == Secrecy.TOP_SECRET

    @property
    def is_restricted(self) -> bool:
        return self.secrecy != Secrecy.NORMAL


class LetterReference(models.Model):
    """อ้างถึง: an earlier letter this one refers to (e-CMS Reference)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField(default=0)
    reference = models.CharField(_("ที่"), max_length=120, blank=True)
    letter_date = models.DateField(_("ลงวันที่"), null=True, blank=True)
    subject = models.CharField(_("เรื่อง"), max_length=500, blank=True)
    # Set when the referred letter is in this municipality's registers.
    referred_letter = models.ForeignKey(
        Letter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("อ้างถึง")
        verbose_name_plural = _("อ้างถึง")

    def __str__(self) -> str:
        return " ".join(part for part in (self.reference, self.subject) if part)


class Enclosure(models.Model):
    """สิ่งที่ส่งมาด้วย, as listed on the letter (the files themselves are Attachments)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="enclosures")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("รายการ"), max_length=500)
    quantity = models.CharField(_("จำนวน"), max_length=60, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("สิ่งที่ส่งมาด้วย")
        verbose_name_plural = _("สิ่งที่ส่งมาด้วย")

    def __str__(self) -> str:
        return self.description


def attachment_key(instance: Attachment, filename: str) -> str:
    """Storage key: always under the tenant's own prefix, never the sender's file name."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    today = timezone.localdate()
    return (
        f"tenants/{tenant_connection.schema_name}/letters/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"
    )


class Attachment(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    role = models.CharField(_("บทบาท"), max_length=16, choices=AttachmentRole.choices)
    file = models.FileField(_("ไฟล์"), upload_to=attachment_key, max_length=300)
    original_name = models.CharField(_("ชื่อไฟล์"), max_length=255)
    content_type = models.CharField(_("ชนิดไฟล์"), max_length=120)
    size = models.BigIntegerField(_("ขนาด (ไบต์)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The stamped copy points at the untouched original it was made from.
    derived_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derivatives"
    )
    text = models.TextField(_("ข้อความในไฟล์"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the file was removed by an approved destruction; the row stays as the record.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["letter_id", "role", "id"]
        verbose_name = _("ไฟล์แนบ")
        verbose_name_plural = _("ไฟล์แนบ")

    def __str__(self) -> str:
        return self.original_name

    def open_bytes(self) -> bytes:
        with self.file.open("rb") as handle:
            data: Any = handle.read()
        return bytes(data)
