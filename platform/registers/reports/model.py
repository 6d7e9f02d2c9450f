"""A report as plain data: what both the PDF and the XLSX writers lay out, column for column."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

Align = str  # "left" | "center" | "right"
KEEP_ALL = "all"  # no break at any space: "21 พ.ย. 2569", "ว 45"
KEEP_CODE = "code"  # no break before a digit: "ขก 0023.3/ว 1234", "เก็บถึง พ.ศ. 2579"
KEEP_DATES = "dates"  # free text whose dates stay whole: "ส่ง กองคลัง 21 พ.ย. 2569"


@dataclasses.dataclass(frozen=True)
class Column:
    title: str
    # Width in cm on the page; the PDF scales all columns to the printable width, the XLSX
    # turns it into characters.
    width: float
    align: Align = "left"
    # Plain numbers go into the XLSX as numbers (sortable), everything else as text.
    numeric: bool = False
    # Line breaks the PDF avoids: KEEP_ALL for dates and numbers, KEEP_CODE for codes.
    keep: str = ""
    # In the PDF, as wide as its widest cell (dates: narrower with Arabic digits than Thai).
    fit: bool = False


@dataclasses.dataclass
class Section:
    """Rows under one heading, e.g. the date of registration (form 13's page header)."""

    heading: str
    rows: list[list[str]]


@dataclasses.dataclass(frozen=True)
class Signer:
    """A signature line: the committee of form 25, the parties of a handover."""

    role: str
    name: str = ""
    position: str = ""


@dataclasses.dataclass
class Report:
    kind: str
    title: str
    agency: str
    subtitle: str
    columns: list[Column]
    sections: list[Section]
    landscape: bool
    filename_stem: str
    notes: list[str] = dataclasses.field(default_factory=list)
    signers: list[Signer] = dataclasses.field(default_factory=list)
    # "แบบที่ 13" in the top corner, as on the regulation's paper form.
    form_label: str = ""
    printed: str = ""

    @property
    def row_count(self) -> int:
        return sum(len(section.rows) for section in self.sections)

    def map_text(self, convert: Callable[[str], str]) -> Report:
        """The same report with every printed string passed through ``convert`` (Thai digits)."""
        return dataclasses.replace(
            self,
            title=convert(self.title),
            agency=convert(self.agency),
            subtitle=convert(self.subtitle),
            columns=[dataclasses.replace(c, title=convert(c.title)) for c in self.columns],
            sections=[
                Section(convert(s.heading), [[convert(cell) for cell in row] for row in s.rows])
                for s in self.sections
            ],
            notes=[convert(note) for note in self.notes],
            signers=[
                Signer(convert(s.role), convert(s.name), convert(s.position)) for s in self.signers
            ],
            form_label=convert(self.form_label),
            printed=convert(self.printed),
        )
