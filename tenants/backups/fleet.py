"""The fleet run: every live municipality backed up to every region, progress on a BackupRun.

Each tenant is its own job (a Celery task in production, a thread of ``backup_fleet`` on the
command line). A job never raises: it counts its tenant done or failed on the run with an
atomic update, and the job that counts the last tenant writes the summary. One tenant's
failure therefore never stops the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from django.db import close_old_connections, connections, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tenants.backups.export import backup_stage
from tenants.backups.locks import tenant_backup_lock
from tenants.backups.models import (
    BackupCopy,
    BackupKind,
    BackupRun,
    BackupStatus,
    CopyStatus,
    RunStatus,
    TenantBackup,
)
from tenants.backups.selectors import municipalities_to_back_up
from tenants.backups.upload import backup_upload
from tenants.models import Municipality

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
RunProgress = Callable[[BackupRun], None]
# A run whose tenants have not all reported after this long is closed (their jobs were lost).
RUN_DEADLINE = dt.timedelta(hours=20)
GOOD = (BackupStatus.COMPLETE, BackupStatus.PARTIAL)


def backup_tenant_run(
    *, municipality: Municipality, run: BackupRun | None = None, progress: Progress | None = None
) -> TenantBackup:
    """Back up one tenant: stage its snapshot, then send it to every region."""
    with tenant_backup_lock(municipality.pk):
        backup = backup_stage(municipality=municipality, run=run, progress=progress)
        return backup_upload(backup=backup, progress=progress)


def backup_fleet_start(
    *, kind: str = BackupKind.DAILY, municipality_ids: Sequence[int] | None = None
) -> tuple[BackupRun, list[int]]:
    """A new run over every live municipality (or the given ones); returns it and their ids."""
    queryset = municipalities_to_back_up()
    if municipality_ids is not None:
        queryset = queryset.filter(pk__in=municipality_ids)
    ids = list(queryset.values_list("pk", flat=True))
    run = BackupRun.objects.create(kind=kind, total=len(ids))
    if not ids:
        backup_run_finish(run_id=run.pk)
    logger.info("backup run %s (%s): %s tenants", run.pk, kind, len(ids))
    return run, ids


def backup_fleet_tenant(
    *, run_id: int, municipality_id: int, progress: Progress | None = None
) -> str:
    """One tenant of a run. Never raises; returns "done", "failed" or "skipped" (already
    counted: the job was delivered twice)."""
    counted = TenantBackup.objects.filter(run_id=run_id, municipality_id=municipality_id).exclude(
        status=BackupStatus.RUNNING
    )
    if counted.exists():
        return "skipped"
    outcome = "failed"
    try:
        municipality = Municipality.objects.get(pk=municipality_id)
        run = BackupRun.objects.get(pk=run_id)
        backup = backup_tenant_run(municipality=municipality, run=run, progress=progress)
        if backup.status in GOOD:
            outcome = "done"
        else:
            logger.error(
                "backup of %s reached no region: %s",
                municipality.schema_name,
                "; ".join(backup.copies.values_list("last_error", flat=True)),
            )
    except Exception:
        logger.exception("backup of municipality %s failed", municipality_id)
    field = "done" if outcome == "done" else "failed"
    BackupRun.objects.filter(pk=run_id).update(**{field: F(field) + 1})
    backup_run_finish(run_id=run_id)
    return outcome


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0][:300] if lines else ""


def _summary(run: BackupRun, now: dt.datetime) -> dict[str, Any]:
    backups = TenantBackup.objects.filter(run=run)
    failed = []
    for backup in (
        backups.filter(status__in=[BackupStatus.FAILED, BackupStatus.RUNNING, BackupStatus.STAGED])
        .select_related("municipality")
        .defer("manifest")
    ):
        error = backup.error
        if backup.status == BackupStatus.STAGED:  # staged, but no region took it
            error = "; ".join(
                f"{region}: {_first_line(text)}"
                for region, text in backup.copies.values_list("region", "last_error")
            )
        failed.append({"slug": backup.municipality.slug, "error": _first_line(error)})
    partial = list(
        backups.filter(status=BackupStatus.PARTIAL).values_list("municipality__slug", flat=True)
    )
    regions = {
        row["region"]: {"complete": row["complete"], "missing": row["missing"]}
        for row in BackupCopy.objects.filter(backup__run=run)
        .values("region")
        .annotate(
            complete=Count("pk", filter=Q(status=CopyStatus.COMPLETE)),
            missing=Count("pk", filter=~Q(status=CopyStatus.COMPLETE)),
        )
    }
    size = backups.aggregate(total=Sum("size_bytes"))["total"] or 0
    return {
        "total": run.total,
        "done": run.done,
        "failed": run.failed,
        "remaining": run.remaining,
        "seconds": round((now - run.started_at).total_seconds(), 1),
        "bytes": int(size),
        "failed_tenants": failed,
        "partial_tenants": sorted(partial),
        "regions": regions,
    }


def backup_run_finish(*, run_id: int, force: bool = False) -> BackupRun:
    """Close the run once every tenant is counted (or when ``force``): status and summary."""
    with transaction.atomic():
        run = BackupRun.objects.select_for_update().get(pk=run_id)
        if run.finished_at is not None or (run.remaining > 0 and not force):
            return run
        now = timezone.now()
        run.summary = _summary(run, now)
        if run.remaining:
            run.summary["lost"] = run.remaining
        if run.failed == 0 and run.remaining == 0 and not run.summary["partial_tenants"]:
            run.status = RunStatus.SUCCEEDED
        elif run.done == 0 and run.total > 0:
            run.status = RunStatus.FAILED
        else:
            run.status = RunStatus.PARTIAL
        run.finished_at = now
        run.save(update_fields=["summary", "status", "finished_at"])
    log = logger.info if run.status == RunStatus.SUCCEEDED else logger.error
    log(
        "backup run %s %s: %s done, %s failed of %s (%s partial) in %s s",
        run.pk,
        run.status,
        run.done,
        run.failed,
        run.total,
        len(run.summary["partial_tenants"]),
        run.summary["seconds"],
    )
    return run


def backup_runs_close_stale(now: dt.datetime | None = None) -> list[int]:
    """Close runs whose jobs were lost (a worker died before counting its tenant)."""
    cutoff = (now or timezone.now()) - RUN_DEADLINE
    ids = list(
        BackupRun.objects.filter(finished_at__isnull=True, started_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for run_id in ids:
        backup_run_finish(run_id=run_id, force=True)
    return ids


def backup_fleet_run(
    *,
    kind: str = BackupKind.MANUAL,
    jobs: int = 1,
    municipality_ids: Sequence[int] | None = None,
    on_progress: RunProgress | None = None,
) -> BackupRun:
    """The whole run in this process (``manage.py backup_fleet``, the benchmark), ``jobs``
    tenants at a time; ``on_progress`` sees the run after each tenant."""
    run, ids = backup_fleet_start(kind=kind, municipality_ids=municipality_ids)

    def one(municipality_id: int) -> str:
        try:
            return backup_fleet_tenant(run_id=run.pk, municipality_id=municipality_id)
        finally:
            if jobs > 1:  # a worker thread's own connection
                connections.close_all()

    def report() -> None:
        if on_progress is not None:
            run.refresh_from_db()
            on_progress(run)

    if jobs <= 1:
        for municipality_id in ids:
            one(municipality_id)
            report()
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for future in as_completed([pool.submit(one, m) for m in ids]):
                future.result()
                report()
    close_old_connections()
    run.refresh_from_db()
    return run
