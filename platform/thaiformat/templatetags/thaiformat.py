from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from thaiformat import dates

register = template.Library()


@register.filter
def thai_date(value: dt.date | dt.datetime | None, arg: str = "") -> str:
    if value is None:
        return ""
    return dates.format_thai_date(value, short=arg == "short")


@register.filter
def thai_datetime(value: dt.datetime | None) -> str:
    return "" if value is None else dates.format_thai_datetime(value)


@register.filter
def thai_digits(value: object) -> str:
    return dates.thai_digits(value)


@register.simple_tag
def now_thai() -> str:
    return dates.format_thai_datetime(timezone.now())
