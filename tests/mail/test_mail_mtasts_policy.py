"""MTA-STS: the policy at https://mta-sts.<mail domain>/.well-known/mta-sts.txt and the
_mta-sts TXT record's id, which must change whenever the policy does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mailhosting.dns_records import expected_records
from mailhosting.models import DomainKind, MailDomain
from mailhosting.services import mail_domain_add

pytestmark = [pytest.mark.mail]

PATH = "/.well-known/mta-sts.txt"


def policy_client(domain: str) -> Client:
    return Client(HTTP_HOST=f"mta-sts.{domain}")


def txt_id(domain: MailDomain) -> str:
    record = next(r for r in expected_records(domain) if r.purpose == "mta_sts")
    assert record.name == f"_mta-sts.{domain.name}"
    version, _sep, ident = record.value.partition("; id=")
    assert version == "v=STSv1"
    return ident


def parse(body: str) -> dict[str, str]:
    assert body.endswith("\r\n")
    return dict(line.split(": ", 1) for line in body.split("\r\n") if line)


def test_the_policy_is_served_for_every_mail_domain_with_the_settings(
    alpha: Any, settings: Any
) -> None:
    settings.MAIL_MTA_STS_MODE = "enforce"
    settings.MAIL_MX_HOST = "mx.saraban.test"
    settings.MAIL_MTA_STS_MAX_AGE = 604800
    own = mail_domain_add(municipality=alpha, name="alpha-city.go.th", kind=DomainKind.OWN)
    platform = MailDomain.objects.get(municipality=alpha, kind=DomainKind.PLATFORM)
    for domain in (own, platform):
        response = policy_client(domain.name).get(PATH, secure=True)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert parse(response.content.decode()) == {
            "version": "STSv1",
            "mode": "enforce",
            "mx": "mx.saraban.test",
            "max_age": "604800",
        }


def test_the_txt_id_changes_exactly_when_the_policy_changes(alpha: Any, settings: Any) -> None:
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    settings.MAIL_MTA_STS_MODE = "testing"
    first = txt_id(domain)
    body = policy_client(domain.name).get(PATH).content.decode()
    assert parse(body)["mode"] == "testing"
    assert txt_id(domain) == first  # stable while nothing changes
    assert first.isalnum() and 1 <= len(first) <= 32  # RFC 8461 3.1
    settings.MAIL_MTA_STS_MODE = "enforce"
    assert txt_id(domain) != first
    settings.MAIL_MX_HOST = "mx2.saraban.test"
    second = txt_id(domain)
    assert "mx: mx2.saraban.test" in policy_client(domain.name).get(PATH).content.decode()
    settings.MAIL_MTA_STS_MAX_AGE = 86400
    assert txt_id(domain) != second


def test_unknown_domains_other_paths_and_tenant_pages_are_not_served(alpha: Any) -> None:
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    assert policy_client("nobody.example.go.th").get(PATH).status_code == 404
    assert policy_client(domain.name).get("/").status_code == 404
    assert policy_client(domain.name).get("/staff/settings/mail/").status_code == 404
    assert policy_client(domain.name).post(PATH).status_code == 404
