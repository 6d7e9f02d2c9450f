"""Background work of backups (beat entries in config/settings/base.py). Thin: services do it.

All of these run in the public schema: backups are control-plane work that reads each tenant's
schema over its own snapshot connection, never through the worker's active schema.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings

from tenants.backups import fleet, retention, selectors, upload
from tenants.backups.models import BackupKind, RestoreStatus, TenantBackup

logger = logging.getLogger(__name__)


@shared_task
def backup_fleet_daily() -> int:
    """Start the daily run: one task per live municipality. Returns the run's id."""
    run, ids = fleet.backup_fleet_start(kind=BackupKind.DAILY)
    for municipality_id in ids:
        backup_tenant_task.delay(run.pk, municipality_id)
    return run.pk


@shared_task(acks_late=True)
def backup_tenant_task(run_id: int, municipality_id: int) -> str:
    return fleet.backup_fleet_tenant(run_id=run_id, municipality_id=municipality_id)


@shared_task
def backup_copies_retry() -> dict[str, int]:
    """Every copy a region still lacks whose next attempt is due (backoff in upload.py)."""
    outcome = {"filled": 0, "still_missing": 0}
    for copy in upload.copies_due():
        try:
            filled = upload.backup_copy_retry(copy=copy)
        except Exception:
            logger.exception("retry of backup %s in %s failed", copy.backup_id, copy.region)
            filled = False
        outcome["filled" if filled else "still_missing"] += 1
    return outcome


@shared_task
def backup_staleness_check() -> list[dict[str, Any]]:
    """Alert (an error log line, which Sentry reports) for every tenant whose last good backup
    in a region is older than BACKUP_STALE_HOURS; also closes runs whose jobs were lost."""
    fleet.backup_runs_close_stale()
    stale = []
    for municipality, region in selectors.stale_backups():
        last = region.last_at.isoformat() if region.last_at else None
        logger.error(
            "backup of %s in region %s is stale: last good backup %s (limit %s h)",
            municipality.slug,
            region.region,
            last or "never",
            settings.BACKUP_STALE_HOURS,
        )
        stale.append({"slug": municipality.slug, "region": region.region, "last": last})
    if stale and settings.SENTRY_DSN:
        import sentry_sdk

        sentry_sdk.capture_message(
            f"{len(stale)} stale tenant backups (older than {settings.BACKUP_STALE_HOURS} h)",
            level="error",
        )
    return stale


@shared_task
def backup_retention_apply_all() -> dict[str, int]:
    results = retention.backup_retention_apply_all()
    return {
        "tenants": len(results),
        "deleted": sum(r.deleted for r in results),
        "files_deleted": sum(r.files_deleted for r in results),
    }


@shared_task
def backup_regions_audit_all() -> dict[str, int]:
    """Weekly: list every region, reopen copies that lost objects, delete orphaned files."""
    from tenants.backups.audit import backup_regions_audit_all as audit_all

    results = audit_all()
    return {
        "tenants": len(results),
        "reopened": sum(r.reopened for r in results),
        "orphans_deleted": sum(r.orphans_deleted for r in results),
    }


@shared_task
def backup_restore_drill() -> int | None:
    """The weekly drill (a random tenant into a scratch schema, verified, dropped)."""
    from tenants.backups.drill import restore_drill_run

    record = restore_drill_run()
    return None if record is None else record.pk


@shared_task
def backup_restore_task(
    backup_id: int, mode: str, actor: str, reason: str, confirm: bool = False
) -> int | None:
    """A restore asked for in the console (it may take longer than a web request)."""
    from tenants.backups.restore import backup_restore

    backup = TenantBackup.objects.get(pk=backup_id)
    try:
        record = backup_restore(
            backup=backup, mode=mode, actor=actor, reason=reason, confirm=confirm
        )
    except Exception:
        logger.exception("restore of backup %s (%s) failed", backup_id, mode)
        return None
    if record.status != RestoreStatus.SUCCEEDED:
        logger.error("restore of backup %s (%s) failed: %s", backup_id, mode, record.error)
    return record.pk
