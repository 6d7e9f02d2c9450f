"""Reads of the public pages. The site listing reads the control plane only (no tenant schema).

Who is listed (docs/portal.md "Who is listed"): a live municipality (onboarded, not suspended or
archived) whose primary mail domain, the one its saraban@ address is published under, is
verified. An address that stops verifying stays listed with a flag for
``FAILING_LISTED_DAYS`` days after its last successful check, then drops out until it verifies
again; one that never verified is not listed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Func, Max, OuterRef, Q, QuerySet, Subquery, TextField
from django.utils import timezone

from accounts.services import tenant_base_url
from mailhosting.models import CENTRAL_LOCAL_PART, DnsRecordState, DomainStatus, MailDomain
from mailhosting.services import REQUIRED_PURPOSES
from portal import search
from tenants.models import LifecycleState, OnboardingStatus, OrganisationType
from tenants.provinces import PROVINCES

FAILING_LISTED_DAYS = 14
PAGE_SIZE = 25
NOT_LIVE = (LifecycleState.SUSPENDED, LifecycleState.ARCHIVED)


@dataclasses.dataclass(frozen=True)
class ListingFilters:
    q: str = ""
    province: str = ""
    organisation_type: str = ""

    @classmethod
    def from_query(cls, params: dict[str, str]) -> ListingFilters:
        province = params.get("province", "").strip()
        kind = params.get("type", "").strip()
        return cls(
            q=params.get("q", "").strip()[: search.MAX_QUERY_CHARS],
            province=province if province in PROVINCES else "",
            organisation_type=kind if kind in OrganisationType.values else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.province or self.organisation_type)


@dataclasses.dataclass(frozen=True)
class ListingEntry:
    dla_code: str
    name_th: str
    name_en: str
    organisation_type: str
    organisation_type_label: str
    province: str
    province_en: str
    district: str
    website: str
    custom_domains: tuple[str, ...]
    central_address: str
    officer_name: str
    officer_phone: str
    verified: bool
    verified_at: datetime | None
    failing_since: datetime | None
    last_checked_at: datetime | None


class ListingKey(Func):
    """``portal_listing_key(name_th, name_en)``: the expression the trigram index is built on."""

    function = "portal_listing_key"
    output_field = TextField()


def _listed_domains(now: datetime) -> QuerySet[MailDomain]:
    live = (
        Q(municipality__onboarding_status=OnboardingStatus.DONE)
        & ~Q(municipality__state__in=NOT_LIVE)
        & ~Q(municipality__schema_name="public")
    )
    shown = Q(status=DomainStatus.VERIFIED) | Q(
        status=DomainStatus.FAILING,
        verified_at__gte=now - timedelta(days=FAILING_LISTED_DAYS),
    )
    return MailDomain.objects.filter(live & shown, is_primary=True)


def listing_queryset(
    filters: ListingFilters, *, now: datetime | None = None
) -> QuerySet[MailDomain]:
    """The listed municipalities' primary mail domains matching ``filters``, best match first."""
    qs = _listed_domains(now or timezone.now())
    if filters.province:
        qs = qs.filter(municipality__province=filters.province)
    if filters.organisation_type:
        qs = qs.filter(municipality__organisation_type=filters.organisation_type)
    key = search.name_key(filters.q) if filters.q else ""
    if not key:
        return qs.order_by("municipality__province", "municipality__name_th", "pk")
    qs = qs.alias(name_key=ListingKey(F("municipality__name_th"), F("municipality__name_en")))
    if not search.trigram_available():
        return qs.filter(name_key__contains=key).order_by("municipality__name_th", "pk")
    with connection.cursor() as cursor:
        # Session-wide, but only the listing uses pg_trgm's word-similarity operator.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(search.WORD_SIMILARITY_THRESHOLD)],
        )
    return (
        qs.filter(Q(name_key__trigram_word_similar=key) | Q(name_key__contains=key))
        .annotate(rank=TrigramWordSimilarity(key, "name_key"))
        .order_by("-rank", "municipality__name_th", "pk")
    )


def _with_details(qs: QuerySet[MailDomain]) -> QuerySet[MailDomain]:
    failing_since = (
        DnsRecordState.objects.filter(domain=OuterRef("pk"), purpose__in=REQUIRED_PURPOSES)
        .exclude(status="ok")
        .order_by("since")
        .values("since")[:1]
    )
    return (
        qs.select_related("municipality")
        .prefetch_related("municipality__domains")
        .annotate(failing_since=Subquery(failing_since))
    )


def _entry(domain: MailDomain) -> ListingEntry:
    municipality = domain.municipality
    hosts = sorted(municipality.domains.all(), key=lambda d: (not d.is_primary, str(d.domain)))
    primary = next((str(d.domain) for d in hosts if d.is_primary), "")
    verified = domain.status == DomainStatus.VERIFIED
    return ListingEntry(
        dla_code=municipality.dla_code or "",
        name_th=municipality.name_th,
        name_en=municipality.name_en,
        organisation_type=municipality.organisation_type,
        organisation_type_label=str(municipality.get_organisation_type_display()),
        province=municipality.province,
        province_en=PROVINCES.get(municipality.province, ""),
        district=municipality.district,
        website=tenant_base_url(primary) + "/" if primary else "",
        custom_domains=tuple(str(d.domain) for d in hosts if not d.is_primary),
        central_address=f"{CENTRAL_LOCAL_PART}@{domain.name}",
        officer_name=municipality.officer_name,
        officer_phone=municipality.officer_phone,
        verified=verified,
        verified_at=domain.verified_at,
        failing_since=None if verified else getattr(domain, "failing_since", None),
        last_checked_at=domain.last_checked_at,
    )


def listing_page(
    filters: ListingFilters, page_number: str | int = 1
) -> tuple[Page[MailDomain], list[ListingEntry]]:
    """One page of the listing: three queries (count, rows, their host names) at any size."""
    paginator = Paginator(_with_details(listing_queryset(filters)), PAGE_SIZE)
    page = paginator.get_page(page_number)
    return page, [_entry(domain) for domain in page.object_list]


def listing_all() -> Iterator[ListingEntry]:
    """Every listed municipality, for the open data files (sorted by province, then name)."""
    qs = _with_details(listing_queryset(ListingFilters()))
    for chunk in _chunks(qs, 2000):
        yield from (_entry(domain) for domain in chunk)


def _chunks(qs: QuerySet[MailDomain], size: int) -> Iterable[list[MailDomain]]:
    # prefetch_related needs evaluated chunks; slicing by offset keeps each query bounded.
    offset = 0
    while True:
        rows = list(qs[offset : offset + size])
        if not rows:
            return
        yield rows
        offset += size


def listing_version() -> str:
    """A cheap fingerprint of everything the open data shows: their ETag."""
    now = timezone.now()
    row = _listed_domains(now).aggregate(
        count=Count("pk", distinct=True),
        checked=Max("last_checked_at"),
        changed=Max("municipality__updated_at"),
        hosts=Max("municipality__domains__pk"),
    )
    # The day is part of it: a failing address drops out when its days run out.
    return "-".join(str(v) for v in (timezone.localdate(now), *row.values()))


def listing_provinces() -> list[tuple[str, str]]:
    return sorted(PROVINCES.items())
