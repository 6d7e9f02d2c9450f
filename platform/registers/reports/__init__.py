"""Printable registers and lists of the correspondence regulation (forms 13, 14, 19, 20, 21, 25).

``report_render(kind, fmt, start=..., end=...)`` gives PDF (typst) or XLSX (openpyxl) bytes with
the columns in the form's order; ``REPORT_KINDS`` names the kinds for the UI.
"""

from registers.reports.kinds import FORMATS, LIST_KINDS, REPORT_KINDS, InvalidReport
from registers.reports.render import RenderedReport, report_render

__all__ = [
    "FORMATS",
    "LIST_KINDS",
    "REPORT_KINDS",
    "InvalidReport",
    "RenderedReport",
    "report_render",
]
