"""Retention per tenant, in every region: the newest backup of each of the last N days, months
and years (Asia/Bangkok), the newest complete backup, and anything not finished yet are kept.

A backup that is not kept loses its manifest (first, so it never looks whole again) and parts
in every region, then its row. A file object (content-addressed, shared by the tenant's
backups) is deleted only when no remaining backup's manifest refers to it: the files of the
removed backups minus those of the remaining ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from tenants.backups.layout import MANIFEST
from tenants.backups.locks import TenantBackupBusy, tenant_backup_lock
from tenants.backups.models import BackupStatus, TenantBackup
from tenants.backups.packs import is_packed
from tenants.backups.regions import RegionError, configured_regions, region_store
from tenants.models import Municipality

logger = logging.getLogger(__name__)

KEPT_STATUSES = (BackupStatus.COMPLETE, BackupStatus.PARTIAL)


@dataclass(frozen=True)
class RetentionPolicy:
    daily: int
    monthly: int
    yearly: int

    @classmethod
    def from_settings(cls) -> RetentionPolicy:
        return cls(
            daily=int(settings.BACKUP_KEEP_DAILY),
            monthly=int(settings.BACKUP_KEEP_MONTHLY),
            yearly=int(settings.BACKUP_KEEP_YEARLY),
        )


@dataclass
class RetentionResult:
    slug: str
    kept: int = 0
    deleted: int = 0
    files_deleted: int = 0
    errors: list[str] = field(default_factory=list)


def retention_tags_for(
    backups: Sequence[tuple[int, dt.datetime]], policy: RetentionPolicy
) -> dict[int, list[str]]:
    """Which backups (id, created_at) each policy keeps: the newest of each of the last N
    days / months / years that have a backup. Pure; days are Bangkok days."""
    ordered = sorted(backups, key=lambda item: item[1], reverse=True)
    rules: list[tuple[str, int, Callable[[dt.datetime], Hashable]]] = [
        ("daily", policy.daily, lambda t: t.date()),
        ("monthly", policy.monthly, lambda t: (t.year, t.month)),
        ("yearly", policy.yearly, lambda t: t.year),
    ]
    tags: dict[int, list[str]] = {}
    for tag, count, bucket_of in rules:
        seen: set[Hashable] = set()
        for backup_id, created_at in ordered:
            if len(seen) >= count:
                break
            bucket = bucket_of(timezone.localtime(created_at))
            if bucket in seen:
                continue
            seen.add(bucket)
            tags.setdefault(backup_id, []).append(tag)
    return tags


def manifest_file_keys(backups: Iterable[TenantBackup]) -> set[str]:
    """The content-addressed objects the backups refer to: files, and the packs of parts."""
    keys: set[str] = set()
    for backup in backups:
        manifest = backup.manifest or {}
        keys |= {entry["key"] for entry in manifest.get("files", [])}
        keys |= {part["key"] for part in manifest.get("parts", []) if is_packed(part)}
    return keys


def _delete_backups_in_region(region: str, slug: str, prefixes: list[str]) -> None:
    """One listing of the tenant's backups, then manifests first (a backup without its manifest
    is never taken for whole), then everything else under those prefixes."""
    if not prefixes:
        return
    store = region_store(region)
    wanted = set(prefixes)
    # tenants/<slug>/backups/<stamp>-<id>/...: a key's backup is its first four segments.
    keys = [
        key
        for key in store.list(f"tenants/{slug}/backups/")
        if "/".join(key.split("/")[:4]) + "/" in wanted
    ]
    manifests = [key for key in keys if key.endswith(f"/{MANIFEST}")]
    store.delete_many(manifests)
    store.delete_many([key for key in keys if key not in set(manifests)])


def backup_retention_apply(
    *,
    municipality: Municipality,
    policy: RetentionPolicy | None = None,
    now: dt.datetime | None = None,
) -> RetentionResult:
    """Apply the policy to one tenant. Skips (TenantBackupBusy) while a backup of it runs."""
    policy = policy or RetentionPolicy.from_settings()
    now = now or timezone.now()
    slug = municipality.slug
    result = RetentionResult(slug=slug)
    regions = configured_regions()
    with tenant_backup_lock(municipality.pk, wait=False):
        backups = list(TenantBackup.objects.filter(municipality=municipality))
        good = [b for b in backups if b.status in KEPT_STATUSES]
        tags = retention_tags_for([(b.pk, b.created_at) for b in good], policy)
        complete = [b for b in good if b.status == BackupStatus.COMPLETE]
        if complete:
            newest = max(complete, key=lambda b: b.created_at)
            tags.setdefault(newest.pk, []).append("latest")
        # Failed attempts stay visible for as long as daily backups are kept, then go.
        failed_cutoff = now - dt.timedelta(days=policy.daily)
        expired = [b for b in good if b.pk not in tags] + [
            b for b in backups if b.status == BackupStatus.FAILED and b.created_at < failed_cutoff
        ]
        prefixes = [b.key_prefix for b in expired if b.key_prefix]
        failed_regions = set()
        for region in regions:
            try:
                _delete_backups_in_region(region, slug, prefixes)
            except RegionError as error:
                failed_regions.add(region)
                result.errors.append(str(error))
        remaining = {b.pk: b for b in backups}
        if not failed_regions:
            # Rows go only once every region is rid of them; otherwise all are tried again
            # next time (untagged), and their files stay referenced meanwhile.
            for backup in expired:
                remaining.pop(backup.pk)
            TenantBackup.objects.filter(pk__in=[b.pk for b in expired]).delete()
            result.deleted = len(expired)
        changed = []
        for backup in remaining.values():
            wanted = tags.get(backup.pk, [])
            if backup.retention_tags != wanted:
                backup.retention_tags = wanted
                changed.append(backup)
        TenantBackup.objects.bulk_update(changed, ["retention_tags"])
        result.kept = len(remaining)
        if not failed_regions:
            # The files only the removed backups referred to (no listing needed: the weekly
            # audit lists each region and removes any other orphan).
            referenced = manifest_file_keys(remaining.values())
            orphans = sorted(manifest_file_keys(expired) - referenced)
            for region in regions:
                try:
                    region_store(region).delete_many(orphans)
                    result.files_deleted += len(orphans)
                except RegionError as error:
                    result.errors.append(str(error))
    if result.errors:
        logger.warning("retention of %s: %s", slug, "; ".join(result.errors))
    return result


def backup_retention_apply_all(policy: RetentionPolicy | None = None) -> list[RetentionResult]:
    """Every municipality that has backups (archived ones too: their backups age as well)."""
    results = []
    ids = TenantBackup.objects.values_list("municipality_id", flat=True).distinct()
    for municipality in Municipality.objects.filter(pk__in=ids).order_by("schema_name"):
        try:
            results.append(backup_retention_apply(municipality=municipality, policy=policy))
        except TenantBackupBusy:
            logger.info("retention of %s skipped: a backup of it is running", municipality.slug)
        except Exception:
            logger.exception("retention of %s failed", municipality.slug)
    return results
