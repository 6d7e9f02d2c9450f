"""Forms 19, 20, 21 and 25: storage, the list for destruction and the 20-year handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from registers.choices import DestructionDecision, EntryStatus, RegisterKind
from registers.models import (
    DestructionList,
    HandoverList,
    RegisterEntry,
    StorageRecord,
)
from registers.reports import cells
from registers.reports.kinds import InvalidReport
from registers.reports.model import KEEP_ALL, KEEP_CODE, Column, Section, Signer


def _records(start: dt.date | None, end: dt.date | None) -> Any:
    receive_entries = RegisterEntry.objects.filter(
        register=RegisterKind.RECEIVE, status=EntryStatus.ACTIVE
    ).order_by("registered_at")
    return (
        StorageRecord.objects.filter(**cells.day_range_filter("stored_at", start, end))
        .select_related("letter")
        .prefetch_related(Prefetch("letter__entries", queryset=receive_entries))
        .order_by("stored_at", "period", "item_number")
    )


def storage_list_columns() -> list[Column]:
    """Form 19 บัญชีหนังสือส่งเก็บ; its date is the section heading, its sheet the page number."""
    return [
        Column(_("ลำดับที่"), 1.8, "center", numeric=True, keep=KEEP_ALL),
        Column(_("ที่"), 3.5, keep=KEEP_CODE),
        Column(_("ลงวันที่"), 3.6, "center", keep=KEEP_ALL, fit=True),
        Column(_("เรื่อง"), 5.4),
        Column(_("อายุการเก็บหนังสือ"), 2.7, "center", keep=KEEP_CODE),
        Column(_("หมายเหตุ"), 2.0),
    ]


def storage_list_sections(start: dt.date | None, end: dt.date | None) -> list[Section]:
    sections: list[Section] = []
    current: dt.date | None = None
    for record in _records(start, end):
        day = cells.local_date(record.stored_at)
        if day != current:
            current = day
            sections.append(Section(_("วันที่ %(date)s") % {"date": cells.long_date(day)}, []))
        letter = record.letter
        sections[-1].rows.append(
            [
                str(record.item_number),
                letter.reference,
                cells.short_date(letter.letter_date),
                cells.subject_of(letter),
                cells.retention(record.keep_until_year),
                record.remarks,
            ]
        )
    return sections


def storage_register_columns() -> list[Column]:
    """Form 20 ทะเบียนหนังสือเก็บ."""
    return [
        Column(_("วันเก็บ"), 3.6, "center", keep=KEEP_ALL, fit=True),
        Column(_("ลำดับที่"), 1.8, "center", numeric=True, keep=KEEP_ALL),
        Column(_("เลขทะเบียนรับ"), 2.2, "center", numeric=True, keep=KEEP_ALL),
        Column(_("ที่"), 3.5, keep=KEEP_CODE),
        Column(_("เรื่อง"), 7.6),
        Column(_("รหัสแฟ้ม"), 2.4, keep=KEEP_CODE),
        Column(_("อายุการเก็บหนังสือ"), 3.0, "center", keep=KEEP_CODE),
        Column(_("หมายเหตุ"), 3.6),
    ]


def storage_register_sections(start: dt.date | None, end: dt.date | None) -> list[Section]:
    rows = []
    for record in _records(start, end):
        letter = record.letter
        # Outgoing letters have no receive number; their send number is part of ที่.
        received = [str(e.number) for e in letter.entries.all()]
        rows.append(
            [
                cells.short_date(record.stored_at),
                str(record.item_number),
                ", ".join(received),
                letter.reference,
                cells.subject_of(letter),
                record.file_code,
                cells.retention(record.keep_until_year),
                record.remarks,
            ]
        )
    return [Section("", rows)]


def _file_code(letter: Any) -> str:
    storage = getattr(letter, "storage", None)
    return storage.file_code if storage is not None else ""


def destruction_columns() -> list[Column]:
    """Form 25 บัญชีหนังสือขอทำลาย."""
    return [
        Column(_("ลำดับที่"), 1.8, "center", numeric=True, keep=KEEP_ALL),
        Column(_("รหัสแฟ้ม"), 2.4, keep=KEEP_CODE),
        Column(_("ที่"), 3.5, keep=KEEP_CODE),
        Column(_("ลงวันที่"), 3.6, "center", keep=KEEP_ALL, fit=True),
        Column(_("เรื่อง"), 8.4),
        Column(_("การพิจารณา"), 4.4, keep=KEEP_CODE),
        Column(_("หมายเหตุ"), 3.6),
    ]


def _decision(item: Any) -> str:
    # Pending items leave the cell blank for the committee to fill in.
    if item.decision == DestructionDecision.DESTROY:
        return _("ทำลาย")
    if item.decision == DestructionDecision.KEEP:
        if item.keep_until_year:
            return _("ไม่ทำลาย ขยายเวลาเก็บถึง พ.ศ. %(year)s") % {"year": item.keep_until_year}
        return _("ไม่ทำลาย")
    return ""


def destruction_list(list_id: int) -> DestructionList:
    found = (
        DestructionList.objects.filter(pk=list_id)
        .prefetch_related("committee", "items__letter__storage")
        .first()
    )
    if found is None:
        raise InvalidReport(_("ไม่พบบัญชีหนังสือขอทำลายเลขที่ %(id)s"), id=list_id)
    return found


def destruction_sections(dlist: DestructionList) -> list[Section]:
    rows = [
        [
            str(item.item_number),
            _file_code(item.letter),
            item.letter.reference,
            cells.short_date(item.letter.letter_date),
            cells.subject_of(item.letter),
            _decision(item),
            item.remarks,
        ]
        for item in dlist.items.all()
    ]
    return [Section("", rows)]


def destruction_notes(dlist: DestructionList) -> list[str]:
    notes = [_("สถานะ: %(status)s") % {"status": dlist.get_status_display()}]
    if dlist.sent_at is not None:
        notes.append(
            _("ส่งกรมศิลปากร ที่ %(reference)s เมื่อ %(date)s")
            % {"reference": dlist.sent_reference or "-", "date": cells.short_date(dlist.sent_at)}
        )
    if dlist.archives_answer:
        notes.append(
            _("คำตอบของหอจดหมายเหตุ: %(answer)s %(date)s")
            % {
                "answer": dlist.get_archives_answer_display(),
                "date": cells.short_date(dlist.archives_answered_at),
            }
        )
    if dlist.destroyed_at is not None:
        notes.append(_("ทำลายเมื่อ %(date)s") % {"date": cells.short_date(dlist.destroyed_at)})
    return notes


def destruction_signers(dlist: DestructionList) -> list[Signer]:
    return [
        Signer(member.get_role_display(), member.name, member.position)
        for member in dlist.committee.all()
    ]


def handover_columns() -> list[Column]:
    """Form 21 บัญชีส่งมอบหนังสือครบ 20 ปี."""
    return [
        Column(_("ลำดับที่"), 1.8, "center", numeric=True, keep=KEEP_ALL),
        Column(_("รหัสแฟ้ม"), 2.2, keep=KEEP_CODE),
        Column(_("ที่"), 3.5, keep=KEEP_CODE),
        Column(_("ลงวันที่"), 3.6, "center", keep=KEEP_ALL, fit=True),
        Column(_("เรื่อง"), 5.6),
        Column(_("หมายเหตุ"), 2.3),
    ]


def handover_list(list_id: int) -> HandoverList:
    found = (
        HandoverList.objects.filter(pk=list_id).prefetch_related("items__letter__storage").first()
    )
    if found is None:
        raise InvalidReport(_("ไม่พบบัญชีส่งมอบหนังสือเลขที่ %(id)s"), id=list_id)
    return found


def handover_sections(hlist: HandoverList) -> list[Section]:
    rows = [
        [
            str(item.item_number),
            _file_code(item.letter),
            item.letter.reference,
            cells.short_date(item.letter.letter_date),
            cells.subject_of(item.letter),
            item.remarks,
        ]
        for item in hlist.items.all()
    ]
    return [Section("", rows)]


def handover_notes(hlist: HandoverList) -> list[str]:
    if hlist.handed_over_at is None:
        return []
    return [_("ส่งมอบเมื่อ %(date)s") % {"date": cells.short_date(hlist.handed_over_at)}]


def handover_signers() -> list[Signer]:
    return [Signer(_("ผู้ส่งมอบ")), Signer(_("ผู้รับมอบ"))]
