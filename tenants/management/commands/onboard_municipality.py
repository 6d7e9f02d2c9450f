"""Onboard a municipality from the command line (the same service as the vendor console)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from accounts.services import tenant_base_url
from tenants import services
from tenants.management.commands._progress import step_printer
from tenants.validation import primary_domain_for


class Command(BaseCommand):
    help = (
        "Onboard a municipality: validate, create its schema, domain, units, roles and first admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name-th", required=True)
        parser.add_argument("--name-en", default="")
        parser.add_argument(
            "--type",
            dest="organisation_type",
            required=True,
            help="pao, city, town, subdistrict_municipality, sao, bangkok, pattaya",
        )
        parser.add_argument("--province", required=True)
        parser.add_argument("--district", default="")
        parser.add_argument("--dla-code", default="")
        parser.add_argument("--slug", required=True)
        parser.add_argument("--domain", dest="custom_domains", action="append", default=[])
        parser.add_argument("--letter-code", dest="letter_code_prefix", required=True)
        parser.add_argument("--officer-name", required=True)
        parser.add_argument("--officer-phone", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        request = services.OnboardingRequest(
            name_th=options["name_th"],
            name_en=options["name_en"],
            organisation_type=options["organisation_type"],
            province=options["province"],
            district=options["district"],
            dla_code=options["dla_code"],
            slug=options["slug"],
            custom_domains=tuple(options["custom_domains"]),
            letter_code_prefix=options["letter_code_prefix"],
            officer_name=options["officer_name"],
            officer_phone=options["officer_phone"],
            admin_email=options["admin_email"],
            admin_name=options["admin_name"],
        )
        try:
            municipality = services.onboard_municipality(
                request, progress=step_printer(self.stdout)
            )
        except services.OnboardingValidationError as error:
            raise CommandError("ข้อมูลไม่ถูกต้อง / Invalid input:\n" + error.bilingual()) from error
        except services.OnboardingFailed as failure:
            raise CommandError(
                f"หยุดที่ขั้นตอน {failure.step} / stopped at step {failure.step}: {failure.error}\n"
                f"ลองใหม่ / retry: manage.py resume_onboarding {failure.municipality.slug}"
            ) from failure
        with translation.override("th"):
            self.stdout.write(
                self.style.SUCCESS(
                    f"เริ่มใช้งาน {municipality.name_th} เรียบร้อย / onboarded: "
                    f"{tenant_base_url(primary_domain_for(municipality.slug))}/"
                )
            )
