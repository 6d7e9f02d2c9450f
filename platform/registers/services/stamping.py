"""The receipt stamp (ตรารับหนังสือ, form 12) on a received letter's main file.

The stamped copy is a new attachment (role STAMPED, derived from the main file, its own SHA-256);
the original's bytes are never changed. A scanned image is first made a one-page PDF (typst),
then stamped. TIFF scans are left unstamped: typst cannot read TIFF.

Which register entry a stamped copy belongs to is recorded in its "attachment.stamp" audit link
(``data.entry``): after a cancelled receipt the letter is received again under a new number and
gets a new stamped copy, while the old one stays on record.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import PurePosixPath
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, Exists, OuterRef, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from registers.agency import current_agency
from registers.choices import AttachmentRole, EntryStatus, RegisterKind
from registers.errors import InvalidState
from registers.inputs import FileInput
from registers.models import Attachment, AuditEntry, RegisterEntry
from registers.pdf.images import IMAGE_SUFFIXES, image_to_pdf
from registers.pdf.stamp import ReceiptStamp, stamp_first_page
from registers.selectors.settings import registry_settings
from registers.services.attachments import PDF, attachment_store
from registers.services.audit import audit_append
from thaiformat.dates import format_thai_date, thai_digits, to_bangkok

logger = logging.getLogger(__name__)

STAMPABLE_TYPES = (PDF, *IMAGE_SUFFIXES)
STAMP_ACTION = "attachment.stamp"


def receipt_stamp_text(entry: RegisterEntry) -> ReceiptStamp:
    """The stamp's lines: agency, เลขรับ, BE date and Bangkok time ("10.35 น.")."""
    options = registry_settings()
    local = to_bangkok(entry.registered_at)
    stamp = ReceiptStamp(
        agency=options.stamp_agency_name.strip() or current_agency().name_th,
        number=str(entry.number),
        date=format_thai_date(local),
        time=f"{local:%H.%M} น.",
    )
    if options.thai_digits:
        stamp = ReceiptStamp(
            agency=stamp.agency,
            number=thai_digits(stamp.number),
            date=thai_digits(stamp.date),
            time=thai_digits(stamp.time),
        )
    return stamp


def main_file(entry: RegisterEntry) -> Attachment | None:
    """The letter's main file, if it is still there."""
    return (
        Attachment.objects.filter(
            letter=entry.letter, role=AttachmentRole.MAIN, removed_at__isnull=True
        )
        .order_by("id")
        .first()
    )


def stamped_copy(entry: RegisterEntry) -> Attachment | None:
    """The stamped copy made for this entry (its number is on it), if any."""
    ids = AuditEntry.objects.filter(
        action=STAMP_ACTION, letter=entry.letter, data__entry=entry.pk
    ).values_list("data__stamped", flat=True)
    return (
        Attachment.objects.filter(pk__in=list(ids), role=AttachmentRole.STAMPED)
        .order_by("-id")
        .first()
    )


def entries_missing_stamp() -> QuerySet[RegisterEntry]:
    """Active receive entries whose letter has a stampable main file but no stamped copy for
    this entry, newest first."""
    stampable = Attachment.objects.filter(
        letter_id=OuterRef("letter_id"),
        role=AttachmentRole.MAIN,
        removed_at__isnull=True,
        content_type__in=STAMPABLE_TYPES,
    )
    stamped = (
        AuditEntry.objects.filter(action=STAMP_ACTION, letter_id=OuterRef("letter_id"))
        .annotate(stamped_entry=Cast(KT("data__entry"), BigIntegerField()))
        .filter(stamped_entry=OuterRef("pk"))
    )
    return (
        RegisterEntry.objects.filter(
            register=RegisterKind.RECEIVE, status=EntryStatus.ACTIVE, letter__isnull=False
        )
        .filter(Exists(stampable))
        .exclude(Exists(stamped))
        .order_by("-registered_at", "-pk")
    )


def _stamped_name(name: str) -> str:
    stem = PurePosixPath(name).stem or "letter"
    return f"{stem}-ตรารับ.pdf"


def letter_stamp_receipt(*, entry: RegisterEntry, actor: Any = None) -> Attachment | None:
    """Stamp the main file of a received letter; idempotent per entry.

    Returns the stamped copy (the existing one when already stamped), or None when there is
    nothing to stamp: no main file, or one that is neither a PDF nor a PNG/JPEG/GIF/WebP image.
    Raises ``registers.pdf.render.PdfError`` for a file that cannot be stamped (damaged,
    password) and InvalidState for an entry that is not an active receipt.
    """
    if entry.register != RegisterKind.RECEIVE or entry.status != EntryStatus.ACTIVE:
        raise InvalidState(_("ประทับตรารับได้เฉพาะหนังสือที่ลงรับแล้วและยังไม่ยกเลิก"))
    if entry.letter_id is None:
        return None
    existing = stamped_copy(entry)
    if existing is not None:
        return existing
    source = main_file(entry)
    if source is None or source.content_type not in STAMPABLE_TYPES:
        return None
    data = source.open_bytes()
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise InvalidState(
            _("ไฟล์หลักในที่เก็บไม่ตรงกับค่า SHA-256 ที่บันทึกไว้ จึงไม่ประทับตรารับ โปรดแจ้งผู้ดูแลระบบ")
        )
    converted = source.content_type != PDF
    pdf = image_to_pdf(data, source.content_type) if converted else data
    options = registry_settings()
    # Rendering happens outside any lock; only the check-and-store below is serialised.
    stamped_bytes = stamp_first_page(
        pdf,
        receipt_stamp_text(entry),
        right_mm=options.stamp_right_mm,
        top_mm=options.stamp_top_mm,
    )
    with transaction.atomic():
        # The entry's row lock orders this against a concurrent stamping of the same entry
        # (the post-commit hook and the catch-up task); it never touches the number counter.
        entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        existing = stamped_copy(entry)
        if existing is not None:
            return existing
        stamped = attachment_store(
            letter=source.letter,
            upload=FileInput(name=_stamped_name(source.original_name), content=stamped_bytes),
            role=AttachmentRole.STAMPED,
            actor=actor,
            derived_from=source,
            content_type=PDF,
            reindex=False,
        )
        audit_append(
            action=STAMP_ACTION,
            actor=actor,
            letter=source.letter,
            data={
                "entry": entry.pk,
                "register": entry.register,
                "period": entry.period,
                "number": entry.number,
                "source": source.pk,
                "source_sha256": source.sha256,
                "stamped": stamped.pk,
                "stamped_sha256": stamped.sha256,
                "stamped_size": stamped.size,
                "from_image": converted,
            },
        )
    return stamped


def receipt_stamp_after_commit(*, entry: RegisterEntry, actor: Any = None) -> None:
    """Stamp once the registration has committed, so rendering never holds the numbering lock.

    A failure is logged and leaves the registration as it is; the beat task
    ``registers.tasks.receipts.stamp_missing_receipts`` stamps the entry later.
    """

    from django.db import connection
    from django_tenants.utils import tenant_context

    # The commit may come after the caller left the municipality's schema (the mail ingest
    # registers inside a transaction that spans the control plane): stamp in this schema.
    tenant = connection.tenant  # type: ignore[attr-defined]

    def stamp() -> None:
        try:
            with tenant_context(tenant):
                letter_stamp_receipt(entry=entry, actor=actor)
        except Exception:
            logger.exception(
                "receipt stamp failed for entry %s (letter %s); the catch-up task will retry",
                entry.pk,
                entry.letter_id,
            )

    transaction.on_commit(stamp)
