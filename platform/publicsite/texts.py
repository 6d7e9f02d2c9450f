"""The standard announcement of the electronic contact channel and how its details fill in.

The Electronic Public Administration Act B.E. 2565 (พระราชบัญญัติการปฏิบัติราชการทาง
อิเล็กทรอนิกส์ พ.ศ. 2565) asks every agency to announce to the public the electronic channel
through which it can be contacted. The wording below is a default the tenant admin edits; the
exact clause to cite was not at hand (domain.md: "verify"), so the text names the Act only.
"""

from __future__ import annotations

import dataclasses
from string import Template

from django.utils.translation import gettext as _

PLACEHOLDERS = ("name", "address", "phone", "website", "hours", "postal")


@dataclasses.dataclass(frozen=True)
class ChannelDetails:
    name: str
    address: str
    phone: str
    website: str
    hours: str
    postal: str


def standard_announcement() -> str:
    """The default text; ``$name`` and the others are filled in when the page is shown."""
    return _(
        "ประกาศ$name\n"
        "เรื่อง ช่องทางการติดต่อราชการทางอิเล็กทรอนิกส์\n\n"
        "เพื่อให้ประชาชนและหน่วยงานต่าง ๆ ติดต่อราชการกับ$name ได้ทางอิเล็กทรอนิกส์ "
        "ตามพระราชบัญญัติการปฏิบัติราชการทางอิเล็กทรอนิกส์ พ.ศ. 2565 "
        "จึงประกาศช่องทางการติดต่อทางอิเล็กทรอนิกส์ ดังนี้\n"
        "1. ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง (อีเมล): $address\n"
        "2. เว็บไซต์: $website\n"
        "3. โทรศัพท์: $phone\n\n"
        "หนังสือ คำขอ หรือเอกสารที่ส่งมาทางช่องทางข้างต้นจะได้รับการลงทะเบียนรับ "
        "และแจ้งผลการรับกลับไปยังผู้ส่ง เจ้าหน้าที่ตรวจสอบอีเมลกลางอย่างน้อยวันละ 2 ครั้ง "
        "(เช้าและบ่าย) ในเวลาทำการ: $hours\n"
        "ที่อยู่ทางไปรษณีย์: $postal"
    )


def fill(text: str, details: ChannelDetails) -> str:
    """Fill the placeholders; an unknown ``$word`` stays as typed (never an error on the page)."""
    return Template(text).safe_substitute(dataclasses.asdict(details))
