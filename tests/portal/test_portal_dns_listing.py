"""The listing follows real DNS checks: BIND serves a municipality's own domain (issue 4's checks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import LazySettings
from django.test import Client

from mailhosting.dns_records import DnsRecord, expected_records, zone_file
from mailhosting.models import MailDomain
from mailhosting.services import dns_check_run
from tests.mail.helpers_dns import AuthoritativeServer, authoritative_dns
from tests.portal.helpers_portal import listed_municipality

pytestmark = [pytest.mark.portal, pytest.mark.django_db]

DOMAIN = "sila-kk.go.th"


@pytest.fixture
def named(settings: LazySettings) -> Iterator[AuthoritativeServer]:
    with authoritative_dns() as server:
        settings.MAIL_DNS_NAMESERVERS = [server.address]
        yield server


def _publish(server: AuthoritativeServer, records: list[DnsRecord], serial: int) -> None:
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


def _listing(client: Client) -> str:
    return client.get("/", {"q": "ศิลา"}).content.decode()


def test_own_domain_is_listed_once_its_records_verify_and_flagged_when_they_break(
    named: AuthoritativeServer, public_client: Client
) -> None:
    _m, domain = listed_municipality("เทศบาลตำบลศิลา", "Sila", own_domain=DOMAIN)
    _publish(named, [], serial=1)
    dns_check_run(domain=domain)
    assert "saraban@sila-kk.go.th" not in _listing(public_client)  # nothing published yet

    _publish(named, expected_records(domain), serial=2)
    dns_check_run(domain=domain)
    body = _listing(public_client)
    assert "saraban@sila-kk.go.th" in body and "ตรวจสอบแล้ว" in body

    # The municipality's IT edits the zone and MX goes away: still listed, with a warning.
    _publish(named, [r for r in expected_records(domain) if r.purpose != "mx"], serial=3)
    dns_check_run(domain=domain)
    assert MailDomain.objects.get(pk=domain.pk).status == "failing"
    body = _listing(public_client)
    assert "saraban@sila-kk.go.th" in body and "ไม่ผ่านการตรวจสอบ DNS ตั้งแต่" in body
