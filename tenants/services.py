"""Writes to the tenant registry. The console, the CLI and (later) the API call only these."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from tenants.models import Domain, LifecycleEvent, LifecycleState, Municipality, OnboardingStatus
from tenants.onboarding import (
    OnboardingBusy,
    OnboardingFailed,
    ProgressCallback,
    onboard_municipality,
    run_onboarding,
)
from tenants.validation import (
    OnboardingRequest,
    OnboardingValidationError,
    normalise_letter_code,
)

__all__ = [
    "OnboardingBusy",
    "OnboardingFailed",
    "OnboardingRequest",
    "OnboardingValidationError",
    "municipality_archive",
    "municipality_set_letter_code_prefix",
    "municipality_set_state",
    "onboard_municipality",
    "onboarding_resume",
    "public_tenant_ensure",
]


def onboarding_resume(
    municipality: Municipality, *, progress: ProgressCallback | None = None
) -> Municipality:
    """Run the onboarding again from the first step that is not done."""
    return run_onboarding(municipality, progress=progress)


@transaction.atomic
def municipality_set_state(
    *, municipality: Municipality, state: str, actor: str, reason: str
) -> Municipality:
    """Move a municipality to another lifecycle state, recording who, when and why."""
    if state not in LifecycleState.values:
        raise ValueError(f"unknown lifecycle state {state!r}")
    if not reason.strip():
        raise ValueError("a reason is required / ต้องระบุเหตุผล")
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if locked.state == state:
        return locked
    LifecycleEvent.objects.create(
        municipality=locked, from_state=locked.state, to_state=state, actor=actor, reason=reason
    )
    locked.state = state
    locked.archived_at = timezone.now() if state == LifecycleState.ARCHIVED else None
    locked.save(update_fields=["state", "archived_at", "updated_at"])
    return locked


def municipality_archive(*, municipality: Municipality, actor: str, reason: str) -> Municipality:
    """Offboarding: the municipality becomes read-only and exportable. Nothing is deleted."""
    return municipality_set_state(
        municipality=municipality, state=LifecycleState.ARCHIVED, actor=actor, reason=reason
    )


@transaction.atomic
def public_tenant_ensure() -> Municipality:
    """The public schema's registry row and the apex domain (django-tenants needs both)."""
    public, _created = Municipality.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={
            "slug": "public",
            "name_th": "สารบรรณคลาวด์",
            "name_en": "Saraban Cloud",
            "organisation_type": "pao",
            "province": "กรุงเทพมหานคร",
            "letter_code_prefix": "-",
            "officer_name": "-",
            "officer_phone": "-",
            "admin_email": settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">"),
            "state": LifecycleState.ACTIVE,
            "onboarding_status": OnboardingStatus.DONE,
        },
    )
    Domain.objects.get_or_create(
        domain=settings.PLATFORM_DOMAIN, defaults={"tenant": public, "is_primary": True}
    )
    return public


@transaction.atomic
def municipality_set_letter_code_prefix(
    *, municipality: Municipality, prefix: str, actor_name: str
) -> Municipality:
    """Change รหัสตัวพยัญชนะและเลขประจำหน่วยงาน (ที่ of outgoing letters), as onboarding checks it.

    Recorded as a lifecycle event with the state unchanged (the registry's one change log); the
    save clears the routing cache, so every process reads the new prefix within a second.
    """
    normalised = normalise_letter_code(prefix)
    if normalised is None:
        raise OnboardingValidationError(
            {"letter_code_prefix": [_("รหัสหนังสือต้องเป็นพยัญชนะไทย 2-3 ตัวตามด้วยตัวเลข เช่น ตร 52301")]}
        )
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    old = locked.letter_code_prefix
    if old != normalised:
        LifecycleEvent.objects.create(
            municipality=locked,
            from_state=locked.state,
            to_state=locked.state,
            actor=actor_name[:150],
            reason=f"letter_code_prefix: {old} -> {normalised}",
        )
        locked.letter_code_prefix = normalised
        locked.save(update_fields=["letter_code_prefix", "updated_at"])
    # The caller's object is often the request's tenant (connection.tenant): keep it current.
    municipality.letter_code_prefix = normalised
    return locked
