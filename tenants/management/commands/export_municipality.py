from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import selectors
from tenants.export import FORMATS, municipality_export
from tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "ส่งออกข้อมูลของหน่วยงาน / export a municipality's data: JSON or CSV per table, its "
        "stored files, its registers as PDFs, and a manifest with SHA-256 sums (--zip: one file)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--out", type=Path, default=Path("var/exports"))
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="json")
        parser.add_argument("--zip", action="store_true", help="write one .zip file")
        parser.add_argument("--no-files", action="store_true", help="leave the stored files out")
        parser.add_argument(
            "--no-registers", action="store_true", help="leave the register PDFs out"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = selectors.municipality_by_slug(options["slug"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"ไม่พบหน่วยงาน / no municipality {options['slug']!r}") from exc
        self.stdout.write(f"กำลังส่งออก / exporting {municipality.name_th} ...")
        path = municipality_export(
            municipality=municipality,
            destination=options["out"],
            fmt=options["fmt"],
            files=not options["no_files"],
            registers=not options["no_registers"],
            archive=options["zip"],
        )
        self.stdout.write(self.style.SUCCESS(f"ส่งออกแล้ว / exported: {path}"))
