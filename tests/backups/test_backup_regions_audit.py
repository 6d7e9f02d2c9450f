"""The weekly region audit: a region that lost objects gets them back through the retry; file
objects that no backup refers to are removed; a healthy region is left alone."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tenants.backups.audit import backup_regions_audit
from tenants.backups.fleet import backup_tenant_run
from tenants.backups.layout import MANIFEST, file_key
from tenants.backups.models import BackupStatus, CopyStatus
from tenants.backups.tasks import backup_copies_retry

pytestmark = [pytest.mark.backups]


def test_lost_objects_are_found_and_sent_again(local_regions: Path, make_tenant: Any) -> None:
    tenant = make_tenant(letters=2)
    first = backup_tenant_run(municipality=tenant)
    second = backup_tenant_run(municipality=tenant)
    assert first.status == second.status == BackupStatus.COMPLETE

    healthy = backup_regions_audit(municipality=tenant)
    assert (healthy.missing, healthy.reopened, healthy.orphans_deleted) == ({}, 0, 0)

    secondary = local_regions / "secondary"
    lost_file = second.manifest["files"][0]["key"]
    lost_part = second.manifest["parts"][1]["key"]
    (secondary / lost_file).unlink()
    (secondary / lost_part).unlink()
    orphan = file_key(tenant.slug, hashlib.sha256(b"left over").hexdigest())
    (secondary / orphan).parent.mkdir(parents=True, exist_ok=True)
    (secondary / orphan).write_bytes(b"left over")

    result = backup_regions_audit(municipality=tenant)
    # The file is in both backups; the part only in the second.
    assert result.missing == {"secondary": 3}
    assert result.reopened == 2 and result.orphans_deleted == 1
    assert not (secondary / orphan).exists()
    for backup in (first, second):
        backup.refresh_from_db()
        assert backup.status == BackupStatus.PARTIAL
        assert backup.copies.get(region="secondary").status == CopyStatus.PENDING
        assert backup.copies.get(region="primary").status == CopyStatus.COMPLETE

    # The retry sends them again: packs from the other region (staging is gone), a file of its
    # own from the letters' storage.
    assert backup_copies_retry() == {"filled": 2, "still_missing": 0}
    for backup in (first, second):
        backup.refresh_from_db()
        assert backup.status == BackupStatus.COMPLETE
    assert (secondary / lost_file).is_file() and (secondary / lost_part).is_file()
    part = next(p for p in second.manifest["parts"] if p["key"] == lost_part)
    # The part is a piece of a pack (format 2): the object is the whole pack, named by its hash.
    assert hashlib.sha256((secondary / lost_part).read_bytes()).hexdigest() == part["pack_sha256"]
    assert (secondary / f"{second.key_prefix}{MANIFEST}").is_file()
    assert backup_regions_audit(municipality=tenant).missing == {}
