"""What a drafted letter can be, and where it is in its approval workflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from registers.choices import LetterKind, LetterSubKind, RegisterKind


class DraftKind(models.TextChoices):
    """The kinds drafted from a template (regulation forms 28-34)."""

    EXTERNAL = "external", _("หนังสือภายนอก")
    MEMO = "memo", _("บันทึกข้อความ")
    STAMPED = "stamped", _("หนังสือประทับตรา")
    ORDER = "order", _("คำสั่ง")
    ANNOUNCEMENT = "announcement", _("ประกาศ")


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    SUBMITTED = "submitted", _("เสนอลงนาม")
    RETURNED = "returned", _("ส่งกลับแก้ไข")
    # Approved and numbered (registered, PDF rendered); the signature is made after the commit.
    SIGNING = "signing", _("อนุมัติและออกเลขแล้ว รอลงนาม")
    ISSUED = "issued", _("อนุมัติและออกเลขแล้ว")


class SigningState(models.TextChoices):
    """Where an issued letter's signature is (``IssuedLetter.signing_state``)."""

    PENDING = "pending", _("รอลงนาม")
    FAILED = "failed", _("ลงนามไม่สำเร็จ")
    SIGNED = "signed", _("ลงนามแล้ว")


EDITABLE = (DraftStatus.DRAFT, DraftStatus.RETURNED)

# How each drafted kind is recorded in the registers: (kind, sub-kind).
REGISTER_KIND: dict[str, tuple[str, str]] = {
    DraftKind.EXTERNAL: (LetterKind.EXTERNAL, ""),
    DraftKind.MEMO: (LetterKind.INTERNAL, ""),
    DraftKind.STAMPED: (LetterKind.STAMPED, ""),
    DraftKind.ORDER: (LetterKind.DIRECTIVE, LetterSubKind.ORDER),
    DraftKind.ANNOUNCEMENT: (LetterKind.PUBLIC_RELATIONS, LetterSubKind.ANNOUNCEMENT),
}


def register_for(kind: str, *, circular: bool) -> str:
    """Which register numbers it: orders and announcements have their own ``n/<BE year>``."""
    if kind == DraftKind.ORDER:
        return RegisterKind.ORDER
    if kind == DraftKind.ANNOUNCEMENT:
        return RegisterKind.ANNOUNCEMENT
    return RegisterKind.CIRCULAR if circular else RegisterKind.SEND
