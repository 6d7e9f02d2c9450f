"""What the drafting form hands to the services: plain, typed data."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext_lazy as _

from letters.choices import DraftKind
from letters.errors import InvalidDraft
from registers.choices import Channel, Secrecy, Urgency

# Kinds that are addressed to someone (เรียน on letters and memos, ถึง on stamped letters).
ADDRESSED = (DraftKind.EXTERNAL, DraftKind.MEMO, DraftKind.STAMPED)
# Kinds that carry a signer's name and position (a stamped letter carries the agency's seal).
SIGNED = (DraftKind.EXTERNAL, DraftKind.MEMO, DraftKind.ORDER, DraftKind.ANNOUNCEMENT)


@dataclasses.dataclass(frozen=True)
class DraftInput:
    kind: str
    subject: str
    body: str
    addressee: str = ""
    recipient_email: str = ""
    department: str = ""
    references: str = ""
    enclosures: str = ""
    closing: str = ""
    signer_name: str = ""
    signer_position: str = ""
    contact: str = ""
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    thai_digits: bool = False
    circular: bool = False
    channel: str = Channel.EMAIL

    def validate(self) -> None:
        if self.kind not in DraftKind.values:
            raise InvalidDraft(_("ชนิดหนังสือไม่ถูกต้อง: %(value)s"), value=self.kind)
        if not self.subject.strip():
            raise InvalidDraft(_("โปรดระบุเรื่อง"))
        if not self.body.strip():
            raise InvalidDraft(_("โปรดระบุข้อความของหนังสือ"))
        if self.kind in ADDRESSED and not self.addressee.strip():
            raise InvalidDraft(_("โปรดระบุผู้รับ (เรียน / ถึง)"))
        if self.urgency not in Urgency.values:
            raise InvalidDraft(_("ชั้นความเร็วไม่ถูกต้อง: %(value)s"), value=self.urgency)
        if self.secrecy not in Secrecy.values:
            raise InvalidDraft(_("ชั้นความลับไม่ถูกต้อง: %(value)s"), value=self.secrecy)
        if self.secrecy == Secrecy.TOP_SECRET:
            # ลับที่สุด never goes through the electronic system (clause 29 as amended in 2564).
            raise InvalidDraft(_("หนังสือลับที่สุดจัดทำในระบบอิเล็กทรอนิกส์ไม่ได้ ต้องจัดทำเป็นเอกสารกระดาษ"))
        if self.channel not in Channel.values:
            raise InvalidDraft(_("ช่องทางไม่ถูกต้อง: %(value)s"), value=self.channel)
        if self.circular and self.kind not in (DraftKind.EXTERNAL, DraftKind.STAMPED):
            raise InvalidDraft(_("หนังสือเวียน (ว) ใช้ได้กับหนังสือภายนอกและหนังสือประทับตราเท่านั้น"))
