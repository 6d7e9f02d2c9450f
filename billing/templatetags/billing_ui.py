"""Money as Thai invoices write it: ``12,345.00 บาท`` from an amount in satang."""

from __future__ import annotations

from django import template

register = template.Library()


def format_baht(satang: int | None) -> str:
    """``1234500`` -> ``12,345.00 บาท`` (amounts are stored in satang, THB x 100)."""
    return f"{(satang or 0) / 100:,.2f} บาท"


@register.filter
def baht(satang: int | None) -> str:
    return format_baht(satang)
