"""Assemble the plain-data report of a kind: heading, columns in the form's order, rows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from registers.agency import current_agency
from registers.reports import cells, entries, retention
from registers.reports.kinds import (
    FORM_NUMBERS,
    LIST_KINDS,
    REGISTER_KINDS,
    REPORT_KINDS,
    InvalidReport,
)
from registers.reports.model import Column, Report, Section, Signer


def _be(day: dt.date | None, fallback: str) -> str:
    return f"{day.year + 543}{day:%m%d}" if day else fallback


def report_build(
    kind: str, *, start: dt.date | None, end: dt.date | None, list_id: int | None
) -> Report:
    if kind not in REPORT_KINDS:
        raise InvalidReport(_("ไม่มีรายงานชนิด %(kind)s"), kind=kind)
    if start and end and start > end:
        raise InvalidReport(_("วันเริ่มต้นต้องไม่อยู่หลังวันสิ้นสุด"))
    form = FORM_NUMBERS[kind]
    notes: list[str] = []
    signers: list[Signer] = []
    columns: list[Column]
    sections: list[Section]
    if kind in LIST_KINDS:
        if list_id is None:
            raise InvalidReport(_("โปรดเลือกบัญชีที่จะพิมพ์"))
        if kind == "destruction_list":
            dlist = retention.destruction_list(list_id)
            year, pk = dlist.year, dlist.pk
            columns = retention.destruction_columns()
            sections = retention.destruction_sections(dlist)
            notes += retention.destruction_notes(dlist)
            signers = retention.destruction_signers(dlist)
            landscape = True
        else:
            hlist = retention.handover_list(list_id)
            year, pk = hlist.year, hlist.pk
            columns = retention.handover_columns()
            sections = retention.handover_sections(hlist)
            notes += retention.handover_notes(hlist)
            signers = retention.handover_signers()
            landscape = False
        subtitle = _("ประจำปี พ.ศ. %(year)s") % {"year": year}
        stem = f"{kind}_{year}_{pk}"
    else:
        subtitle = cells.range_text(start, end)
        stem = f"{kind}_{_be(start, 'start')}-{_be(end, 'now')}"
        if kind in REGISTER_KINDS:
            columns = entries.register_columns(kind)
            sections = entries.register_sections(entries.entries_in_range(kind, start, end))
            landscape = True
        elif kind == "storage_list":
            columns = retention.storage_list_columns()
            sections = retention.storage_list_sections(start, end)
            landscape = False
        else:
            columns = retention.storage_register_columns()
            sections = retention.storage_register_sections(start, end)
            landscape = True
    return Report(
        kind=kind,
        title=str(REPORT_KINDS[kind]),
        agency=current_agency().name_th,
        subtitle=subtitle,
        columns=columns,
        sections=[section for section in sections if section.rows],
        landscape=landscape,
        filename_stem=stem,
        notes=notes,
        form_label=_("แบบที่ %(form)s") % {"form": form} if form else "",
        signers=signers,
        printed=_("พิมพ์เมื่อ %(when)s") % {"when": cells.short_datetime(timezone.now())},
    )
