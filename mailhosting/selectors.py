"""Reads of mail hosting."""

from __future__ import annotations

from django.db.models import QuerySet

from mailhosting.dns_records import DnsRecord, expected_records
from mailhosting.models import (
    CENTRAL_LOCAL_PART,
    DnsRecordState,
    DomainStatus,
    Mailbox,
    MailDomain,
)
from tenants.models import Municipality


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
    """The active mailbox an address delivers to (the LMTP service's recipient lookup)."""
    local_part, _sep, domain = address.strip().lower().rpartition("@")
    return (
        Mailbox.objects.select_related("domain", "domain__municipality")
        .filter(local_part=local_part, domain__name=domain, active=True)
        .first()
    )


def records_with_state(*, domain: MailDomain) -> list[tuple[DnsRecord, DnsRecordState | None]]:
    """Each expected record with its last check, ready to show for copying."""
    states = {(s.purpose, s.name): s for s in DnsRecordState.objects.filter(domain=domain)}
    return [(r, states.get((r.purpose, r.name))) for r in expected_records(domain)]


def domains_due_for_check() -> QuerySet[MailDomain]:
    return MailDomain.objects.select_related("municipality").order_by("last_checked_at")
