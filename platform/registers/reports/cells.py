"""How values are written in report cells: short BE dates, masked secret subjects, retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from registers.choices import Secrecy
from thaiformat.dates import BANGKOK, format_thai_date, to_bangkok


def short_date(value: dt.date | dt.datetime | None) -> str:
    """``21 พ.ย. 2569`` (Bangkok date for a datetime); empty for no date."""
    return format_thai_date(value, short=True) if value is not None else ""


def short_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{short_date(value)} {to_bangkok(value):%H:%M} น."


def long_date(value: dt.date) -> str:
    return format_thai_date(value)


def local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(BANGKOK).date()


def range_text(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return _("ตั้งแต่วันที่ %(start)s ถึงวันที่ %(end)s") % {
            "start": long_date(start),
            "end": long_date(end),
        }
    if start:
        return _("ตั้งแต่วันที่ %(start)s") % {"start": long_date(start)}
    if end:
        return _("จนถึงวันที่ %(end)s") % {"end": long_date(end)}
    return _("ทุกรายการ")


def person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)


def subject_of(letter: Any) -> str:
    """Printed registers never show the subject of a secret letter, only its class."""
    if letter is None:
        return ""
    if letter.secrecy == Secrecy.TOP_SECRET:
        return _("ลับที่สุด")
    if letter.secrecy == Secrecy.SECRET:
        return _("หนังสือลับมาก")
    if letter.secrecy == Secrecy.CONFIDENTIAL:
        return _("หนังสือลับ")
    return str(letter.subject)


def retention(keep_until_year: int | None) -> str:
    """The retention stamp's wording: ``เก็บถึง พ.ศ. 2579``, or ``ห้ามทำลาย`` for permanent."""
    if keep_until_year is None:
        return _("ห้ามทำลาย")
    return _("เก็บถึง พ.ศ. %(year)s") % {"year": keep_until_year}


def join_lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def day_range_filter(field: str, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """Filter kwargs for ``field`` from ``start`` to ``end`` inclusive, as Bangkok calendar days."""
    bounds: dict[str, Any] = {}
    if start is not None:
        bounds[f"{field}__gte"] = dt.datetime.combine(start, dt.time.min, tzinfo=BANGKOK)
    if end is not None:
        after = end + dt.timedelta(days=1)
        bounds[f"{field}__lt"] = dt.datetime.combine(after, dt.time.min, tzinfo=BANGKOK)
    return bounds
