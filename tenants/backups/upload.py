"""Send a staged backup to every region, and keep trying a region until it has its copy.

Per region, in this order: the objects holding the parts (the backup's pack), the file objects
the region does not hold yet (content-addressed keys: the tenant's last backup complete there
tells which), and the manifest last, so that a manifest in a region always means a whole backup
is there. Each region is its own ``BackupCopy``; one region failing leaves its copy pending
(retried with backoff by ``backup_copies_retry``) and never holds up the other. The staging folder goes once every region has the backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tenants.backups.layout import MANIFEST, BackupError, files_prefix, staged_path
from tenants.backups.locks import tenant_backup_lock
from tenants.backups.models import BackupCopy, BackupStatus, CopyStatus, TenantBackup
from tenants.backups.packs import is_packed, object_sha256
from tenants.backups.regions import RegionError, RegionStore, configured_regions, region_store

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
# Objects sent at once to one region (boto3 clients are thread-safe; S3 latency dominates).
UPLOAD_THREADS = 8
# Retry delays of a missing copy: 5, 10, 20 ... minutes, at most 6 hours apart.
RETRY_BASE = dt.timedelta(minutes=5)
RETRY_MAX = dt.timedelta(hours=6)
# A copy left "uploading" this long (a worker died) is taken up again.
UPLOAD_LEASE = dt.timedelta(hours=2)


def _quiet(_message: str) -> None:
    pass


def retry_delay(attempts: int) -> dt.timedelta:
    if attempts <= 0:
        return dt.timedelta(0)
    return min(RETRY_BASE * (2 ** min(attempts - 1, 20)), RETRY_MAX)


def copies_ensure(backup: TenantBackup) -> list[BackupCopy]:
    """One copy row per configured region (pending until uploaded)."""
    copies = []
    for region in configured_regions():
        copy, _created = BackupCopy.objects.get_or_create(backup=backup, region=region)
        copies.append(copy)
    return copies


def _claim(copy: BackupCopy, now: dt.datetime) -> bool:
    """Mark the copy uploading unless another worker has it (conditional update)."""
    claimed = (
        BackupCopy.objects.filter(pk=copy.pk)
        .filter(
            Q(status__in=[CopyStatus.PENDING, CopyStatus.FAILED])
            | Q(status=CopyStatus.UPLOADING, next_attempt_at__lte=now)
        )
        .update(
            status=CopyStatus.UPLOADING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + UPLOAD_LEASE,
        )
    )
    if claimed:
        copy.refresh_from_db()
    return bool(claimed)


class _Sources:
    """Finds the local bytes of a key: the staging folder, the letters' storage, or another
    region that holds the backup (when staging is gone). Temporary copies live in ``scratch``."""

    def __init__(self, backup: TenantBackup, scratch: Path, exclude_region: str) -> None:
        self.backup = backup
        self.scratch = scratch
        self.exclude_region = exclude_region

    def _from_other_region(self, key: str, sha256: str) -> Path:
        complete = self.backup.copies.filter(status=CopyStatus.COMPLETE).exclude(
            region=self.exclude_region
        )
        target = self.scratch / hashlib.sha256(key.encode()).hexdigest()
        for copy in complete:
            try:
                region_store(copy.region).get_to(key, target)
            except RegionError:
                continue
            if _sha256_of(target) == sha256:
                return target
        raise BackupError(
            f"ไม่มีต้นทางของ {key} / no source left for {key}: staging is gone and no other "
            "region holds it"
        )

    def for_key(self, key: str, sha256: str) -> Path:
        if self.backup.staging_path:
            local = staged_path(self.backup, key)
            if local.is_file():
                return local
        return self._from_other_region(key, sha256)

    def for_file(self, entry: dict[str, Any]) -> Path:
        if is_packed(entry):  # a pack: in this backup's staging folder, else in another region
            return self.for_key(entry["key"], object_sha256(entry))
        if self.backup.staging_path and entry.get("staged"):
            local = staged_path(self.backup, entry["key"])
            if local.is_file():
                return local
        # Sent with an earlier backup, but this region lost it (or never got it): read it
        # from the letters' storage again, if it still holds the same bytes.
        target = self.scratch / entry["sha256"]
        try:
            with default_storage.open(entry["path"], "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
        except (OSError, ValueError):
            target.unlink(missing_ok=True)
        else:
            if _sha256_of(target) == entry["sha256"]:
                return target
        return self._from_other_region(entry["key"], entry["sha256"])


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _send_all(store: RegionStore, jobs: Iterable[Callable[[], None]]) -> None:
    """Run the uploads a few at a time; the first failure stops the rest and is raised."""
    jobs = list(jobs)
    if len(jobs) <= 1:  # the usual daily case (one pack): no thread pool
        for job in jobs:
            job()
        return
    with ThreadPoolExecutor(max_workers=min(UPLOAD_THREADS, len(jobs))) as pool:
        futures = [pool.submit(job) for job in jobs]
        try:
            for future in futures:
                future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _files_in_region(backup: TenantBackup, region: str, store: RegionStore) -> set[str]:
    """File keys the region already holds. Known from the tenant's newest backup that is
    complete in that region: its files are there (content-addressed keys; retention keeps
    every file a remaining backup refers to; the weekly audit checks regions against a
    listing). Without such a backup, a listing of the tenant's files in the region."""
    previous = (
        TenantBackup.objects.filter(
            municipality_id=backup.municipality_id,
            copies__region=region,
            copies__status=CopyStatus.COMPLETE,
        )
        .exclude(pk=backup.pk)
        .order_by("-created_at")
        .values_list("manifest", flat=True)
        .first()
    )
    if previous is not None:
        return {entry["key"] for entry in previous.get("files", [])}
    return set(store.list(files_prefix(backup.manifest["tenant"]["slug"])))


