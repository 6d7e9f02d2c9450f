"""A letter's file as it leaves the system: checked for the viewer, watermarked when classified.

Files of ลับ / ลับมาก letters never leave as stored: a PDF gets a diagonal watermark with the
viewer's name and the Bangkok date and time on every page, an image becomes a watermarked PDF,
and any other type is refused (it cannot carry a watermark). Each such download is audited.
Files of normal letters leave byte for byte as stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import PurePosixPath
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from registers.choices import Secrecy
from registers.errors import AttachmentRejected, InvalidState, NotAllowed
from registers.models import Attachment
from registers.pdf.images import IMAGE_SUFFIXES, image_to_pdf
from registers.pdf.render import PdfError
from registers.pdf.watermark import watermark_pdf
from registers.selectors.letters import letter_visible
from registers.services.attachments import ALLOWED_TYPES, PDF
from registers.services.audit import audit_append
from thaiformat.dates import format_thai_date, to_bangkok

logger = logging.getLogger(__name__)

DOWNLOAD_ACTION = "attachment.download"


@dataclasses.dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str


def download_name(name: str, content_type: str) -> str:
    """``name`` with a suffix that matches what the file is (a PDF sent as "x.exe" leaves as
    "x.pdf"), so the viewer's computer opens it with the right program."""
    suffixes = {f".{ext}" for ext, mime in ALLOWED_TYPES.items() if mime == content_type}
    if content_type == "image/jpeg":
        suffixes.add(".jpeg")
    if content_type == "image/tiff":
        suffixes.add(".tiff")
    path = PurePosixPath(name)
    if not suffixes or path.suffix.lower() in suffixes:
        return name
    return f"{path.stem or 'file'}{sorted(suffixes)[0]}"


def viewer_name(viewer: Any) -> str:
    full = viewer.get_full_name().strip() if hasattr(viewer, "get_full_name") else ""
    return full or str(getattr(viewer, "username", "") or viewer)


def attachment_for_download(*, attachment: Attachment, viewer: Any) -> Download:
    """The bytes to send ``viewer`` for ``attachment``; NotAllowed when they may not have them."""
    letter = attachment.letter
    if not letter_visible(viewer, letter):
        raise NotAllowed(_("คุณไม่มีสิทธิ์เปิดไฟล์ของหนังสือฉบับนี้"))
    if letter.is_paper_only:
        raise NotAllowed(_("หนังสือลับที่สุดไม่มีไฟล์ในระบบ"))
    if attachment.removed_at is not None:
        raise NotAllowed(_("ไฟล์นี้ถูกทำลายหรือนำออกจากระบบแล้ว"))
    data = attachment.open_bytes()
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        logger.error("attachment %s: stored bytes do not match their SHA-256", attachment.pk)
        raise InvalidState(_("ไฟล์ในที่เก็บไม่ตรงกับที่บันทึกไว้ โปรดแจ้งผู้ดูแลระบบ"))
    if letter.secrecy == Secrecy.NORMAL:
        return Download(
            content=data,
            content_type=attachment.content_type,
            filename=download_name(attachment.original_name, attachment.content_type),
        )
    return _watermarked(attachment, data, viewer)


def _watermarked(attachment: Attachment, data: bytes, viewer: Any) -> Download:
    letter = attachment.letter
    if attachment.content_type != PDF and attachment.content_type not in IMAGE_SUFFIXES:
        raise NotAllowed(
            _(
                "ไฟล์ %(name)s ของหนังสือชั้นความลับใส่ลายน้ำไม่ได้ จึงดาวน์โหลดไม่ได้ "
                "โปรดขอไฟล์ PDF หรือรูปภาพจากเจ้าของเรื่อง"
            ),
            name=attachment.original_name,
        )
    now = to_bangkok(timezone.now())
    name = viewer_name(viewer)
    with translation.override("th"):  # the watermark is Thai whatever the viewer's language
        secrecy = str(letter.get_secrecy_display())
    detail = f"{secrecy} · {format_thai_date(now)} เวลา {now:%H.%M} น."
    try:
        pdf = (
            data if attachment.content_type == PDF else image_to_pdf(data, attachment.content_type)
        )
        content = watermark_pdf(pdf, name=name, detail=detail)
    except PdfError as exc:
        logger.warning("attachment %s: no watermark possible: %s", attachment.pk, exc)
        raise AttachmentRejected(
            _("ใส่ลายน้ำในไฟล์ %(name)s ไม่ได้ (ไฟล์เสียหายหรือมีรหัสผ่าน) จึงดาวน์โหลดไม่ได้"),
            name=attachment.original_name,
        ) from exc
    audit_append(
        action=DOWNLOAD_ACTION,
        actor=viewer,
        letter=letter,
        data={
            "attachment": attachment.pk,
            "sha256": attachment.sha256,
            "secrecy": letter.secrecy,
            "watermark": name,
            "served_sha256": hashlib.sha256(content).hexdigest(),
        },
    )
    return Download(
        content=content,
        content_type=PDF,
        filename=download_name(attachment.original_name, PDF),
    )
