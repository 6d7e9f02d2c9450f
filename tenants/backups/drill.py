"""The restore drill: prove that backups restore, on a schedule, without touching any tenant.

A random tenant with a restorable backup is restored from its latest complete backup into a
scratch schema (and its files under the scratch schema's prefix), verified, then the scratch
schema and files are removed; the ``RestoreRecord`` (mode "drill") keeps the result.
"""

from __future__ import annotations

import logging

from tenants.backups.models import RestoreMode, RestoreRecord, RestoreStatus, TenantBackup
from tenants.backups.restore import RESTORABLE, Progress, latest_restorable, quiet, restore_run
from tenants.models import Municipality

logger = logging.getLogger(__name__)

DRILL_REASON = "ซ้อมกู้คืนตามกำหนด / scheduled restore drill"


def restore_drill_run(
    *,
    actor: str = "system:drill",
    municipality: Municipality | None = None,
    region: str | None = None,
    progress: Progress | None = None,
) -> RestoreRecord | None:
    """Run one drill (on ``municipality`` if given, else a random tenant); None when no tenant
    has a restorable backup yet. A failed drill is logged as an error (Sentry) and recorded."""
    if municipality is None:
        with_backups = TenantBackup.objects.filter(status__in=RESTORABLE).values("municipality_id")
        municipality = (
            Municipality.objects.exclude(schema_name="public")
            .filter(pk__in=with_backups)
            .order_by("?")
            .first()
        )
    if municipality is None:
        logger.warning("restore drill: no tenant has a restorable backup yet")
        return None
    backup = latest_restorable(municipality)
    if backup is None:
        logger.warning("restore drill: %s has no restorable backup", municipality.slug)
        return None
    record = restore_run(
        backup=backup,
        mode=RestoreMode.DRILL,
        target_schema=None,
        actor=actor,
        reason=DRILL_REASON,
        confirm=False,
        region=region,
        show=progress or quiet,
    )
    if record.status == RestoreStatus.SUCCEEDED:
        logger.info("restore drill of %s (backup #%s) passed", municipality.slug, backup.pk)
    else:
        logger.error(
            "restore drill of %s (backup #%s) failed: %s",
            municipality.slug,
            backup.pk,
            record.error,
        )
    return record
