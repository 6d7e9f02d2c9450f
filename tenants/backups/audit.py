"""The weekly region audit: what each region really holds, against what the database says.

The daily run does not list regions (it knows a region's files from the tenant's last backup
complete there). Once a week each tenant's objects are listed in every region: a backup whose
copy is recorded complete but misses an object there (a region that lost data) gets its copy
reopened, so the retry task sends it again (from staging, the letters' storage or the other
region); file objects no remaining backup refers to are deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils import timezone

from tenants.backups.layout import MANIFEST
from tenants.backups.locks import TenantBackupBusy, tenant_backup_lock
from tenants.backups.models import BackupCopy, CopyStatus, TenantBackup
from tenants.backups.regions import RegionError, configured_regions, region_store
from tenants.backups.retention import manifest_file_keys
from tenants.backups.upload import backup_settle
from tenants.models import Municipality

logger = logging.getLogger(__name__)


@dataclass
class AuditResult:
    slug: str
    missing: dict[str, int] = field(default_factory=dict)  # region -> objects missing
    reopened: int = 0
    orphans_deleted: int = 0
    errors: list[str] = field(default_factory=list)


def _keys_of(backup: TenantBackup) -> set[str]:
    manifest = backup.manifest or {}
    keys = {f"{backup.key_prefix}{MANIFEST}"}
    keys |= {part["key"] for part in manifest.get("parts", [])}
    keys |= {entry["key"] for entry in manifest.get("files", [])}
    return keys


def backup_regions_audit(*, municipality: Municipality) -> AuditResult:
    """Check one tenant in every region. Skips (TenantBackupBusy) while a backup of it runs."""
    result = AuditResult(slug=municipality.slug)
    with tenant_backup_lock(municipality.pk, wait=False):
        backups = list(
            TenantBackup.objects.filter(municipality=municipality).prefetch_related("copies")
        )
        referenced = manifest_file_keys(backups)
        reopened: set[int] = set()
        for region in configured_regions():
            try:
                store = region_store(region)
                present = set(store.list(f"tenants/{municipality.slug}/"))
            except RegionError as error:
                result.errors.append(str(error))
                continue
            for backup in backups:
                copy = next((c for c in backup.copies.all() if c.region == region), None)
                if copy is None or copy.status != CopyStatus.COMPLETE or not backup.manifest:
                    continue
                missing = _keys_of(backup) - present
                if not missing:
                    continue
                result.missing[region] = result.missing.get(region, 0) + len(missing)
                BackupCopy.objects.filter(pk=copy.pk).update(
                    status=CopyStatus.PENDING,
                    next_attempt_at=timezone.now(),
                    last_error=f"audit: {len(missing)} objects missing, e.g. {min(missing)}",
                )
                reopened.add(backup.pk)
                logger.error(
                    "backup %s of %s: %s objects missing in region %s; copy reopened",
                    backup.pk,
                    municipality.slug,
                    len(missing),
                    region,
                )
            orphans = sorted(k for k in present if "/files/" in k and k not in referenced)
            try:
                store.delete_many(orphans)
                result.orphans_deleted += len(orphans)
            except RegionError as error:
                result.errors.append(str(error))
        for backup in backups:
            if backup.pk in reopened:
                backup_settle(backup)
        result.reopened = len(reopened)
    return result


def backup_regions_audit_all() -> list[AuditResult]:
    results = []
    ids = TenantBackup.objects.values_list("municipality_id", flat=True).distinct()
    for municipality in Municipality.objects.filter(pk__in=ids).order_by("schema_name"):
        try:
            results.append(backup_regions_audit(municipality=municipality))
        except TenantBackupBusy:
            logger.info("audit of %s skipped: a backup of it is running", municipality.slug)
        except Exception:
            logger.exception("audit of %s failed", municipality.slug)
    return results
