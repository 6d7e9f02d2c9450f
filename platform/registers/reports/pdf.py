"""The PDF of a report, typeset by typst with the shipped Thai font (Laksaman).

Every string set in the table, the page header or the footer is broken between Thai words here
(``thaibreak``) and set in typst's ``prebroken`` mode (see the template), so typst's LSTM never
runs on a cell. The PDF is untagged: typst would tag those cells with the language that selects
its line breaker (``zh``), so a screen reader would read Thai as Chinese; untagged, the whole file
is Thai (the catalog's ``/Lang``), and it is a third of the size.

A long register is typeset in parts (``PART_ROWS``), each starting on a new page: typst lays out
the page runs between page breaks in parallel, one per core, and numbers the sheets across them.
The split is fixed by the row count, never by the machine, so a register prints alike
everywhere; the page before each split may be short.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import typst
from django.utils.translation import gettext as _

from registers.reports.model import KEEP_ALL, KEEP_CODE, KEEP_DATES, Report, Section
from registers.reports.thaibreak import ZERO_WIDTH_SPACE, thai_words
from thaiformat.dates import THAI_MONTHS_SHORT

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONTS = Path(__file__).resolve().parent.parent / "fonts"


# Rows per part of a long register, and the fewest rows worth splitting (see the docstring).
# Parts come in pairs (2, 4, ...) so that two cores share the work evenly.
PART_ROWS = 2_500
SPLIT_FROM_ROWS = 1_000

# Column titles are bold and their columns narrow: "เลขทะเบียนรับ" must wrap as เลข|ทะเบียน|รับ.
TITLE_LONGEST_WORD = 6

NBSP = "\u00a0"
_SPACE_BEFORE_DIGIT = re.compile(r" (?=[0-9๐-๙])")
_MONTHS = "|".join(re.escape(month) for month in THAI_MONTHS_SHORT)
_SHORT_DATE = re.compile(rf"[0-9๐-๙]{{1,2}} (?:{_MONTHS}) [0-9๐-๙]{{4}}")


def _keep_together(report: Report, rows: list[list[str]]) -> list[list[str]]:
    """Non-breaking spaces where a break would split a date, a number or a code; free text
    breaks only between Thai words."""
    keep = [column.keep for column in report.columns]

    def fixed(value: str, how: str) -> str:
        if how == KEEP_ALL:
            return value.replace(" ", NBSP)
        if how == KEEP_CODE:
            # A code wider than its column ("กษ ๐๘๗๑.๖/๖๙๓๔", Thai digits are wide) may wrap
            # after its slash, as a clerk writes it; it would overflow into the next column.
            value = _SPACE_BEFORE_DIGIT.sub(NBSP, value).replace("/", "/" + ZERO_WIDTH_SPACE)
        elif how == KEEP_DATES:
            value = _SHORT_DATE.sub(lambda m: m.group(0).replace(" ", NBSP), value)
        return thai_words(value)

    return [[fixed(value, keep[i]) for i, value in enumerate(row)] for row in rows]


def _parts(report: Report) -> list[list[Section]]:
    """The sections cut into parts of equal row counts; a section cut in two keeps its heading
    in both parts (as on a page break: the date heading repeats)."""
    total = report.row_count
    if total < SPLIT_FROM_ROWS:
        return [report.sections]
    count = 2 * -(-total // (2 * PART_ROWS))
    bounds = [total * k // count for k in range(1, count)] + [total]
    parts: list[list[Section]] = [[]]
    seen = 0
    for section in report.sections:
        rows = section.rows
        while rows:
            room = bounds[len(parts) - 1] - seen
            if room <= 0:
                parts.append([])
                continue
            taken, rows = rows[:room], rows[room:]
            parts[-1].append(Section(section.heading, taken))
            seen += len(taken)
    return parts


def report_pdf(report: Report, *, thai_digits: bool) -> bytes:
    """Data goes in as JSON through ``sys.inputs``: user text is never spliced into markup."""
    data = {
        "title": report.title,
        "agency": report.agency,
        "subtitle": report.subtitle,
        "form_label": report.form_label,
        "notes": report.notes,
        "printed": report.printed,
        # The page header and footer, in the prebroken mode of the table.
        "marginal": {
            "left": thai_words(f"{report.agency}  {report.title}"),
            "right": thai_words(report.subtitle),
            "first": thai_words(report.form_label),
            "printed": thai_words(report.printed),
        },
        "landscape": report.landscape,
        "thai_digits": thai_digits,
        "columns": [
            {
                "title": thai_words(c.title, longest=TITLE_LONGEST_WORD),
                "width": c.width,
                "align": c.align,
                "fit": c.fit,
            }
            for c in report.columns
        ],
        "parts": [
            [
                {"heading": thai_words(s.heading), "rows": _keep_together(report, s.rows)}
                for s in part
            ]
            for part in _parts(report)
        ],
        "signers": [
            {"role": s.role, "name": s.name, "position": s.position} for s in report.signers
        ],
        "labels": {
            "sheet": _("แผ่นที่"),
            "of": _("จาก"),
            "empty": thai_words(_("ไม่มีรายการ")),
            "sign": _("ลงชื่อ"),
        },
    }
    pdf = typst.compile(
        str(TEMPLATES / "report.typ"),
        root=str(TEMPLATES),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        pdf_tags=False,
    )
    return bytes(pdf)
