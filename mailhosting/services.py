"""Writes of mail hosting: provisioning a municipality's mail, DKIM rotation, addresses, DNS state."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mailhosting import dkim_keys
from mailhosting.dns_check import CheckResult, check_records
from mailhosting.dns_records import dkim_record, expected_records
from mailhosting.models import (
    CENTRAL_LOCAL_PART,
    DkimKey,
    DkimKeyStatus,
    DnsRecordEvent,
    DnsRecordState,
    DomainKind,
    DomainStatus,
    MailAlias,
    Mailbox,
    MailboxKind,
    MailDomain,
    RecordStatus,
)
from tenants.models import Municipality

logger = logging.getLogger(__name__)

# A domain is verified when these pass; MTA-STS and TLS-RPT are reported but do not block mail.
REQUIRED_PURPOSES = frozenset({"ownership", "mx", "spf", "dkim", "dmarc"})


def platform_mail_domain_for(municipality: Municipality) -> str:
    return f"{municipality.slug}.{settings.MAIL_PLATFORM_ZONE}"


@transaction.atomic
def mail_domain_add(
    *, municipality: Municipality, name: str, kind: str, primary: bool = False
) -> MailDomain:
    """Add a domain with a first DKIM key (pending until DNS serves it) and its saraban@ address."""
    name = name.strip().lower().rstrip(".")
    domain, created = MailDomain.objects.get_or_create(
        name=name,
        defaults={
            "municipality": municipality,
            "kind": kind,
            "ownership_token": secrets.token_urlsafe(24),
        },
    )
    if domain.municipality_id != municipality.pk:
        raise ValueError(f"{name} already belongs to another municipality")
    if created and not domain.dkim_keys.exists():
        dkim_key_create(domain=domain)
    Mailbox.objects.get_or_create(
        domain=domain,
        local_part=CENTRAL_LOCAL_PART,
        defaults={"kind": MailboxKind.CENTRAL, "display_name": municipality.name_th},
    )
    if primary:
        mail_domain_make_primary(domain=domain)
    return domain


def mail_domain_make_primary(*, domain: MailDomain) -> None:
    with transaction.atomic():
        MailDomain.objects.filter(municipality_id=domain.municipality_id).exclude(
            pk=domain.pk
        ).update(is_primary=False)
        MailDomain.objects.filter(pk=domain.pk).update(is_primary=True)
    domain.is_primary = True


def mail_provision(*, municipality: Municipality) -> MailDomain:
    """The onboarding step: the platform subdomain, so that saraban@ works from day one.

    The municipality's own domain (``<name>.go.th``) is added later with mail_domain_add; it stays
    pending until its DNS checks pass, and then becomes primary with mail_domain_make_primary.
    """
    platform_domain = mail_domain_add(
        municipality=municipality,
        name=platform_mail_domain_for(municipality),
        kind=DomainKind.PLATFORM,
    )
    # The platform publishes its own subdomain's records, so it needs no waiting for DNS.
    _activate_first_key(platform_domain)
    if not MailDomain.objects.filter(municipality=municipality, is_primary=True).exists():
        mail_domain_make_primary(domain=platform_domain)
    if not settings.MAIL_CHECK_PLATFORM_DOMAINS:
        # Nothing to ask a name server (the embedded demo): record the state now rather than
        # leave the address unverified until the first periodic check.
        dns_check_run(domain=platform_domain)
    return platform_domain


def _activate_first_key(domain: MailDomain) -> None:
    if domain.dkim_keys.filter(status=DkimKeyStatus.ACTIVE).exists():
        return
    key = domain.dkim_keys.filter(status=DkimKeyStatus.PENDING).order_by("created_at").first()
    if key is not None:
        key.status = DkimKeyStatus.ACTIVE
        key.activated_at = timezone.now()
        key.save(update_fields=["status", "activated_at"])


def dkim_key_create(*, domain: MailDomain) -> DkimKey:
    generated = dkim_keys.generate_key()
    return DkimKey.objects.create(
        domain=domain,
        selector=generated.selector,
        public_key_b64=generated.public_key_b64,
        private_key_encrypted=dkim_keys.encrypt_private_key(generated.private_pem),
    )


def dkim_rotation_start(*, domain: MailDomain) -> DkimKey:
    """Publish a new selector first; the switch happens in dkim_rotation_finish once DNS has it."""
    pending = domain.dkim_keys.filter(status=DkimKeyStatus.PENDING).first()
    return pending or dkim_key_create(domain=domain)


def dkim_rotation_finish(*, domain: MailDomain, results: list[CheckResult] | None = None) -> bool:
    """Switch to the pending key if, and only if, the authoritative servers serve it."""
    pending = domain.dkim_keys.filter(status=DkimKeyStatus.PENDING).order_by("created_at").first()
    if pending is None:
        return False
    if results is None:
        results = check_records(domain.name, [dkim_record(domain, pending)])
    seen = any(
        r.record.purpose == "dkim"
        and r.record.name.startswith(f"{pending.selector}.")
        and r.status == RecordStatus.OK
        for r in results
    )
    if not seen:
        return False
    now = timezone.now()
    with transaction.atomic():
        domain.dkim_keys.filter(status=DkimKeyStatus.ACTIVE).update(
            status=DkimKeyStatus.RETIRED, retired_at=now
        )
        pending.status = DkimKeyStatus.ACTIVE
        pending.activated_at = now
        pending.save(update_fields=["status", "activated_at"])
    logger.info("DKIM of %s switched to selector %s", domain.name, pending.selector)
    return True


@transaction.atomic
def mailbox_create(
    *,
    domain: MailDomain,
    local_part: str,
    kind: str,
    display_name: str = "",
    org_unit_code: str = "",
) -> Mailbox:
    local_part = local_part.strip().lower()
    if kind == MailboxKind.CENTRAL and local_part != CENTRAL_LOCAL_PART:
        raise ValueError("the central address is saraban@")
    return Mailbox.objects.create(
        domain=domain,
        local_part=local_part,
        kind=kind,
        display_name=display_name,
        org_unit_code=org_unit_code,
    )


@transaction.atomic
def alias_create(*, domain: MailDomain, local_part: str, destinations: list[str]) -> MailAlias:
    return MailAlias.objects.create(
        domain=domain,
        local_part=local_part.strip().lower(),
        destinations="\n".join(d.strip() for d in destinations if d.strip()),
    )


def dns_check_record(
    *, domain: MailDomain, results: list[CheckResult], now: datetime | None = None
) -> list[DnsRecordEvent]:
    """Store each record's latest state and an event for every change; update the domain."""
    now = now or timezone.now()
    events: list[DnsRecordEvent] = []
    with transaction.atomic():
        states = {(s.purpose, s.name): s for s in domain.dns_states.select_for_update()}
        for result in results:
            record = result.record
            state = states.pop((record.purpose, record.name), None)
            previous = state.status if state else ""
            if state is None:
                state = DnsRecordState(
                    domain=domain, purpose=record.purpose, name=record.name, since=now
                )
            if previous != result.status:
                state.since = now
                events.append(
                    DnsRecordEvent(
                        domain=domain,
                        purpose=record.purpose,
                        name=record.name,
                        from_status=previous,
                        to_status=result.status,
                        found=result.found,
                        detail=result.detail,
                        at=now,
                    )
                )
            state.rtype = record.rtype
            state.expected = record.value
            state.found = result.found
            state.status = result.status
            state.detail = result.detail
            state.checked_at = now
            state.save()
        # Records no longer expected (a retired DKIM selector) are forgotten.
        DnsRecordState.objects.filter(pk__in=[s.pk for s in states.values()]).delete()
        DnsRecordEvent.objects.bulk_create(events)

        required_ok = all(
            r.status == RecordStatus.OK for r in results if r.record.purpose in REQUIRED_PURPOSES
        )
        was = domain.status
        if required_ok:
            domain.status = DomainStatus.VERIFIED
            domain.verified_at = now
        elif was == DomainStatus.VERIFIED or was == DomainStatus.FAILING:
            domain.status = DomainStatus.FAILING
        domain.last_checked_at = now
        domain.save(update_fields=["status", "verified_at", "last_checked_at"])
    if was == DomainStatus.VERIFIED and domain.status == DomainStatus.FAILING:
        broken = [f"{e.name} {e.to_status}" for e in events if e.to_status != RecordStatus.OK]
        # logger.error reaches Sentry: a verified address that stops verifying needs a person.
        logger.error("mail domain %s stopped verifying: %s", domain.name, "; ".join(broken))
    return events


def dns_check_run(*, domain: MailDomain) -> list[CheckResult]:
    """Query the authoritative servers for every expected record and record the outcome."""
    if domain.kind == DomainKind.PLATFORM and not settings.MAIL_CHECK_PLATFORM_DOMAINS:
        # The platform serves these itself; checking would only test our own DNS set-up.
        results = [CheckResult(r, RecordStatus.OK, r.value) for r in expected_records(domain)]
    else:
        results = check_records(domain.name, expected_records(domain))
    dns_check_record(domain=domain, results=results)
    if domain.dkim_keys.filter(status=DkimKeyStatus.PENDING).exists():
        dkim_rotation_finish(domain=domain, results=results)
    return results
