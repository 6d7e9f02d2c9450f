"""Error reporting: sentry-sdk with Django and Celery, the tenant's schema as a tag, no personal data."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def _scrub(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any] | None:
    # Letters' subjects and senders are personal data: never ship request bodies or cookies.
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
    return event


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Letters, names and addresses are personal data: no user identity, bodies, SQL
        # parameters or local variables of stack frames leave the platform.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        traces_sample_rate=traces_sample_rate,
        before_send=_scrub,  # type: ignore[arg-type]
    )


def tag_tenant(schema_name: str) -> None:
    sentry_sdk.set_tag("tenant", schema_name)
