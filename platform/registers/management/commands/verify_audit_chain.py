"""Verify each municipality's audit trail; name the first broken link. Exit 1 if any is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from registers.services.audit import audit_verify
from tenants.models import Municipality


class Command(BaseCommand):
    help = "ตรวจสอบความต่อเนื่องของบันทึกการตรวจสอบ (hash chain) ของแต่ละหน่วยงาน"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", help="one municipality's schema (default: all)")

    def handle(self, *args: Any, schema: str | None = None, **options: Any) -> None:
        translation.activate("th")
        tenants = Municipality.objects.exclude(schema_name="public").order_by("schema_name")
        if schema:
            tenants = tenants.filter(schema_name=schema)
            if not tenants.exists():
                raise CommandError(f"ไม่พบหน่วยงาน {schema} / no municipality {schema}")
        broken = []
        for tenant in tenants:
            with tenant:
                report = audit_verify()
            if report.ok:
                self.stdout.write(f"{tenant.schema_name}: OK ({report.checked} links)")
            else:
                broken.append(tenant.schema_name)
                self.stdout.write(
                    f"{tenant.schema_name}: BROKEN at link #{report.first_broken_seq}: "
                    f"{report.reason} (checked {report.checked} links before it)"
                )
        if broken:
            raise CommandError(f"audit chain broken in: {', '.join(broken)}")
