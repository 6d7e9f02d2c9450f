"""Reads about backups: which tenants the fleet visits, last good backup per region, staleness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from tenants.backups.models import (
    BackupCopy,
    BackupRun,
    BackupStatus,
    CopyStatus,
    RestoreMode,
    RestoreRecord,
    TenantBackup,
)
from tenants.backups.regions import configured_regions
from tenants.models import Municipality, OnboardingStatus
from tenants.selectors import municipalities_tenants


def municipalities_to_back_up() -> QuerySet[Municipality]:
    """Every live municipality: onboarded and not archived (as background work visits them)."""
    return (
        municipalities_tenants()
        .filter(onboarding_status=OnboardingStatus.DONE)
        .exclude(state="archived")
        .order_by("schema_name")
    )


def last_good_backups() -> dict[int, dict[str, dt.datetime]]:
    """municipality id -> region -> time of its newest backup whose copy there is complete."""
    rows = (
        BackupCopy.objects.filter(status=CopyStatus.COMPLETE)
        .values("backup__municipality_id", "region")
        .annotate(last=Max("backup__created_at"))
    )
    found: dict[int, dict[str, dt.datetime]] = {}
    for row in rows:
        found.setdefault(row["backup__municipality_id"], {})[row["region"]] = row["last"]
    return found


def stale_limit() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.BACKUP_STALE_HOURS))


@dataclass(frozen=True)
class RegionState:
    region: str
    last_at: dt.datetime | None
    age: dt.timedelta | None
    stale: bool

    @property
    def age_hours(self) -> float | None:
        return None if self.age is None else self.age.total_seconds() / 3600


@dataclass(frozen=True)
class TenantBackupState:
    municipality: Municipality
    regions: list[RegionState]
    latest: TenantBackup | None

    @property
    def stale(self) -> bool:
        return any(region.stale for region in self.regions)


def tenant_backup_states(now: dt.datetime | None = None) -> list[TenantBackupState]:
    """Each live municipality's last good backup per region, its age and whether it is stale.

    A municipality younger than the limit that has no backup yet is not stale: its first
    backup is still to come.
    """
    now = now or timezone.now()
    limit = stale_limit()
    good = last_good_backups()
    municipalities = list(municipalities_to_back_up())
    latest: dict[int, TenantBackup] = {}
    for backup in (
        TenantBackup.objects.filter(municipality__in=municipalities)
        .order_by("municipality_id", "-created_at")
        .distinct("municipality_id")
        .defer("manifest")
    ):
        latest[backup.municipality_id] = backup
    states = []
    for municipality in municipalities:
        regions = []
        for region in configured_regions():
            last_at = good.get(municipality.pk, {}).get(region)
            if last_at is None:
                since = municipality.created_at
                stale = since is None or now - since > limit
                regions.append(RegionState(region, None, None, stale))
            else:
                age = now - last_at
                regions.append(RegionState(region, last_at, age, age > limit))
        states.append(TenantBackupState(municipality, regions, latest.get(municipality.pk)))
    return states


def stale_backups(now: dt.datetime | None = None) -> list[tuple[Municipality, RegionState]]:
    return [
        (state.municipality, region)
        for state in tenant_backup_states(now)
        for region in state.regions
        if region.stale
    ]


def recent_runs(limit: int = 20) -> QuerySet[BackupRun]:
    return BackupRun.objects.order_by("-started_at")[:limit]


def recent_drills(limit: int = 20) -> QuerySet[RestoreRecord]:
    return (
        RestoreRecord.objects.filter(mode=RestoreMode.DRILL)
        .select_related("municipality", "backup")
        .order_by("-started_at")[:limit]
    )


def restorable_backups(municipality: Municipality) -> QuerySet[TenantBackup]:
    """Backups with a copy in at least one region, newest first."""
    complete = BackupCopy.objects.filter(backup=OuterRef("pk"), status=CopyStatus.COMPLETE)
    return (
        TenantBackup.objects.filter(municipality=municipality)
        .filter(Exists(complete))
        .defer("manifest")
        .order_by("-created_at")
    )


def stale_municipalities(now: dt.datetime | None = None) -> QuerySet[Municipality]:
    """Live municipalities older than the limit lacking a complete copy within it in some
    region: the same rule as tenant_backup_states, as one query (the console's fleet counts)."""
    now = now or timezone.now()
    since = now - stale_limit()
    fresh_everywhere = Q()
    for region in configured_regions():
        fresh_everywhere &= Q(
            Exists(
                BackupCopy.objects.filter(
                    backup__municipality=OuterRef("pk"),
                    region=region,
                    status=CopyStatus.COMPLETE,
                    backup__created_at__gte=since,
                )
            )
        )
    return municipalities_to_back_up().filter(created_at__lt=since).exclude(fresh_everywhere)


def failed_backups_of(*, municipality: Municipality, limit: int = 10) -> QuerySet[TenantBackup]:
    """The municipality's backups that failed, or whose copy to a region failed (console feed)."""
    failed_copy = BackupCopy.objects.filter(backup=OuterRef("pk"), status=CopyStatus.FAILED)
    return (
        TenantBackup.objects.filter(municipality=municipality)
        .filter(Q(status=BackupStatus.FAILED) | Q(Exists(failed_copy)))
        .defer("manifest")
        .prefetch_related("copies")
        .order_by("-created_at")[:limit]
    )


def tenant_backup_state(
    municipality: Municipality, now: dt.datetime | None = None
) -> TenantBackupState:
    """One municipality's last good backup per region (its console page), by the same rule."""
    now = now or timezone.now()
    limit = stale_limit()
    good = dict(
        BackupCopy.objects.filter(backup__municipality=municipality, status=CopyStatus.COMPLETE)
        .values("region")
        .annotate(last=Max("backup__created_at"))
        .values_list("region", "last")
    )
    regions = []
    for region in configured_regions():
        last_at = good.get(region)
        if last_at is None:
            stale = municipality.created_at is None or now - municipality.created_at > limit
            regions.append(RegionState(region, None, None, stale))
        else:
            regions.append(RegionState(region, last_at, now - last_at, now - last_at > limit))
    latest = (
        TenantBackup.objects.filter(municipality=municipality)
        .defer("manifest")
        .order_by("-created_at")
        .first()
    )
    return TenantBackupState(municipality, regions, latest)
