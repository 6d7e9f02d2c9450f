"""The fleet run: every live municipality, one tenant's failure never stops the others, progress
and a summary; the Celery tasks, the staleness alert and the command line."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tenants.backups.fleet import backup_fleet_run, backup_run_finish, backup_runs_close_stale
from tenants.backups.models import (
    BackupCopy,
    BackupKind,
    BackupRun,
    BackupStatus,
    CopyStatus,
    RunStatus,
    TenantBackup,
)
from tenants.backups.selectors import municipalities_to_back_up, stale_backups
from tenants.backups.tasks import backup_fleet_daily, backup_staleness_check

pytestmark = [pytest.mark.backups]


def _break(tenant: Any) -> None:
    """A municipality whose schema has gone (its backup must fail, alone)."""
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')


def test_one_failing_tenant_never_stops_the_others(
    s3_regions: dict[str, Any], make_tenant: Any
) -> None:
    good = [make_tenant(letters=1), make_tenant(letters=1)]
    broken = make_tenant(letters=0)
    _break(broken)
    seen: list[tuple[int, int, int]] = []

    run = backup_fleet_run(
        kind=BackupKind.DAILY,
        jobs=2,
        on_progress=lambda r: seen.append((r.done, r.failed, r.remaining)),
    )

    live = set(municipalities_to_back_up().values_list("slug", flat=True))
    assert {t.slug for t in [*good, broken]} <= live
    assert run.total == len(live)
    assert (run.done, run.failed, run.remaining) == (run.total - 1, 1, 0)
    assert run.status == RunStatus.PARTIAL and run.finished_at is not None
    # Progress was visible as tenants finished, ending with nothing remaining.
    assert len(seen) == run.total and seen[-1] == (run.total - 1, 1, 0)
    remaining = [r for _, _, r in seen]
    assert remaining == sorted(remaining, reverse=True) and remaining[0] < run.total

    summary = run.summary
    assert [f["slug"] for f in summary["failed_tenants"]] == [broken.slug]
    assert "does not exist" in summary["failed_tenants"][0]["error"]
    assert summary["partial_tenants"] == []
    assert summary["regions"] == {
        "primary": {"complete": run.total - 1, "missing": 0},
        "secondary": {"complete": run.total - 1, "missing": 0},
    }
    for tenant in good:
        backup = TenantBackup.objects.get(run=run, municipality=tenant)
        assert backup.status == BackupStatus.COMPLETE
    assert TenantBackup.objects.get(run=run, municipality=broken).status == BackupStatus.FAILED


def test_the_daily_task_backs_up_every_tenant_through_celery(
    local_regions: Any, make_tenant: Any, celery_eager: None
) -> None:
    make_tenant(letters=1)
    run_id = backup_fleet_daily.delay().get()

    run = BackupRun.objects.get(pk=run_id)
    assert run.kind == BackupKind.DAILY
    assert run.total == municipalities_to_back_up().count() >= 3
    assert (run.done, run.failed, run.remaining) == (run.total, 0, 0)
    assert run.status == RunStatus.SUCCEEDED
    assert run.summary["failed_tenants"] == [] and run.summary["bytes"] > 0
    assert TenantBackup.objects.filter(run=run, status=BackupStatus.COMPLETE).count() == run.total
    # Each tenant lands in its own folder of each (local) region.
    for tenant in municipalities_to_back_up():
        assert (local_regions / "primary" / "tenants" / tenant.slug / "backups").is_dir()
        assert (local_regions / "secondary" / "tenants" / tenant.slug / "backups").is_dir()


def test_the_command_shows_progress_and_a_summary(local_regions: Any, make_tenant: Any) -> None:
    make_tenant(letters=1)
    broken = make_tenant(letters=0)
    _break(broken)
    out, err = io.StringIO(), io.StringIO()
    call_command("backup_fleet", "--jobs", "2", stdout=out, stderr=err)

    total = municipalities_to_back_up().count()
    progress = err.getvalue()
    assert f"done {total - 1} failed 1 remaining 0 of {total}" in progress
    summary = out.getvalue()
    assert f"done {total - 1}, failed 1, of {total}" in summary
    assert broken.slug in summary and "does not exist" in summary
    assert "primary:" in summary and "secondary:" in summary


@pytest.mark.django_db
def test_a_region_older_than_26_hours_raises_an_alert(
    alpha: Any, beta: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tenants.models import Municipality

    now = timezone.now()

    def backup(tenant: Any, hours_ago: float, regions: dict[str, str]) -> None:
        made = TenantBackup.objects.create(
            municipality=tenant,
            created_at=now - dt.timedelta(hours=hours_ago),
            status=BackupStatus.COMPLETE,
        )
        for region, status in regions.items():
            BackupCopy.objects.create(backup=made, region=region, status=status)

    complete, pending = CopyStatus.COMPLETE, CopyStatus.PENDING
    backup(alpha, 30, {"primary": complete, "secondary": complete})
    backup(alpha, 2, {"primary": complete, "secondary": pending})  # secondary was down
    # beta has been a tenant for two days and has never been backed up.
    Municipality.objects.filter(pk=beta.pk).update(created_at=now - dt.timedelta(hours=48))

    flagged = {(m.slug, r.region): r for m, r in stale_backups() if m.slug in {"alpha", "beta"}}
    assert set(flagged) == {("alpha", "secondary"), ("beta", "primary"), ("beta", "secondary")}
    assert flagged[("alpha", "secondary")].age_hours == pytest.approx(30, abs=0.1)
    assert flagged[("beta", "primary")].last_at is None

    with caplog.at_level(logging.ERROR, logger="tenants.backups.tasks"):
        alerts = backup_staleness_check()
    assert {"slug": "alpha", "region": "secondary"}.items() <= next(
        a for a in alerts if a["slug"] == "alpha"
    ).items()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("alpha" in m and "secondary" in m and "stale" in m for m in messages)
    assert not any("alpha" in m and "primary" in m for m in messages)

    # Fresh again within the limit: no alert for alpha.
    backup(alpha, 1, {"primary": complete, "secondary": complete})
    assert not [r for m, r in stale_backups() if m.slug == "alpha"]


@pytest.mark.django_db
def test_a_run_whose_jobs_were_lost_is_closed_with_what_it_has() -> None:
    run = BackupRun.objects.create(
        kind=BackupKind.DAILY, total=5, done=3, started_at=timezone.now() - dt.timedelta(hours=21)
    )
    assert backup_run_finish(run_id=run.pk).finished_at is None  # still counting
    assert backup_runs_close_stale() == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL and run.summary["lost"] == 2
