"""A region that is down: the backup completes to the other region, the missing copy waits with
its error, and once the region is back the retry task fills it and the staging folder goes."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tenants.backups.fleet import backup_tenant_run
from tenants.backups.layout import MANIFEST
from tenants.backups.models import BackupCopy, BackupStatus, CopyStatus
from tenants.backups.tasks import backup_copies_retry
from tenants.backups.upload import copies_due, retry_delay

pytestmark = [pytest.mark.backups]


def test_a_region_outage_is_caught_up_by_the_retry(
    s3_regions: dict[str, Any], make_tenant: Any
) -> None:
    tenant = make_tenant(letters=2)
    primary, secondary = s3_regions["primary"], s3_regions["secondary"]

    secondary.stop()
    try:
        backup = backup_tenant_run(municipality=tenant)
    finally:
        secondary.start()  # back, but empty: as a region that lost everything

    assert backup.status == BackupStatus.PARTIAL
    copies = {c.region: c for c in backup.copies.all()}
    assert copies["primary"].status == CopyStatus.COMPLETE
    assert copies["secondary"].status == CopyStatus.PENDING
    assert copies["secondary"].attempts == 1
    assert copies["secondary"].last_error
    assert copies["secondary"].next_attempt_at > timezone.now()
    staging = Path(backup.staging_path)
    assert staging.is_dir()  # kept until every region has the backup
    manifest_key = f"{backup.key_prefix}{MANIFEST}"
    assert manifest_key in primary.keys(backup.key_prefix)
    assert secondary.keys() == set()

    # Not due yet: the retry task leaves it alone (backoff).
    assert backup_copies_retry() == {"filled": 0, "still_missing": 0}
    BackupCopy.objects.filter(pk=copies["secondary"].pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert [c.pk for c in copies_due()] == [copies["secondary"].pk]

    assert backup_copies_retry() == {"filled": 1, "still_missing": 0}

    backup.refresh_from_db()
    assert backup.status == BackupStatus.COMPLETE
    secondary_copy = backup.copies.get(region="secondary")
    assert secondary_copy.status == CopyStatus.COMPLETE
    assert secondary_copy.attempts == 2
    assert secondary_copy.last_error == ""
    wanted = {part["key"] for part in backup.manifest["parts"]}
    wanted |= {entry["key"] for entry in backup.manifest["files"]}
    wanted.add(manifest_key)
    assert wanted <= secondary.keys(f"tenants/{tenant.slug}/")
    head = secondary.client.head_object(Bucket=secondary.bucket, Key=manifest_key)
    assert head["ServerSideEncryption"] == "AES256"
    assert backup.staging_path == "" and not staging.exists()
    assert copies_due() == []


def test_both_regions_down_keeps_the_backup_staged_and_retries_both(
    s3_regions: dict[str, Any], make_tenant: Any
) -> None:
    tenant = make_tenant(letters=1)
    for server in s3_regions.values():
        server.stop()
    try:
        backup = backup_tenant_run(municipality=tenant)
    finally:
        for server in s3_regions.values():
            server.start()
    assert backup.status == BackupStatus.STAGED
    assert Path(backup.staging_path).is_dir()
    assert sorted(backup.copies.values_list("status", flat=True)) == [CopyStatus.PENDING] * 2

    BackupCopy.objects.filter(backup=backup).update(next_attempt_at=timezone.now())
    assert backup_copies_retry() == {"filled": 2, "still_missing": 0}
    backup.refresh_from_db()
    assert backup.status == BackupStatus.COMPLETE and backup.staging_path == ""


def test_retry_delays_back_off_up_to_six_hours() -> None:
    delays = [retry_delay(attempt) for attempt in range(1, 12)]
    assert delays[0] == dt.timedelta(minutes=5)
    assert delays[1] == dt.timedelta(minutes=10)
    assert all(a <= b for a, b in itertools.pairwise(delays))
    assert delays[-1] == dt.timedelta(hours=6)
