"""The one entry point of the reports: a kind, a format, a range or a list -> file bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registers.reports.build import report_build
from registers.reports.kinds import FORMATS, InvalidReport
from registers.reports.pdf import report_pdf
from registers.reports.xlsx import report_xlsx
from registers.selectors.settings import registry_settings
from thaiformat.dates import thai_digits as to_thai_digits

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclasses.dataclass(frozen=True)
class RenderedReport:
    content: bytes
    filename: str
    content_type: str


def report_render(
    kind: str,
    fmt: str,
    *,
    start: dt.date | None,
    end: dt.date | None,
    list_id: int | None = None,
    thai_digits: bool | None = None,
) -> RenderedReport:
    """Render a register (by ``registered_at``, Bangkok days) or a retention list, as PDF or XLSX.

    Runs inside the municipality's schema. The registers are the regulation's Thai forms, so
    they are written in Thai whatever the reader's interface language.
    """
    if fmt not in FORMATS:
        raise InvalidReport(_("ไม่รองรับรูปแบบไฟล์ %(fmt)s"), fmt=fmt)
    if thai_digits is None:
        thai_digits = registry_settings().thai_digits
    with translation.override("th"):
        report = report_build(kind, start=start, end=end, list_id=list_id)
        limit = settings.REPORTS_PDF_MAX_ROWS
        if fmt == "pdf" and report.row_count > limit:
            raise InvalidReport(  # lazy: the registers print in Thai, the reader may not
                gettext_lazy(
                    "ช่วงที่เลือกมี %(rows)s รายการ เกินกว่าที่พิมพ์เป็น PDF ได้ในครั้งเดียว"
                    " (%(limit)s รายการ) โปรดเลือกช่วงวันที่สั้นลง หรือดาวน์โหลดเป็น Excel"
                ),
                rows=f"{report.row_count:,}",
                limit=f"{limit:,}",
            )
        if thai_digits:
            report = report.map_text(to_thai_digits)
        if fmt == "pdf":
            content = report_pdf(report, thai_digits=thai_digits)
        else:
            content = report_xlsx(report, thai_digits=thai_digits)
    return RenderedReport(
        content=content,
        filename=f"{report.filename_stem}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )
