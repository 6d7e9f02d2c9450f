from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tenants import services
from tenants.schema_template import build_template


class Command(BaseCommand):
    help = "After migrate_schemas --shared: the public tenant, the apex domain and the tenant schema template."

    def handle(self, *args: Any, **options: Any) -> None:
        services.public_tenant_ensure()
        template = build_template()
        self.stdout.write(f"tenant template ready ({template.fingerprint[:12]})")
