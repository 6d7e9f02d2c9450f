"""Dates as the regulation writes them: day, full Thai month, Buddhist-Era year, Bangkok time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_ARABIC_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def to_bangkok(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: store and pass aware datetimes only")
    return value.astimezone(BANGKOK)


def be_year(value: dt.date | dt.datetime) -> int:
    """The Buddhist-Era year; for a datetime, of its Bangkok calendar date."""
    if isinstance(value, dt.datetime):
        value = to_bangkok(value).date()
    return value.year + BE_OFFSET


def thai_digits(text: object) -> str:
    return str(text).translate(_THAI_DIGITS)


def arabic_digits(text: str) -> str:
    return text.translate(_ARABIC_DIGITS)


def format_thai_date(
    value: dt.date | dt.datetime, *, short: bool = False, digits: str = "arabic"
) -> str:
    """``25 พฤษภาคม 2564`` (or ``25 พ.ค. 2564``); Thai digits with ``digits="thai"``."""
    if isinstance(value, dt.datetime):
        value = to_bangkok(value).date()
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    text = f"{value.day} {months[value.month - 1]} {value.year + BE_OFFSET}"
    return thai_digits(text) if digits == "thai" else text


def format_thai_datetime(value: dt.datetime, *, digits: str = "arabic") -> str:
    """``25 พฤษภาคม 2564 เวลา 09:05 น.`` in Bangkok time."""
    local = to_bangkok(value)
    text = f"{format_thai_date(local)} เวลา {local:%H:%M} น."
    return thai_digits(text) if digits == "thai" else text
