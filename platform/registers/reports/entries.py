"""Forms 13 and 14 and their kin: one line per number, cancelled and reserved numbers included."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from registers.choices import AssignmentStatus, EntryStatus, RegisterKind, Urgency
from registers.models import Assignment, RegisterEntry
from registers.reports import cells
from registers.reports.model import KEEP_ALL, KEEP_CODE, KEEP_DATES, Column, Section


def entries_in_range(
    register: str, start: dt.date | None, end: dt.date | None
) -> QuerySet[RegisterEntry]:
    """Entries registered from ``start`` to ``end`` inclusive, as Bangkok calendar days."""
    entries = RegisterEntry.objects.filter(
        register=register, **cells.day_range_filter("registered_at", start, end)
    )
    assignments = (
        Assignment.objects.exclude(status=AssignmentStatus.CANCELLED)
        .select_related("to_unit", "to_user")
        .order_by("assigned_at", "id")
    )
    return entries.select_related(
        "letter", "letter__storage", "cancelled_by", "reservation__for_unit"
    ).prefetch_related(Prefetch("letter__assignments", queryset=assignments))


def register_columns(register: str) -> list[Column]:
    number_title = _("เลขทะเบียนรับ") if register == RegisterKind.RECEIVE else _("เลขทะเบียนส่ง")
    plain_number = register in (RegisterKind.RECEIVE, RegisterKind.SEND)
    return [
        Column(number_title, 2.1, "center", numeric=plain_number, keep=KEEP_ALL),
        Column(_("ที่"), 3.5, keep=KEEP_CODE),
        Column(_("ลงวันที่"), 3.6, "center", keep=KEEP_ALL, fit=True),
        Column(_("จาก"), 3.4),
        Column(_("ถึง"), 3.3),
        Column(_("เรื่อง"), 5.8),
        Column(_("การปฏิบัติ"), 3.4, keep=KEEP_DATES),
        Column(_("หมายเหตุ"), 2.8, keep=KEEP_DATES),
    ]


def number_text(entry: RegisterEntry) -> str:
    """The register number as the register writes it: ``12``, ``ว 45`` or ``45/2569``."""
    if entry.register == RegisterKind.CIRCULAR:
        return f"ว {entry.number}"
    if entry.register in (RegisterKind.ORDER, RegisterKind.ANNOUNCEMENT):
        return f"{entry.number}/{entry.period}"
    return str(entry.number)


def _recipient(assignment: Assignment) -> str:
    names = [cells.person(assignment.to_user)] if assignment.to_user_id else []
    if assignment.to_unit_id:
        names.append(str(assignment.to_unit))
    return " ".join(names)


def action_text(letter: Any) -> str:
    """การปฏิบัติ: to whom it was forwarded and when, then where it was stored."""
    if letter is None:
        return ""
    lines = [
        _("ส่ง %(to)s %(date)s") % {"to": _recipient(a), "date": cells.short_date(a.assigned_at)}
        for a in letter.assignments.all()
    ]
    storage = getattr(letter, "storage", None)
    if storage is not None:
        stored = _("เก็บ %(date)s ลำดับที่ %(item)s/%(year)s") % {
            "date": cells.short_date(storage.stored_at),
            "item": storage.item_number,
            "year": storage.period,
        }
        if storage.file_code:
            stored += " " + _("แฟ้ม %(code)s") % {"code": storage.file_code}
        lines.append(stored)
    return "\n".join(lines)


def remarks_text(entry: RegisterEntry) -> str:
    letter = entry.letter
    urgency = ""
    if letter is not None and letter.urgency != Urgency.NORMAL:
        urgency = str(Urgency(letter.urgency).label)
    reservation = entry.reservation
    reserved = ""
    if entry.status == EntryStatus.RESERVED and reservation is not None:
        reserved = _("จองเลข: %(purpose)s") % {"purpose": reservation.purpose}
        if reservation.for_unit is not None:
            reserved += f" ({reservation.for_unit})"
    elif entry.status == EntryStatus.RESERVED:
        reserved = _("จองเลข: %(purpose)s") % {"purpose": entry.remarks}
    elif reservation is not None:
        reserved = _("ใช้เลขที่จองไว้: %(purpose)s") % {"purpose": reservation.purpose}
    cancelled = ""
    if entry.status == EntryStatus.CANCELLED:
        cancelled = _("ยกเลิก: %(reason)s โดย %(who)s เมื่อ %(when)s") % {
            "reason": entry.cancel_reason,
            "who": cells.person(entry.cancelled_by),
            "when": cells.short_datetime(entry.cancelled_at),
        }
    plain = "" if reservation is not None else entry.remarks
    return cells.join_lines(cancelled, reserved, urgency, plain)


def entry_row(entry: RegisterEntry) -> list[str]:
    letter = entry.letter
    reference = entry.reference or (letter.reference if letter is not None else "")
    number = number_text(entry)
    if letter is None:
        return [number, reference, "", "", "", "", "", remarks_text(entry)]
    return [
        number,
        reference,
        cells.short_date(letter.letter_date),
        letter.sender,
        letter.recipient,
        cells.subject_of(letter),
        # A cancelled number's letter may be registered again: its actions belong to that line.
        "" if entry.status == EntryStatus.CANCELLED else action_text(letter),
        remarks_text(entry),
    ]


def register_sections(entries: QuerySet[RegisterEntry]) -> list[Section]:
    """Rows in order of registration, under the date of registration (Bangkok)."""
    sections: list[Section] = []
    current: dt.date | None = None
    for entry in entries.order_by("registered_at", "period", "number").iterator(chunk_size=2000):
        day = cells.local_date(entry.registered_at)
        if day != current:
            current = day
            sections.append(Section(_("วันที่ %(date)s") % {"date": cells.long_date(day)}, []))
        sections[-1].rows.append(entry_row(entry))
    return sections
