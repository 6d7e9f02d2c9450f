"""Store a letter's files: type by content, bounded size, SHA-256, per-tenant keys, and the text
of PDFs for search."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import filetype
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from registers.choices import AttachmentRole
from registers.errors import AttachmentRejected
from registers.inputs import FileInput
from registers.models import Attachment, Letter
from registers.pdf.text import pdf_text
from registers.search.indexing import letter_reindex
from registers.selectors.settings import registry_settings

# What a letter may carry, by detected type (never by the name the sender gave).
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "gif": "image/gif",
    "webp": "image/webp",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "rtf": "application/rtf",
}
PDF = "application/pdf"


def detect_type(content: bytes) -> str | None:
    """The MIME type of an allowed kind of file, judged from its bytes; None if not allowed."""
    kind = filetype.guess(content[:8192])
    if kind is None or kind.extension not in ALLOWED_TYPES:
        return None
    return ALLOWED_TYPES[kind.extension]


def clean_file_name(name: str) -> str:
    """Keep the sender's Thai file name for display, minus paths and control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    return base.strip()[:255] or "file"


def attachment_check(upload: FileInput, *, max_bytes: int | None = None) -> str:
    """Refuse an empty, oversized or disallowed file; returns the detected MIME type."""
    if max_bytes is None:
        max_bytes = registry_settings().max_attachment_mb * 1024 * 1024
    size = len(upload.content)
    if size == 0:
        raise AttachmentRejected(_("ไฟล์ %(name)s ว่างเปล่า"), name=upload.name)
    if size > max_bytes:
        raise AttachmentRejected(
            _("ไฟล์ %(name)s มีขนาด %(size)s MB เกินกำหนด %(limit)s MB"),
            name=upload.name,
            size=f"{size / 1048576:.1f}",
            limit=f"{max_bytes / 1048576:.0f}",
        )
    content_type = detect_type(upload.content)
    if content_type is None:
        raise AttachmentRejected(
            _("ไฟล์ %(name)s ไม่ใช่ชนิดที่รับได้ (PDF รูปภาพ หรือเอกสารสำนักงาน)"), name=upload.name
        )
    return content_type


def attachment_build(
    *,
    letter: Letter,
    upload: FileInput,
    content_type: str,
    role: str = AttachmentRole.ATTACHMENT,
    actor: Any = None,
    derived_from: Attachment | None = None,
    extract_text: bool = True,
) -> Attachment:
    """The file written to storage and its row, not yet saved (the mail ingest saves many at
    once). Without ``extract_text`` an original PDF's text is left for the indexing task."""
    if letter.is_paper_only:
        raise AttachmentRejected(_("หนังสือลับที่สุดเก็บไฟล์ในระบบไม่ได้"))
    name = clean_file_name(upload.name)
    attachment = Attachment(
        letter=letter,
        role=role,
        original_name=name,
        content_type=content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        derived_from=derived_from,
        created_by=actor,
    )
    if extract_text and content_type == PDF and derived_from is None:
        attachment.text = pdf_text(upload.content)
    attachment.file.save(name, ContentFile(upload.content), save=False)
    return attachment


def attachment_stored_hooks(attachment: Attachment, content: bytes) -> None:
    """What follows a stored original: a check of its signatures if it is signed."""
    if attachment.content_type == PDF and attachment.derived_from_id is None:
        from signing.intake import attachment_stored  # signing depends on registers

        attachment_stored(attachment, content)  # queues a check if it is signed


def attachment_store(
    *,
    letter: Letter,
    upload: FileInput,
    role: str = AttachmentRole.ATTACHMENT,
    actor: Any = None,
    derived_from: Attachment | None = None,
    content_type: str | None = None,
    reindex: bool = True,
) -> Attachment:
    """Write the bytes to storage and record them. Callers check first (attachment_check).

    An original PDF's text is kept in ``text`` and, with ``reindex``, the letter's search
    document is rebuilt so its words find the letter; callers that reindex anyway once all
    files are in pass ``reindex=False``. Derived copies (the stamped one) add no text: their
    words are the original's.
    """
    if letter.is_paper_only:  # before the type check: the clearer refusal
        raise AttachmentRejected(_("หนังสือลับที่สุดเก็บไฟล์ในระบบไม่ได้"))
    if content_type is None:
        content_type = attachment_check(upload)
    attachment = attachment_build(
        letter=letter,
        upload=upload,
        content_type=content_type,
        role=role,
        actor=actor,
        derived_from=derived_from,
    )
    attachment.save()
    if reindex and attachment.text:
        letter_reindex(letter)
    attachment_stored_hooks(attachment, upload.content)
    return attachment
