"""Reads of mail hosting."""

from __future__ import annotations

from django.db.models import QuerySet

from mailhosting.dns_records import DnsRecord, expected_records
from mailhosting.models import (
    CENTRAL_LOCAL_PART,
    DkimKey,
    DkimKeyStatus,
    DnsRecordEvent,
    DnsRecordState,
    DomainStatus,
    Mailbox,
    MailDomain,
    RecordStatus,
)
from tenants.models import LifecycleState, Municipality


def mail_domains_of(*, municipality: Municipality) -> QuerySet[MailDomain]:
    return MailDomain.objects.filter(municipality=municipality).order_by("-is_primary", "name")


def primary_mail_domain(*, municipality: Municipality) -> MailDomain | None:
    return mail_domains_of(municipality=municipality).filter(is_primary=True).first()


def central_address(*, municipality: Municipality) -> str | None:
    domain = primary_mail_domain(municipality=municipality)
    return f"{CENTRAL_LOCAL_PART}@{domain.name}" if domain else None


def central_address_verified(*, municipality: Municipality) -> bool:
    domain = primary_mail_domain(municipality=municipality)
    return domain is not None and domain.status == DomainStatus.VERIFIED


def mailbox_for_address(address: str) -> Mailbox | None:
    """The active mailbox an address delivers to (the LMTP service's recipient lookup).

    ``saraban+<token>@`` (an outgoing letter's return path, Postfix's recipient_delimiter) is
    saraban@'s."""
    local_part, _sep, domain = address.strip().lower().rpartition("@")
    local_part = local_part.partition("+")[0]
    return (
        Mailbox.objects.select_related("domain", "domain__municipality")
        .filter(local_part=local_part, domain__name=domain, active=True)
        .first()
    )


def records_with_state(*, domain: MailDomain) -> list[tuple[DnsRecord, DnsRecordState | None]]:
    """Each expected record with its last check, ready to show for copying."""
    states = {(s.purpose, s.name): s for s in DnsRecordState.objects.filter(domain=domain)}
    return [(r, states.get((r.purpose, r.name))) for r in expected_records(domain)]


def active_dkim_keys() -> QuerySet[DkimKey]:
    """The key each receiving domain signs with now (OpenDKIM's key table); not archived ones."""
    return (
        DkimKey.objects.select_related("domain")
        .filter(status=DkimKeyStatus.ACTIVE)
        .exclude(domain__municipality__state=LifecycleState.ARCHIVED)
        .order_by("domain__name")
    )


def domains_due_for_check() -> QuerySet[MailDomain]:
    return MailDomain.objects.select_related("municipality").order_by("last_checked_at")


def municipality_ids_with_dns_failing() -> QuerySet[MailDomain, int]:
    """Municipalities with a mail domain whose records broke after it was verified (console)."""
    return (
        MailDomain.objects.filter(status=DomainStatus.FAILING)
        .values_list("municipality_id", flat=True)
        .distinct()
    )


def domains_failing() -> QuerySet[MailDomain]:
    return (
        MailDomain.objects.filter(status=DomainStatus.FAILING)
        .select_related("municipality")
        .order_by("last_checked_at")
    )


def dns_breakages_of(*, municipality: Municipality, limit: int = 20) -> QuerySet[DnsRecordEvent]:
    """The municipality's records that stopped being correct, newest first (console feed)."""
    return (
        DnsRecordEvent.objects.filter(domain__municipality=municipality)
        .exclude(to_status=RecordStatus.OK)
        .select_related("domain")
        .order_by("-at", "-id")[:limit]
    )