def _upload_to_region(backup: TenantBackup, region: str, progress: Progress) -> dict[str, int]:
    store = region_store(region)
    manifest = backup.manifest
    sent = {"parts": 0, "files": 0, "files_present": 0, "bytes": 0}
    counting = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="backup-upload-") as scratch_dir:
        sources = _Sources(backup, Path(scratch_dir), exclude_region=region)

        def send(kind: str, entry: dict[str, Any]) -> Callable[[], None]:
            def job() -> None:
                sha = object_sha256(entry)
                if kind == "parts":
                    path = sources.for_key(entry["key"], sha)
                else:
                    path = sources.for_file(entry)
                store.put_file(path, entry["key"], sha)
                with counting:
                    sent[kind] += 1
                    sent["bytes"] += path.stat().st_size

            return job

        present = _files_in_region(backup, region, store)
        # One upload per object: the pieces of a pack share its key.
        objects: dict[str, tuple[str, dict[str, Any]]] = {}
        for part in manifest["parts"]:
            objects.setdefault(part["key"], ("parts", part))
        for entry in manifest.get("files", []):
            if entry["key"] in objects:
                continue
            if entry["key"] in present:
                sent["files_present"] += 1
            else:
                objects[entry["key"]] = ("files", entry)
        _send_all(store, (send(kind, entry) for kind, entry in objects.values()))
        manifest_key = f"{backup.key_prefix}{MANIFEST}"
        store.put_file(
            sources.for_key(manifest_key, backup.manifest_sha256),
            manifest_key,
            backup.manifest_sha256,
        )
    progress(
        f"{region}: {sent['parts']} parts, {sent['files']} files sent "
        f"({sent['files_present']} already there), {sent['bytes']:,} bytes"
    )
    return sent


