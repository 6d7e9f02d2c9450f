"""DNS checks against a real authoritative server (BIND's named), status history, DKIM rotation."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import dkim
import pytest
from django.conf import LazySettings

from mailhosting.dkim_keys import decrypt_private_key
from mailhosting.dns_records import DnsRecord, expected_records, zone_file
from mailhosting.models import DkimKeyStatus, DomainKind, DomainStatus, MailDomain, RecordStatus
from mailhosting.services import dkim_rotation_start, dns_check_run, mail_domain_add
from tests.mail.helpers_dns import AuthoritativeServer, authoritative_dns

pytestmark = [pytest.mark.mail]

DOMAIN = "alpha-city.go.th"


@pytest.fixture
def named(settings: LazySettings) -> Iterator[AuthoritativeServer]:
    with authoritative_dns() as server:
        settings.MAIL_DNS_NAMESERVERS = [server.address]
        yield server


def _publish(server: AuthoritativeServer, records: list[DnsRecord], serial: int = 1) -> None:
    server.serve(
        {
            DOMAIN: zone_file(
                DOMAIN,
                records,
                nameserver=f"ns1.{DOMAIN}",
                nameserver_address="127.0.0.1",
                serial=serial,
            )
        }
    )


def _statuses(domain: MailDomain) -> dict[str, str]:
    return {s.purpose: s.status for s in domain.dns_states.all()}


def test_published_records_verify_the_domain_and_breakage_is_flagged(
    alpha: Any, named: AuthoritativeServer, caplog: pytest.LogCaptureFixture
) -> None:
    domain = mail_domain_add(municipality=alpha, name=DOMAIN, kind=DomainKind.OWN)
    assert domain.status == DomainStatus.PENDING

    _publish(named, [])  # nothing published yet
    dns_check_run(domain=domain)
    domain.refresh_from_db()
    assert domain.status == DomainStatus.PENDING
    assert set(_statuses(domain).values()) == {RecordStatus.MISSING}

    _publish(named, expected_records(domain), serial=2)
    dns_check_run(domain=domain)
    domain.refresh_from_db()
    assert domain.status == DomainStatus.VERIFIED, _statuses(domain)
    assert set(_statuses(domain).values()) == {RecordStatus.OK}

    # Someone edits the zone: SPF loses our include and DMARC goes away.
    broken = []
    for record in expected_records(domain):
        if record.purpose == "dmarc":
            continue
        if record.purpose == "spf":
            record = DnsRecord("spf", record.name, "TXT", "v=spf1 mx -all")
        broken.append(record)
    _publish(named, broken, serial=3)
    with caplog.at_level(logging.ERROR, logger="mailhosting.services"):
        dns_check_run(domain=domain)
    domain.refresh_from_db()
    assert domain.status == DomainStatus.FAILING
    statuses = _statuses(domain)
    assert statuses["spf"] == RecordStatus.MISMATCH
    assert statuses["dmarc"] == RecordStatus.MISSING
    assert statuses["mx"] == RecordStatus.OK
    assert "stopped verifying" in caplog.text
    history = list(domain.dns_events.filter(purpose="spf").order_by("at", "id"))
    assert [(e.from_status, e.to_status) for e in history] == [
        ("", RecordStatus.MISSING),
        (RecordStatus.MISSING, RecordStatus.OK),
        (RecordStatus.OK, RecordStatus.MISMATCH),
    ]
    assert history[-1].found == "v=spf1 mx -all"


def test_an_unreachable_server_is_an_error_not_a_missing_record(
    alpha: Any, settings: LazySettings
) -> None:
    from tests.registers.helpers_browser import free_port

    settings.MAIL_DNS_NAMESERVERS = [f"127.0.0.1:{free_port()}"]
    domain = mail_domain_add(municipality=alpha, name=DOMAIN, kind=DomainKind.OWN)
    dns_check_run(domain=domain)
    assert set(_statuses(domain).values()) == {RecordStatus.ERROR}
    assert MailDomain.objects.get(pk=domain.pk).status == DomainStatus.PENDING


def test_dkim_rotation_switches_only_after_dns_serves_the_new_selector(
    alpha: Any, named: AuthoritativeServer
) -> None:
    domain = mail_domain_add(municipality=alpha, name=DOMAIN, kind=DomainKind.OWN)
    _publish(named, expected_records(domain))
    dns_check_run(domain=domain)  # the first key is seen: it becomes active
    old = domain.dkim_keys.get()
    assert old.status == DkimKeyStatus.ACTIVE

    new = dkim_rotation_start(domain=domain)
    assert new.status == DkimKeyStatus.PENDING
    # The zone still has only the old selector: no switch.
    dns_check_run(domain=domain)
    assert domain.dkim_keys.get(pk=old.pk).status == DkimKeyStatus.ACTIVE
    assert domain.dkim_keys.get(pk=new.pk).status == DkimKeyStatus.PENDING

    _publish(named, expected_records(domain), serial=2)  # now both selectors are published
    dns_check_run(domain=domain)
    assert domain.dkim_keys.get(pk=old.pk).status == DkimKeyStatus.RETIRED
    new.refresh_from_db()
    assert new.status == DkimKeyStatus.ACTIVE

    # dkimpy verifies a message signed with the new key through the real DNS server.
    raw = b"From: saraban@" + DOMAIN.encode() + b"\r\nSubject: rotation\r\n\r\nbody\r\n"
    signature = dkim.sign(
        raw,
        new.selector.encode(),
        DOMAIN.encode(),
        decrypt_private_key(new.private_key_encrypted),
        include_headers=[b"from", b"subject"],
    )
    resolver = named.resolver()

    def dns_answer(name: bytes, timeout: int = 5) -> bytes:
        answer = resolver.resolve(name.decode(), "TXT")
        return b"".join(answer[0].strings)

    assert dkim.verify(signature + raw, dnsfunc=dns_answer)
