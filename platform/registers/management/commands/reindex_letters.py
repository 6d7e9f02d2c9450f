"""Rebuild the search documents of every letter, in batches, municipality by municipality.

Needed after a change to what the search document holds (registers.search.terms), or after
letters were loaded without it. Safe to run while people work: each batch is its own statement.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registers.search.indexing import letters_reindex
from tenants.models import Municipality


class Command(BaseCommand):
    help = "สร้างดัชนีค้นหาหนังสือใหม่ทั้งหมด (rebuild the letters' search documents)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", help="one municipality's schema (default: all)")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help=f"processes that break the text into words (this machine has {os.cpu_count()})",
        )

    def handle(
        self,
        *args: Any,
        schema: str | None = None,
        batch_size: int = 500,
        workers: int = 1,
        **options: Any,
    ) -> None:
        tenants = Municipality.objects.exclude(schema_name="public").order_by("schema_name")
        if schema:
            tenants = tenants.filter(schema_name=schema)
            if not tenants.exists():
                raise CommandError(f"ไม่พบหน่วยงาน {schema} / no municipality {schema}")
        for tenant in tenants:
            started = time.monotonic()
            last_report = 0.0

            def progress(
                done: int, total: int, name: str = tenant.schema_name, since: float = started
            ) -> None:
                nonlocal last_report
                now = time.monotonic()
                if done == total or now - last_report >= 2:
                    last_report = now
                    rate = done / max(now - since, 1e-6)
                    self.stdout.write(f"{name}: {done:,}/{total:,} letters ({rate:,.0f}/s)")

            with tenant:
                count = letters_reindex(batch_size=batch_size, workers=workers, progress=progress)
            self.stdout.write(
                f"{tenant.schema_name}: {count:,} letters reindexed in "
                f"{time.monotonic() - started:.1f} s"
            )
