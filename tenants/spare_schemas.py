"""A small pool of ready-made tenant schemas: onboarding renames one instead of building one.

Renaming a schema is a catalog update that takes about a millisecond whatever the fleet size;
the pool is refilled in the background (Celery beat) from the schema template.
"""

from __future__ import annotations

import logging
import secrets

from django.db import connection, transaction
from django_tenants.utils import schema_exists

from tenants.models import SpareSchema
from tenants.schema_template import (
    create_schema_from_template,
    current_template,
    migration_fingerprint,
)

logger = logging.getLogger(__name__)


def claim_spare_schema(schema_name: str) -> bool:
    """Rename a spare schema to ``schema_name``. False when none of the current template is ready."""
    with transaction.atomic():
        spare = (
            SpareSchema.objects.select_for_update(skip_locked=True)
            .filter(fingerprint=migration_fingerprint())
            .order_by("created_at")
            .first()
        )
        if spare is None or not schema_exists(spare.schema_name):
            if spare is not None:
                spare.delete()
            return False
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{spare.schema_name}" RENAME TO "{schema_name}"')
        spare.delete()
    logger.info("claimed spare schema %s as %s", spare.schema_name, schema_name)
    return True


def refill_spare_schemas(target: int) -> int:
    """Drop spares built from an older template and build new ones up to ``target``."""
    fingerprint = migration_fingerprint()
    for stale in SpareSchema.objects.exclude(fingerprint=fingerprint):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{stale.schema_name}" CASCADE')
            stale.delete()
    built = 0
    if SpareSchema.objects.filter(fingerprint=fingerprint).count() < target:
        current_template()  # built here if needed, never inside the transaction below
    while SpareSchema.objects.filter(fingerprint=fingerprint).count() < target:
        name = f"spare_{secrets.token_hex(6)}"
        with transaction.atomic():
            create_schema_from_template(name)
            SpareSchema.objects.create(schema_name=name, fingerprint=fingerprint)
        built += 1
    return built
