from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import selectors, services
from tenants.management.commands._progress import step_printer
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Resume a municipality's onboarding from the first step that is not done."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = selectors.municipality_by_slug(options["slug"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"ไม่พบหน่วยงาน / no municipality {options['slug']!r}") from exc
        try:
            services.onboarding_resume(municipality, progress=step_printer(self.stdout))
        except services.OnboardingFailed as failure:
            raise CommandError(
                f"หยุดที่ขั้นตอน {failure.step} / stopped at step {failure.step}: {failure.error}"
            ) from failure
        except services.OnboardingBusy as exc:
            raise CommandError("กำลังดำเนินการอยู่ / another onboarding run is in progress") from exc
        self.stdout.write(self.style.SUCCESS("เสร็จสิ้น / done"))
