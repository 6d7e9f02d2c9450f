"""Form fields for dates as Thai staff read and type them: day/month/Buddhist-Era year.

``21/11/2569``, ``21/11/69`` and Thai digits are read as BE; ISO ``2026-11-21`` (CE) is accepted
too, so a date pasted from another system still works. A browser date picker is not used on
purpose: it shows Christian-Era years, the very mistake clerks must not make. Used by the
municipalities' staff pages and by the vendor console alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thaiformat.dates import BE_OFFSET, arabic_digits

BE_DATE_HELP = _("วัน/เดือน/ปี พ.ศ. เช่น 21/11/2569 (รับรูปแบบ 2026-11-21 ได้ด้วย)")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
# Years from here on are Buddhist Era; below, a four-digit year in d/m/y form is refused,
# because a Christian-Era year there is almost always a slip.
_BE_MIN = 2400


def parse_be_date(text: str) -> dt.date:
    """``21/11/2569``, ``21/11/69``, ``๒๑/๑๑/๒๕๖๙`` (BE) or ``2026-11-21`` (ISO, CE) -> date."""
    value = arabic_digits(text.strip())
    iso = _ISO.match(value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        if year >= _BE_MIN:  # 2569-11-21: a BE year in ISO order
            year -= BE_OFFSET
    else:
        dmy = _DMY.match(value)
        if not dmy:
            raise forms.ValidationError(_("รูปแบบวันที่ไม่ถูกต้อง ใช้ วว/ดด/ปปปป เช่น 21/11/2569"))
        day, month, year = (int(part) for part in dmy.groups())
        if year < 100:
            year += 2500
        if year < _BE_MIN:
            raise forms.ValidationError(_("ปีต้องเป็นพุทธศักราช เช่น 2569"))
        year -= BE_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise forms.ValidationError(_("ไม่มีวันที่นี้ในปฏิทิน")) from None


def format_be_date(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year + BE_OFFSET}"


class BEDateInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": "วว/ดด/ปปปป",
            "inputmode": "numeric",
            "autocomplete": "off",
            "data-be-date": "",
            "size": 12,
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return format_be_date(value)
        return super().format_value(value)


class BEDateField(forms.DateField):
    widget = BEDateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", BE_DATE_HELP)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_be_date(str(value))
