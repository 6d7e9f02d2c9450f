from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Municipality, OnboardingStatus


def municipalities_tenants() -> QuerySet[Municipality]:
    """Every municipality except the public schema's registry row."""
    return Municipality.objects.exclude(schema_name="public")


def municipalities_onboarding_unfinished() -> QuerySet[Municipality]:
    return municipalities_tenants().exclude(onboarding_status=OnboardingStatus.DONE)


def municipality_by_slug(slug: str) -> Municipality:
    return municipalities_tenants().get(slug=slug)


def municipalities_live_schema_names() -> list[str]:
    """Schemas that background work should visit: onboarded and not archived."""
    return list(
        municipalities_tenants()
        .filter(onboarding_status=OnboardingStatus.DONE)
        .exclude(state="archived")
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
