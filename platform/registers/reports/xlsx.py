"""The XLSX of a report: the same columns in the same order, dates as BE text, frozen header."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from registers.reports.model import Report

FONT_NAME = "TH SarabunPSK"  # the government's standard font, installed on its PCs
CHARS_PER_CM = 4.6  # Excel width units per cm of the printed column, at 14 pt
MAX_SHEET_TITLE = 31  # Excel's limit on sheet names

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")


def report_xlsx(report: Report, *, thai_digits: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = report.title[:MAX_SHEET_TITLE]
    width = len(report.columns)
    last = get_column_letter(width)
    plain = Font(name=FONT_NAME, size=14)
    bold = Font(name=FONT_NAME, size=14, bold=True)

    rows_written = 0

    def add(values: list[Any]) -> int:
        # Counted here: ``sheet.max_row`` scans every cell, quadratic over 5,000 rows.
        nonlocal rows_written
        sheet.append(values)
        rows_written += 1
        return rows_written

    def full_row(text: str, font: Font) -> int:
        row = add([text])
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = sheet.cell(row=row, column=1)
        cell.font = font
        return row

    title_row = full_row(report.title, Font(name=FONT_NAME, size=18, bold=True))
    sheet.cell(row=title_row, column=1).alignment = Alignment(horizontal="center")
    for line in (report.agency, report.subtitle):
        row = full_row(line, Font(name=FONT_NAME, size=16))
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    for note in (report.form_label, *report.notes):
        if note:
            full_row(note, plain)

    header_row = add([column.title for column in report.columns])
    for index in range(1, width + 1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"

    numeric = [column.numeric and not thai_digits for column in report.columns]
    # One named style per alignment: assigning it is a copy, where setting font, border and
    # alignment cell by cell hashes each of them (four times slower over 40,000 cells).
    cell_styles: dict[str, str] = {}
    for align in sorted({column.align for column in report.columns}):
        style = NamedStyle(
            name=f"saraban-cell-{align}",
            font=plain,
            border=BORDER,
            alignment=Alignment(horizontal=align, vertical="top", wrap_text=True),
        )
        book.add_named_style(style)
        cell_styles[align] = style.name
    styles = [cell_styles[column.align] for column in report.columns]
    for section in report.sections:
        if section.heading:
            row = full_row(section.heading, bold)
            sheet.cell(row=row, column=1).fill = SECTION_FILL
        for values in section.rows:
            row = add(
                [
                    int(value) if numeric[i] and value.isascii() and value.isdigit() else value
                    for i, value in enumerate(values)
                ]
            )
            for index in range(width):
                sheet.cell(row=row, column=index + 1).style = styles[index]
    if report.row_count == 0:
        full_row(_("ไม่มีรายการ"), plain)

    if report.signers:
        add([])
        for signer in report.signers:
            add([f"{_('ลงชื่อ')} {'.' * 40} {signer.role}"])
            add([f"({signer.name or '.' * 40})"])
            if signer.position:
                add([signer.position])

    for index, column in enumerate(report.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = round(column.width * CHARS_PER_CM, 1)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if report.landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.properties.title = f"{report.title} {report.subtitle}"
    book.properties.creator = report.agency

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
