from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import LifecycleState, Municipality, OnboardingStatus


def municipalities_live() -> QuerySet[Municipality]:
    return (
        Municipality.objects.exclude(schema_name="public")
        .exclude(state=LifecycleState.ARCHIVED)
        .filter(onboarding_status=OnboardingStatus.DONE)
        .prefetch_related("domains")
        .order_by("province", "name_th")
    )
