"""Mail domains, DKIM keys and the DNS records a municipality publishes (issue 4 §1-2)."""

from __future__ import annotations

import email.message
from typing import Any

import dkim
import pytest

from mailhosting.dkim_keys import decrypt_private_key
from mailhosting.dns_records import expected_records, zone_file
from mailhosting.models import DkimKeyStatus, DomainKind, MailboxKind, MailDomain
from mailhosting.selectors import central_address, mailbox_for_address
from mailhosting.services import mail_domain_add, platform_mail_domain_for
from tests.mail.helpers_dns import named_checkzone

pytestmark = [pytest.mark.mail]


def test_onboarding_gives_a_platform_domain_with_saraban_and_an_active_key(alpha: Any) -> None:
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    assert domain.kind == DomainKind.PLATFORM
    assert domain.name == platform_mail_domain_for(alpha)
    assert central_address(municipality=alpha) == f"saraban@{domain.name}"
    mailbox = mailbox_for_address(f"SARABAN@{domain.name.upper()}")
    assert mailbox is not None and mailbox.kind == MailboxKind.CENTRAL
    assert mailbox.domain.municipality_id == alpha.pk
    keys = list(domain.dkim_keys.all())
    assert [k.status for k in keys] == [DkimKeyStatus.ACTIVE]
    # The private key is stored encrypted, never as PEM.
    assert b"PRIVATE KEY" not in bytes(keys[0].private_key_encrypted)
    assert decrypt_private_key(keys[0].private_key_encrypted).startswith(b"-----BEGIN")


def test_a_domain_of_another_municipality_is_refused(alpha: Any, beta: Any) -> None:
    mail_domain_add(municipality=alpha, name="alpha-city.go.th", kind=DomainKind.OWN)
    with pytest.raises(ValueError):
        mail_domain_add(municipality=beta, name="ALPHA-CITY.go.th.", kind=DomainKind.OWN)


def test_records_pass_named_checkzone(alpha: Any) -> None:
    """The generated records are checked by a tool that is not ours: BIND's named-checkzone."""
    domain = mail_domain_add(municipality=alpha, name="alpha-city.go.th", kind=DomainKind.OWN)
    records = expected_records(domain)
    purposes = {r.purpose for r in records}
    assert purposes == {
        "ownership",
        "mx",
        "spf",
        "dkim",
        "dmarc",
        "mta_sts",
        "mta_sts_host",
        "tls_rpt",
    }
    dkim_txt = next(r for r in records if r.purpose == "dkim").zone_line()
    assert dkim_txt.count('"') >= 4  # a 2048-bit key needs two 255-octet strings
    text = zone_file(
        domain.name, records, nameserver=f"ns1.{domain.name}", nameserver_address="127.0.0.1"
    )
    result = named_checkzone(domain.name, text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout

    # The same DKIM key as one string over 255 octets is refused: the check has teeth.
    dkim = next(r for r in records if r.purpose == "dkim")
    broken = text.replace(dkim.zone_line(), f'{dkim.name}. 3600 IN TXT "{dkim.value}"')
    assert broken != text
    assert named_checkzone(domain.name, broken).returncode != 0


def test_a_message_signed_with_the_key_verifies_against_the_published_record(alpha: Any) -> None:
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    key = domain.dkim_keys.get(status=DkimKeyStatus.ACTIVE)
    record = next(r for r in expected_records(domain) if r.purpose == "dkim")
    message = email.message.EmailMessage()
    message["From"] = domain.central_address
    message["To"] = "somebody@example.go.th"
    message["Subject"] = "ทดสอบ DKIM"
    message.set_content("สวัสดี")
    raw = message.as_bytes()
    signature = dkim.sign(
        raw,
        key.selector.encode(),
        domain.name.encode(),
        decrypt_private_key(key.private_key_encrypted),
        include_headers=[b"from", b"to", b"subject"],
    )

    def dns_answer(name: bytes, timeout: int = 5) -> bytes:
        assert name.decode().rstrip(".") == record.name
        return record.value.encode()

    assert dkim.verify(signature + raw, dnsfunc=dns_answer)
    assert not dkim.verify(signature + raw.replace("สวัสดี".encode(), b"x"), dnsfunc=dns_answer)


def test_the_tenant_admin_sees_the_records_to_publish_and_a_clerk_does_not(alpha: Any) -> None:
    from tests.conftest import client_for, make_staff

    domain = mail_domain_add(municipality=alpha, name="alpha-city.go.th", kind=DomainKind.OWN)
    admin_user = make_staff(alpha, "mailadmin", role_codes=("tenant_admin",))
    clerk_user = make_staff(alpha, "mailclerk", role_codes=("central_clerk",))
    client = client_for(alpha)
    with alpha:
        client.force_login(admin_user)
    response = client.get("/staff/settings/mail/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"saraban@{domain.name}" in page
    assert f"_dmarc.{domain.name}" in page
    assert "v=DKIM1; k=rsa; p=" in page
    assert "รอตั้งค่า DNS" in page  # the own domain is pending until its DNS checks pass

    other = client_for(alpha)
    with alpha:
        other.force_login(clerk_user)
    assert other.get("/staff/settings/mail/").status_code == 403
