"""What is printed on a letter, built from a draft: labels, formatted dates, digits.

The letter's own wording is Thai whatever the reader's interface language (it is an official
document), so its labels are plain Thai strings, not translated messages.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import lru_cache
from typing import Any

from letters.choices import DraftKind
from registers.choices import Secrecy, Urgency
from thaiformat.dates import format_thai_date, thai_digits

LABELS = {
    "number": "ที่",
    "date": "วันที่",
    "subject": "เรื่อง",
    "salutation": "เรียน",
    "to": "ถึง",
    "reference": "อ้างถึง",
    "enclosure": "สิ่งที่ส่งมาด้วย",
    "department": "ส่วนราชการ",
    "memo_title": "บันทึกข้อความ",
}
UNNUMBERED = "(รอออกเลข)"
DEFAULT_CLOSING: dict[str, str] = {DraftKind.EXTERNAL: "ขอแสดงความนับถือ"}
# คำสั่ง / ประกาศ: the title word before the agency's name, and the word of the closing date.
TITLE_WORD: dict[str, str] = {DraftKind.ORDER: "คำสั่ง", DraftKind.ANNOUNCEMENT: "ประกาศ"}
ISSUED_WORD: dict[str, str] = {DraftKind.ORDER: "สั่ง", DraftKind.ANNOUNCEMENT: "ประกาศ"}
URGENCY_TEXT: dict[str, str] = {
    Urgency.URGENT: "ด่วน",
    Urgency.VERY_URGENT: "ด่วนมาก",
    Urgency.MOST_URGENT: "ด่วนที่สุด",
}
SECRECY_TEXT: dict[str, str] = {
    Secrecy.CONFIDENTIAL: "ลับ",
    Secrecy.SECRET: "ลับมาก",
    Secrecy.TOP_SECRET: "ลับที่สุด",
}


@dataclasses.dataclass(frozen=True)
class LetterContent:
    """Everything the template needs. ``number`` and ``qr_svg`` are empty until issue."""

    kind: str
    agency: str
    subject: str
    body: str
    addressee: str = ""
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
    number: str = ""
    letter_date: date | None = None
    qr_svg: str = ""
    draft_mark: str = ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _joined(text: str) -> str:
    """อ้างถึง / สิ่งที่ส่งมาด้วย: one item per line; several are numbered 1. 2. ..."""
    items = _lines(text)
    if len(items) < 2:
        return items[0] if items else ""
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))


@lru_cache(maxsize=4096)
def _tokens(line: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize  # loads its dictionary on first use

    return tuple(word_tokenize(line, engine="newmm", keep_whitespace=True))


def words(text: str) -> list[str]:
    """Dictionary words of ``text`` (spaces kept as " ", line ends as "\\n") for the template,
    which boxes each word so a line breaks only between words."""
    out: list[str] = []
    for number, line in enumerate(_lines(text)):
        if number:
            out.append("\n")
        out.extend(" " if token.isspace() else token for token in _tokens(line))
    return out


def template_data(content: LetterContent) -> dict[str, Any]:
    """The JSON the typst template reads (sys.inputs.data)."""
    when = format_thai_date(content.letter_date) if content.letter_date else ""
    title_word = TITLE_WORD.get(content.kind, "")
    issued_word = ISSUED_WORD.get(content.kind, "")
    issued_on = ""
    if issued_word:  # "สั่ง ณ วันที่ 22 พฤศจิกายน พ.ศ. 2569"; dotted until the date is known
        day_month, _space, year = when.rpartition(" ")
        issued_on = f"{issued_word} ณ วันที่ " + (
            f"{day_month} พ.ศ. {year}" if when else "........................"
        )
    data: dict[str, Any] = {
        "kind": content.kind,
        "agency": content.agency,
        "title": f"{title_word}{content.agency}",
        "subject": content.subject,
        "words": {
            "subject": words(content.subject),
            "addressee": words(content.addressee),
            "department": words(content.department) if content.kind == DraftKind.MEMO else [],
            "address": words(content.department) if content.kind != DraftKind.MEMO else [],
            "references": words(_joined(content.references)),
            "enclosures": words(_joined(content.enclosures)),
            "body": [words(paragraph) for paragraph in _lines(content.body)],
        },
        "closing": content.closing or DEFAULT_CLOSING.get(content.kind, ""),
        "signer_name": content.signer_name,
        "signer_position": content.signer_position,
        "contact": _lines(content.contact),
        "urgency": URGENCY_TEXT.get(content.urgency, ""),
        "secrecy": SECRECY_TEXT.get(content.secrecy, ""),
        "number": content.number or UNNUMBERED,
        "date": when,
        "issued_on": issued_on,
        "draft_mark": content.draft_mark,
        "page_label": "หน้า",
        "labels": LABELS,
        "qr_caption": "ตรวจสอบหนังสือ",
    }
    if content.thai_digits:
        data = _with_thai_digits(data)
    data["qr_svg"] = content.qr_svg  # never translate the QR code's own SVG
    return data


def _with_thai_digits(value: Any) -> Any:
    if isinstance(value, str):
        return thai_digits(value)
    if isinstance(value, list):
        return [_with_thai_digits(item) for item in value]
    if isinstance(value, dict):
        return {key: _with_thai_digits(item) for key, item in value.items()}
    return value
