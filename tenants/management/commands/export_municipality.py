from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import selectors
from tenants.export import municipality_export
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Export a municipality's data (JSON per table and a manifest with SHA-256 sums)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--out", type=Path, default=Path("var/exports"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = selectors.municipality_by_slug(options["slug"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"ไม่พบหน่วยงาน / no municipality {options['slug']!r}") from exc
        folder = municipality_export(municipality=municipality, destination=options["out"])
        self.stdout.write(self.style.SUCCESS(f"ส่งออกแล้ว / exported: {folder}"))
