"""What callers hand to the services: plain, typed data (from forms, the API, mail, e-CMS)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from registers.choices import (
    SUB_KINDS,
    Channel,
    LetterKind,
    RetentionClass,
    Secrecy,
    Urgency,
)
from registers.errors import InvalidLetter


@dataclasses.dataclass(frozen=True)
class ReferenceInput:
    reference: str = ""
    letter_date: date | None = None
    subject: str = ""


@dataclasses.dataclass(frozen=True)
class LetterInput:
    channel: str
    kind: str = LetterKind.EXTERNAL
    sub_kind: str = ""
    reference: str = ""
    letter_date: date | None = None
    sender: str = ""
    sender_email: str = ""
    sender_org_code: str = ""
    recipient: str = ""
    recipient_email: str = ""
    recipient_org_code: str = ""
    subject: str = ""
    summary: str = ""
    urgency: str = Urgency.NORMAL
    urgent_by: datetime | None = None
    secrecy: str = Secrecy.NORMAL
    retention_class: str = ""
    retention_law: str = ""
    retention_years: int | None = None
    owner_unit_id: int | None = None
    references: tuple[ReferenceInput, ...] = ()
    enclosures: tuple[str, ...] = ()
    message_id: str = ""
    source_tenant: str = ""
    source_letter_id: int | None = None
    ecms_id: str = ""

    def validate(self) -> None:
        if self.kind not in LetterKind.values:
            raise InvalidLetter(_("ชนิดหนังสือไม่ถูกต้อง: %(value)s"), value=self.kind)
        allowed = SUB_KINDS.get(self.kind, ())
        if self.sub_kind and self.sub_kind not in allowed:
            raise InvalidLetter(_("ประเภทย่อย %(sub)s ใช้กับชนิดหนังสือนี้ไม่ได้"), sub=self.sub_kind)
        if allowed and not self.sub_kind:
            raise InvalidLetter(_("โปรดเลือกประเภทย่อยของหนังสือ"))
        if self.channel not in Channel.values:
            raise InvalidLetter(_("ช่องทางไม่ถูกต้อง: %(value)s"), value=self.channel)
        if self.urgency not in Urgency.values:
            raise InvalidLetter(_("ชั้นความเร็วไม่ถูกต้อง: %(value)s"), value=self.urgency)
        if self.urgent_by is not None and self.urgency == Urgency.NORMAL:
            raise InvalidLetter(_('หนังสือ "ด่วนภายใน" ต้องมีชั้นความเร็ว'))
        if self.secrecy not in Secrecy.values:
            raise InvalidLetter(_("ชั้นความลับไม่ถูกต้อง: %(value)s"), value=self.secrecy)
        if self.secrecy == Secrecy.TOP_SECRET:
            if self.channel in (Channel.EMAIL, Channel.PLATFORM, Channel.ECMS):
                raise InvalidLetter(
                    _("หนังสือลับที่สุดรับส่งทางระบบอิเล็กทรอนิกส์ไม่ได้ ต้องเป็นเอกสารกระดาษเท่านั้น")
                )
            if self.summary or self.subject:
                raise InvalidLetter(_("หนังสือลับที่สุดบันทึกได้เฉพาะการมีอยู่ของหนังสือ ห้ามบันทึกเรื่องหรือเนื้อหา"))
        if self.retention_class and self.retention_class not in RetentionClass.values:
            raise InvalidLetter(_("อายุการเก็บไม่ถูกต้อง: %(value)s"), value=self.retention_class)
        if self.retention_class == RetentionClass.OTHER_LAW and not self.retention_law:
            raise InvalidLetter(_("โปรดระบุกฎหมายที่กำหนดอายุการเก็บ"))
        if self.secrecy != Secrecy.TOP_SECRET and not self.subject.strip():
            raise InvalidLetter(_("โปรดระบุเรื่อง"))


@dataclasses.dataclass(frozen=True)
class FileInput:
    """A file as it arrived: its name as the sender gave it, and its bytes."""

    name: str
    content: bytes
