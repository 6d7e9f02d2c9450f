"""Background work of the control plane. Thin: each task calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from tenants import selectors, services, spare_schemas

logger = logging.getLogger(__name__)


@shared_task
def refill_spare_schemas() -> int:
    return spare_schemas.refill_spare_schemas(settings.TENANT_SPARE_SCHEMAS)


@shared_task
def resume_stalled_onboardings() -> dict[str, str]:
    """Retry every onboarding that stopped on a failure; one failure never stops the others."""
    outcome: dict[str, str] = {}
    for municipality in selectors.municipalities_onboarding_unfinished():
        try:
            services.onboarding_resume(municipality)
            outcome[municipality.slug] = "done"
        except services.OnboardingBusy:
            outcome[municipality.slug] = "busy"
        except services.OnboardingFailed as failure:
            outcome[municipality.slug] = f"failed at {failure.step}"
    return outcome


@shared_task
def fan_out(task_name: str) -> int:
    """Queue ``task_name`` once per live municipality, each message carrying that tenant's schema.

    The worker activates the schema from the message headers (tenant-schemas-celery), so the
    task body never chooses a tenant itself.
    """
    from config.celery import app

    task = app.tasks[task_name]
    queued = 0
    for schema_name in selectors.municipalities_live_schema_names():
        task.apply_async(headers={"_schema_name": schema_name})
        queued += 1
    return queued


@shared_task
def onboarding_run(municipality_id: int) -> str:
    """The console wizard's background run: every step not done yet, recorded as it goes."""
    from tenants.models import Municipality

    municipality = Municipality.objects.get(pk=municipality_id)
    try:
        services.onboarding_resume(municipality)
    except services.OnboardingBusy:
        return "busy"
    except services.OnboardingFailed as failure:
        return f"failed at {failure.step}"
    return "done"


@shared_task
def usage_refresh() -> int:
    """Queued once per live municipality by fan_out; runs in that municipality's schema."""
    from tenants.usage import usage_record_current

    return usage_record_current().letters_this_year
