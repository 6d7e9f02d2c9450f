"""Retention: 35 daily, 12 monthly and 10 yearly backups kept per tenant in both regions over a
simulated three years of daily backups; a file object still referenced is never deleted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tenants.backups.layout import MANIFEST, backup_key_prefix, file_key
from tenants.backups.models import BackupCopy, BackupStatus, CopyStatus, TenantBackup
from tenants.backups.retention import (
    RetentionPolicy,
    backup_retention_apply,
    retention_tags_for,
)

pytestmark = [pytest.mark.backups]

BANGKOK = ZoneInfo("Asia/Bangkok")
DAYS = 3 * 365 + 1


def _expected(created: dict[int, dt.datetime]) -> dict[int, set[str]]:
    """The policy computed the long way: group by period, newest of each, newest periods."""
    expected: dict[int, set[str]] = {}
    for tag, count, period in (
        ("daily", 35, lambda t: t.date()),
        ("monthly", 12, lambda t: (t.year, t.month)),
        ("yearly", 10, lambda t: t.year),
    ):
        newest: dict[Any, tuple[dt.datetime, int]] = {}
        for backup_id, at in created.items():
            key = period(at.astimezone(BANGKOK))
            newest[key] = max(newest.get(key, (at, backup_id)), (at, backup_id))
        for key in sorted(newest, reverse=True)[:count]:
            expected.setdefault(newest[key][1], set()).add(tag)
    return expected


@pytest.mark.django_db
def test_three_years_of_daily_backups_shrink_to_the_policy_in_both_regions(
    s3_regions: dict[str, Any], alpha: Any
) -> None:
    now = timezone.now()
    slug = alpha.slug
    # One file referenced by every backup, and one new file every 30 days.
    shared = hashlib.sha256(b"shared letter").hexdigest()

    def files_of(day: int) -> list[str]:
        return [shared, hashlib.sha256(f"month {day // 30}".encode()).hexdigest()]

    backups = TenantBackup.objects.bulk_create(
        TenantBackup(
            municipality=alpha,
            created_at=now - dt.timedelta(days=day, minutes=5),
            finished_at=now - dt.timedelta(days=day),
            status=BackupStatus.COMPLETE,
        )
        for day in range(DAYS)
    )
    day_of = {b.pk: day for day, b in enumerate(backups)}
    for backup in backups:
        backup.key_prefix = backup_key_prefix(slug, backup.created_at, backup.pk)
        backup.manifest = {
            "files": [
                {"key": file_key(slug, sha), "sha256": sha, "path": f"p/{sha}", "size": 1}
                for sha in files_of(day_of[backup.pk])
            ]
        }
    TenantBackup.objects.bulk_update(backups, ["key_prefix", "manifest"])
    BackupCopy.objects.bulk_create(
        BackupCopy(backup=b, region=region, status=CopyStatus.COMPLETE, uploaded_at=b.finished_at)
        for b in backups
        for region in ("primary", "secondary")
    )
    objects = {}
    for backup in backups:
        objects[f"{backup.key_prefix}{MANIFEST}"] = json.dumps(backup.manifest).encode()
        objects[f"{backup.key_prefix}parts/registers_letter.copy.gz"] = b"rows"
        for entry in backup.manifest["files"]:
            objects[entry["key"]] = entry["sha256"].encode()

    clients = {name: server.client for name, server in s3_regions.items()}

    def put(args: tuple[str, str, bytes]) -> None:
        name, key, body = args
        clients[name].put_object(Bucket=s3_regions[name].bucket, Key=key, Body=body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, [(n, k, v) for n in s3_regions for k, v in objects.items()]))

    result = backup_retention_apply(municipality=alpha, policy=RetentionPolicy(35, 12, 10))

    created = {b.pk: b.created_at for b in backups}
    expected = _expected(created)
    expected.setdefault(backups[0].pk, set()).add("latest")
    kept = {b.pk: set(b.retention_tags) for b in TenantBackup.objects.filter(municipality=alpha)}
    assert kept == expected
    assert sum("daily" in tags for tags in kept.values()) == 35
    assert sum("monthly" in tags for tags in kept.values()) == 12
    assert sum("yearly" in tags for tags in kept.values()) == 4  # three years and a day
    assert result.kept == len(expected) and result.deleted == DAYS - len(expected)
    assert len(expected) < 35 + 12 + 4  # periods overlap: the newest backup is in all three

    kept_backups = [b for b in backups if b.pk in kept]
    referenced = {e["key"] for b in kept_backups for e in b.manifest["files"]}
    for name, server in s3_regions.items():
        keys = server.keys(f"tenants/{slug}/")
        backup_keys = {k for k in keys if "/backups/" in k}
        assert backup_keys == {
            f"{b.key_prefix}{leaf}"
            for b in kept_backups
            for leaf in (MANIFEST, "parts/registers_letter.copy.gz")
        }, name
        file_keys = {k for k in keys if "/files/" in k}
        assert file_keys == referenced, name
        assert file_key(slug, shared) in file_keys
    # A backup removed by retention has no copy rows left to retry.
    assert BackupCopy.objects.filter(backup__municipality=alpha).count() == 2 * len(expected)
    assert result.files_deleted == 2 * (
        len({k for k in objects if "/files/" in k}) - len(referenced)
    )


@pytest.mark.django_db
def test_unfinished_and_recent_failed_backups_are_left_alone(
    local_regions: Any, alpha: Any
) -> None:
    now = timezone.now()
    staged = TenantBackup.objects.create(
        municipality=alpha, created_at=now - dt.timedelta(days=400), status=BackupStatus.STAGED
    )
    failed_recent = TenantBackup.objects.create(
        municipality=alpha, created_at=now - dt.timedelta(days=3), status=BackupStatus.FAILED
    )
    failed_old = TenantBackup.objects.create(
        municipality=alpha, created_at=now - dt.timedelta(days=90), status=BackupStatus.FAILED
    )
    partial = TenantBackup.objects.create(
        municipality=alpha, created_at=now - dt.timedelta(days=1), status=BackupStatus.PARTIAL
    )
    result = backup_retention_apply(municipality=alpha)
    left = set(TenantBackup.objects.filter(municipality=alpha).values_list("pk", flat=True))
    assert left == {staged.pk, failed_recent.pk, partial.pk}
    assert failed_old.pk not in left and result.deleted == 1
    partial.refresh_from_db()
    assert partial.retention_tags == ["daily", "monthly", "yearly"]


def test_the_policy_counts_periods_that_have_a_backup() -> None:
    start = dt.datetime(2026, 1, 31, 20, 0, tzinfo=dt.UTC)  # 1 February 03:00 in Bangkok
    # Four hours apart: one UTC day, but two Bangkok days (and two Bangkok months).
    backups = [(1, start), (2, start - dt.timedelta(hours=4)), (3, start - dt.timedelta(days=400))]
    tags = retention_tags_for(backups, RetentionPolicy(daily=2, monthly=1, yearly=5))
    assert tags == {1: ["daily", "monthly", "yearly"], 2: ["daily"], 3: ["yearly"]}
