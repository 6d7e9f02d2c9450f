"""Demo data for the embedded stack (`infra/dev/up`): a municipality, its staff, a vendor login.

Idempotent: run it as often as you like. Passwords are (re)set on every run so that the logins
printed by the start-up banner are always true. Never run it against production data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import RoleCode, User
from accounts.services import tenant_base_url, user_create_staff
from config.env import env_str
from registers.demo import demo_letters_seed
from tenants import selectors, services
from tenants.management.commands._progress import step_printer
from tenants.models import Municipality, OnboardingStatus
from tenants.validation import primary_domain_for

DEMO_SLUG = "demo"
DEMO_REQUEST = services.OnboardingRequest(
    slug=DEMO_SLUG,
    name_th="เทศบาลตำบลสาธิต",
    name_en="Demo Subdistrict Municipality",
    organisation_type="subdistrict_municipality",
    province="ขอนแก่น",
    district="เมืองขอนแก่น",
    letter_code_prefix="ขก 72001",
    officer_name="นางสาวสมศรี ตัวอย่าง",
    officer_phone="043 123 456",
    admin_email="admin@demo.example",
    dla_code="6400101",
)
DEFAULT_PASSWORD = "saraban-demo-2569"  # noqa: S105 - a published demo password, local only
# Fixed so that the banner can print them; a code works once, and all five come back when
# every one of them has been used.
VENDOR_BACKUP_CODES = ("demo-2569-1", "demo-2569-2", "demo-2569-3", "demo-2569-4", "demo-2569-5")


class DemoStaff(NamedTuple):
    username: str
    role: str
    first_name: str
    last_name: str
    position: str
    org_unit: str


DEMO_STAFF = (
    DemoStaff(
        "admin",
        RoleCode.TENANT_ADMIN,
        "อนุชา",
        "ดูแลระบบ",
        "นักวิชาการคอมพิวเตอร์",
        "office-of-the-clerk",
    ),
    DemoStaff(
        "clerk", RoleCode.CENTRAL_CLERK, "สมศรี", "ตัวอย่าง", "เจ้าพนักงานธุรการ", "office-of-the-clerk"
    ),
    DemoStaff(
        "executive", RoleCode.EXECUTIVE, "วิชัย", "ใจดี", "นายกเทศมนตรีตำบลสาธิต", "office-of-the-clerk"
    ),
    DemoStaff("officer", RoleCode.OFFICER, "มานี", "มีนา", "นักวิชาการเงินและบัญชี", "finance"),
)


class Command(BaseCommand):
    help = "Create or refresh the demo municipality, its staff and the vendor console login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--summary-file", type=Path, help="also write the logins as JSON (read by devstack)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = env_str("DEMO_PASSWORD", DEFAULT_PASSWORD)
        municipality = self._municipality()
        with municipality:
            for person in DEMO_STAFF:
                self._staff(person, password)
            letters = demo_letters_seed(clerk=User.objects.get(username="clerk"))
            if letters:
                self.stdout.write(f"sample letters: {letters}")
        with schema_context(get_public_schema_name()):
            codes = self._vendor(password)

        host = primary_domain_for(municipality.slug)
        summary = {
            "password": password,
            "tenant": {
                "slug": municipality.slug,
                "host": host,
                "name_th": municipality.name_th,
                "central_address": _central_address(municipality),
            },
            "staff": [{"username": p.username, "role": str(p.role)} for p in DEMO_STAFF],
            "vendor": {"username": "vendor", "backup_codes": codes},
        }
        if options["summary_file"]:
            options["summary_file"].parent.mkdir(parents=True, exist_ok=True)
            options["summary_file"].write_text(json.dumps(summary, ensure_ascii=False, indent=2))
        self._print(summary)

    def _municipality(self) -> Municipality:
        try:
            municipality = selectors.municipality_by_slug(DEMO_SLUG)
        except Municipality.DoesNotExist:
            self.stdout.write(f"onboarding {DEMO_REQUEST.name_th} ({DEMO_SLUG})")
            try:
                return services.onboard_municipality(
                    DEMO_REQUEST, progress=step_printer(self.stdout)
                )
            except services.OnboardingValidationError as error:
                raise CommandError(error.bilingual()) from error
            except services.OnboardingFailed as failure:
                raise CommandError(str(failure)) from failure
        if municipality.onboarding_status != OnboardingStatus.DONE:
            self.stdout.write(f"resuming the onboarding of {DEMO_SLUG}")
            try:
                services.onboarding_resume(municipality, progress=step_printer(self.stdout))
            except (services.OnboardingFailed, services.OnboardingBusy) as failure:
                raise CommandError(str(failure) or type(failure).__name__) from failure
            municipality.refresh_from_db()
        return municipality

    def _staff(self, person: DemoStaff, password: str) -> None:
        user = user_create_staff(
            username=person.username,
            # Not @demo.example: the first admin created by onboarding already uses that one.
            email=f"{person.username}@demo.localhost",
            first_name=person.first_name,
            last_name=person.last_name,
            position=person.position,
            role_codes=(person.role,),
            org_unit_code=person.org_unit,
            password=password,
        )
        user.set_password(password)  # user_create_staff sets it only for a new user
        user.is_active = True
        user.save(update_fields=["password", "is_active"])

    @transaction.atomic
    def _vendor(self, password: str) -> list[str]:
        """Vendor staff in the public schema; the console also asks for a second factor."""
        user, _created = User.objects.get_or_create(
            username="vendor",
            defaults={"email": "vendor@localhost", "first_name": "ผู้ให้บริการ", "last_name": "สาธิต"},
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="demo backup codes", defaults={"confirmed": True}
        )
        if not device.token_set.exists():
            for code in VENDOR_BACKUP_CODES:
                device.token_set.create(token=code)
        return sorted(device.token_set.values_list("token", flat=True))

    def _print(self, summary: dict[str, Any]) -> None:
        tenant_url = tenant_base_url(summary["tenant"]["host"])
        vendor = summary["vendor"]
        self.stdout.write(self.style.SUCCESS(f"demo ready: {summary['tenant']['name_th']}"))
        self.stdout.write(
            f"  staff login {tenant_url}/accounts/login/ (password {summary['password']})"
        )
        for person in summary["staff"]:
            self.stdout.write(f"    {person['username']:<10} {person['role']}")
        self.stdout.write(
            f"  vendor console {tenant_base_url(settings.PLATFORM_DOMAIN)}/console/: "
            f"{vendor['username']} / {summary['password']}"
            f", OTP backup codes: {' '.join(vendor['backup_codes'])}"
        )


def _central_address(municipality: Any) -> str:
    from mailhosting.selectors import central_address

    return central_address(municipality=municipality) or ""
