"""Print a register or list of one municipality to a PDF or XLSX file.

Dates are accepted in the Buddhist Era or the Common Era: a year of 2400 or more is read as BE
(2569-01-01 is 1 January 2026), anything smaller as CE.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from registers.errors import RegistersError
from registers.reports import FORMATS, LIST_KINDS, REPORT_KINDS, report_render
from tenants.models import Municipality

BE_THRESHOLD = 2400  # no CE date in a register is this late; no BE date this early


def parse_day(value: str) -> dt.date:
    """``YYYY-MM-DD`` in BE (year >= 2400) or CE."""
    try:
        year, month, day = (int(part) for part in value.split("-"))
        if year >= BE_THRESHOLD:
            year -= 543
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CommandError(f"วันที่ไม่ถูกต้อง / bad date: {value} (YYYY-MM-DD, BE or CE)") from exc


class Command(BaseCommand):
    help = "พิมพ์ทะเบียนหรือบัญชีเป็น PDF หรือ XLSX (วันที่เป็น พ.ศ. หรือ ค.ศ. ก็ได้)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="the municipality's schema")
        parser.add_argument("--kind", required=True, choices=list(REPORT_KINDS))
        parser.add_argument(
            "--from", dest="start", help="first day, YYYY-MM-DD in BE (2569-01-01) or CE"
        )
        parser.add_argument("--to", dest="end", help="last day (inclusive), BE or CE")
        parser.add_argument(
            "--list-id", type=int, help=f"the list to print ({', '.join(sorted(LIST_KINDS))})"
        )
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="pdf")
        digits = parser.add_mutually_exclusive_group()
        digits.add_argument("--thai-digits", dest="thai_digits", action="store_true")
        digits.add_argument("--arabic-digits", dest="thai_digits", action="store_false")
        parser.set_defaults(thai_digits=None)
        parser.add_argument(
            "-o", "--output", help="file to write (default: the report's own file name)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("th")
        schema = options["schema"]
        tenant = Municipality.objects.exclude(schema_name="public").filter(schema_name=schema)
        municipality = tenant.first()
        if municipality is None:
            raise CommandError(f"ไม่พบหน่วยงาน {schema} / no municipality {schema}")
        start = parse_day(options["start"]) if options["start"] else None
        end = parse_day(options["end"]) if options["end"] else None
        with municipality:
            try:
                rendered = report_render(
                    options["kind"],
                    options["fmt"],
                    start=start,
                    end=end,
                    list_id=options["list_id"],
                    thai_digits=options["thai_digits"],
                )
            except RegistersError as exc:
                raise CommandError(exc.bilingual()) from exc
        output = Path(options["output"] or rendered.filename)
        output.write_bytes(rendered.content)
        self.stdout.write(f"{output} ({len(rendered.content):,} bytes)")
