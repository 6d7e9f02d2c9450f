from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import selectors, services
from tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Offboard a municipality: it becomes archived (read-only, exportable). Nothing is deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = selectors.municipality_by_slug(options["slug"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"ไม่พบหน่วยงาน / no municipality {options['slug']!r}") from exc
        services.municipality_archive(
            municipality=municipality, actor=f"cli:{getpass.getuser()}", reason=options["reason"]
        )
        self.stdout.write(self.style.SUCCESS("เก็บถาวรแล้ว (อ่านอย่างเดียว) / archived (read-only)"))
