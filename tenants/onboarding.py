"""Onboarding: validate, then a fixed list of idempotent steps whose state is recorded.

A failure at any step leaves the steps before it done and that step marked failed with its
error; running the onboarding again resumes at the first step that is not done. Mail hosting,
billing and backups add their steps through ``settings.ONBOARDING_EXTRA_STEPS``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_exists

from tenants.db import tenant_connection
from tenants.models import Domain, Municipality, OnboardingStatus, OnboardingStep
from tenants.schema_template import create_schema_from_template, current_template
from tenants.spare_schemas import claim_spare_schema
from tenants.validation import (
    OnboardingRequest,
    primary_domain_for,
    schema_name_for,
    validate_onboarding,
)

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    label: Promise
    run: Callable[[Municipality], None]


class OnboardingFailed(Exception):
    def __init__(self, municipality: Municipality, step: str, error: BaseException) -> None:
        self.municipality = municipality
        self.step = step
        self.error = error
        super().__init__(f"onboarding of {municipality.slug} failed at step {step}: {error}")


class OnboardingBusy(Exception):
    """Another process is onboarding the same municipality right now."""


# --- the steps ------------------------------------------------------------------------------


def step_schema(municipality: Municipality) -> None:
    if schema_exists(municipality.schema_name):
        return
    if not claim_spare_schema(municipality.schema_name):
        create_schema_from_template(municipality.schema_name)


def step_domains(municipality: Municipality) -> None:
    Domain.objects.get_or_create(
        domain=primary_domain_for(municipality.slug),
        defaults={"tenant": municipality, "is_primary": True},
    )
    for host in municipality.requested_domains:
        Domain.objects.get_or_create(
            domain=host, defaults={"tenant": municipality, "is_primary": False}
        )


def step_org_units(municipality: Municipality) -> None:
    from accounts.services import org_units_seed_defaults

    with municipality:
        org_units_seed_defaults()


def step_roles(municipality: Municipality) -> None:
    from accounts.services import roles_seed_defaults

    with municipality:
        roles_seed_defaults()


def step_first_admin(municipality: Municipality) -> None:
    from accounts.models import RoleCode
    from accounts.services import user_create_staff

    first, _sep, last = municipality.admin_name.partition(" ")
    with municipality:
        user_create_staff(
            username=municipality.admin_email,
            email=municipality.admin_email,
            first_name=first,
            last_name=last,
            role_codes=(RoleCode.TENANT_ADMIN,),
            org_unit_code="office-of-the-clerk",
        )


def step_invitation(municipality: Municipality) -> None:
    from accounts.models import User
    from accounts.services import user_send_invitation

    with municipality:
        user = User.objects.get(username=municipality.admin_email)
        if user.has_usable_password():
            return  # the admin already chose a password: nothing to invite to
        user_send_invitation(
            user=user,
            host=primary_domain_for(municipality.slug),
            organisation_name=municipality.name_th,
        )


CORE_STEPS: tuple[Step, ...] = (
    Step("schema", _("สร้างฐานข้อมูลของหน่วยงาน"), step_schema),
    Step("domains", _("กำหนดที่อยู่เว็บไซต์"), step_domains),
    Step("org_units", _("สร้างหน่วยงานภายในเริ่มต้น"), step_org_units),
    Step("roles", _("สร้างบทบาทผู้ใช้งาน"), step_roles),
    Step("first_admin", _("สร้างบัญชีผู้ดูแลระบบ"), step_first_admin),
    Step("invitation", _("ส่งอีเมลเชิญผู้ดูแลระบบ"), step_invitation),
)


def pipeline() -> tuple[Step, ...]:
    extra = tuple(import_string(path) for path in getattr(settings, "ONBOARDING_EXTRA_STEPS", ()))
    return CORE_STEPS + extra


# --- running them ---------------------------------------------------------------------------


@contextmanager
def _exclusive(municipality: Municipality) -> Iterator[None]:
    """One onboarding run per municipality at a time, across processes."""
    key = 0x5A0B_0000 + municipality.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (acquired,) = cursor.fetchone()
    if not acquired:
        raise OnboardingBusy(municipality.slug)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _record(municipality: Municipality) -> dict[str, OnboardingStep]:
    steps = pipeline()
    records = {r.name: r for r in municipality.onboarding_steps.all()}
    for position, step in enumerate(steps):
        if step.name not in records:
            records[step.name] = OnboardingStep.objects.create(
                municipality=municipality, name=step.name, position=position
            )
    return records


ProgressCallback = Callable[[Step, OnboardingStep], None]


def run_onboarding(
    municipality: Municipality, *, progress: ProgressCallback | None = None
) -> Municipality:
    """Run every step that is not done yet, in order. Raises OnboardingFailed on the first failure.

    ``progress`` is called after each step with its recorded state (done or failed).
    """
    with _exclusive(municipality):
        current_template()  # built here if the migrations changed: never inside a step's transaction
        records = _record(municipality)
        Municipality.objects.filter(pk=municipality.pk).update(
            onboarding_status=OnboardingStatus.RUNNING
        )
        for step in pipeline():
            record = records[step.name]
            if record.status == OnboardingStatus.DONE:
                continue
            record.status = OnboardingStatus.RUNNING
            record.attempts += 1
            record.started_at = timezone.now()
            record.save(update_fields=["status", "attempts", "started_at"])
            try:
                with transaction.atomic():
                    step.run(municipality)
            except Exception as exc:
                tenant_connection.set_schema_to_public()
                logger.exception("onboarding %s: step %s failed", municipality.slug, step.name)
                record.status = OnboardingStatus.FAILED
                record.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                record.save(update_fields=["status", "last_error"])
                municipality.onboarding_status = OnboardingStatus.FAILED
                municipality.save(update_fields=["onboarding_status", "updated_at"])
                if progress:
                    progress(step, record)
                raise OnboardingFailed(municipality, step.name, exc) from exc
            record.status = OnboardingStatus.DONE
            record.last_error = ""
            record.finished_at = timezone.now()
            record.save(update_fields=["status", "last_error", "finished_at"])
            if progress:
                progress(step, record)
        municipality.onboarding_status = OnboardingStatus.DONE
        municipality.save(update_fields=["onboarding_status", "updated_at"])
    return municipality


def onboard_municipality(
    request: OnboardingRequest, *, progress: ProgressCallback | None = None
) -> Municipality:
    """Validate the request, register the municipality and run its onboarding to the end."""
    return run_onboarding(onboarding_register(request), progress=progress)


def onboarding_register(request: OnboardingRequest) -> Municipality:
    """Validate the request and register the municipality with its steps, all pending.

    The console's wizard calls this in the request and runs the steps in a Celery task."""
    clean = validate_onboarding(request)
    with transaction.atomic():
        municipality = Municipality.objects.create(
            schema_name=schema_name_for(clean.slug),
            slug=clean.slug,
            name_th=clean.name_th,
            name_en=clean.name_en,
            organisation_type=clean.organisation_type,
            province=clean.province,
            district=clean.district,
            dla_code=clean.dla_code or None,
            letter_code_prefix=clean.letter_code_prefix,
            officer_name=clean.officer_name,
            officer_phone=clean.officer_phone,
            admin_email=clean.admin_email,
            admin_name=clean.admin_name,
            requested_domains=list(clean.custom_domains),
        )
        _record(municipality)
    return municipality
