"""Tenant tasks of the accounts app: each runs in the schema named in its message headers."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from tenants.db import tenant_connection


@shared_task
def clear_expired_sessions() -> dict[str, object]:
    """Sessions live in each schema's own table, so each tenant clears its own."""
    deleted, _detail = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"schema": tenant_connection.schema_name, "deleted": deleted}