def _copy_upload(backup: TenantBackup, copy: BackupCopy, progress: Progress) -> bool:
    now = timezone.now()
    if not _claim(copy, now):
        return copy.status == CopyStatus.COMPLETE
    try:
        _upload_to_region(backup, copy.region, progress)
    except Exception as error:
        delay = retry_delay(copy.attempts)
        BackupCopy.objects.filter(pk=copy.pk).update(
            status=CopyStatus.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:4000],
            next_attempt_at=timezone.now() + delay,
        )
        logger.warning(
            "backup %s: region %s failed (attempt %s, next in %s): %s",
            backup.pk,
            copy.region,
            copy.attempts,
            delay,
            error,
        )
        progress(f"{copy.region}: failed ({error}); retry in {delay}")
        return False
    BackupCopy.objects.filter(pk=copy.pk).update(
        status=CopyStatus.COMPLETE,
        last_error="",
        uploaded_at=timezone.now(),
        next_attempt_at=None,
    )
    return True


def backup_settle(backup: TenantBackup) -> TenantBackup:
    """Status from the copies: complete in every region, partial, or still only staged.
    Once every region has it the staging folder is removed."""
    statuses = dict(backup.copies.values_list("region", "status"))
    regions = configured_regions()
    complete = [r for r in regions if statuses.get(r) == CopyStatus.COMPLETE]
    with transaction.atomic():
        locked = TenantBackup.objects.select_for_update().get(pk=backup.pk)
        if len(complete) == len(regions):
            locked.status = BackupStatus.COMPLETE
        elif complete:
            locked.status = BackupStatus.PARTIAL
        else:
            locked.status = BackupStatus.STAGED
        remove = locked.status == BackupStatus.COMPLETE and bool(locked.staging_path)
        staging = locked.staging_path
        if remove:
            locked.staging_path = ""
        locked.save(update_fields=["status", "staging_path"])
    if remove:
        shutil.rmtree(staging, ignore_errors=True)
    backup.refresh_from_db()
    return backup


def backup_upload(
    *,
    backup: TenantBackup,
    regions: list[str] | None = None,
    progress: Progress | None = None,
) -> TenantBackup:
    """Upload a staged backup to every region that lacks it (or only ``regions``)."""
    show = progress or _quiet
    if backup.status in {BackupStatus.RUNNING, BackupStatus.FAILED} or not backup.manifest:
        raise BackupError(
            f"ข้อมูลสำรอง {backup.pk} ยังไม่พร้อมส่ง / backup {backup.pk} is not staged "
            f"(status {backup.status})"
        )
    wanted = set(regions or configured_regions())
    # Retention of this tenant waits: it must not delete a file object this upload counts on.
    with tenant_backup_lock(backup.municipality_id):
        for copy in copies_ensure(backup):
            if copy.region in wanted and copy.status != CopyStatus.COMPLETE:
                _copy_upload(backup, copy, show)
        return backup_settle(backup)


def copies_due(now: dt.datetime | None = None) -> list[BackupCopy]:
    """Copies a region still lacks whose next attempt is due (or whose upload lease ran out)."""
    now = now or timezone.now()
    return list(
        BackupCopy.objects.filter(backup__status__in=[BackupStatus.STAGED, BackupStatus.PARTIAL])
        .filter(
            Q(
                status__in=[CopyStatus.PENDING, CopyStatus.FAILED],
                next_attempt_at__isnull=True,
            )
            | Q(status__in=[CopyStatus.PENDING, CopyStatus.FAILED], next_attempt_at__lte=now)
            | Q(status=CopyStatus.UPLOADING, next_attempt_at__lte=now)
        )
        .select_related("backup", "backup__municipality")
        .order_by("backup__created_at")
    )


def backup_copy_retry(*, copy: BackupCopy, progress: Progress | None = None) -> bool:
    """Try one missing copy again; True when the region now has the backup."""
    backup = copy.backup
    if copy.status == CopyStatus.UPLOADING:
        # Its lease ran out (a worker died): make it claimable again.
        BackupCopy.objects.filter(pk=copy.pk, status=CopyStatus.UPLOADING).update(
            status=CopyStatus.PENDING
        )
        copy.refresh_from_db()
    with tenant_backup_lock(backup.municipality_id):
        done = _copy_upload(backup, copy, progress or _quiet)
        backup_settle(backup)
    return done
