"""Authenticated government mail is registered at once and its sender gets แจ้งผลการรับ."""

from __future__ import annotations

import email.policy
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import dkim
import pytest
from django.core import mail
from django.db import connection

from mailhosting.acknowledgements import acknowledgement_send
from mailhosting.dkim_keys import generate_key
from mailhosting.dns_records import DnsRecord, zone_file
from mailhosting.ingest.server import ingest_controller
from mailhosting.models import (
    Acknowledgement,
    AckStatus,
    DkimKeyStatus,
    InboundMessage,
    InboundOutcome,
    MailDomain,
)
from tests.mail.helpers_dns import AuthoritativeServer, authoritative_dns
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.mail]

SENDER_DOMAIN = "province.go.th"
SENDER_KEY = generate_key("prov2026")


@pytest.fixture
def sender_dns(settings: Any) -> Iterator[AuthoritativeServer]:
    """The sending agency's DNS: its DKIM key and DMARC policy, on a real name server."""
    records = [
        DnsRecord(
            "dkim",
            f"prov2026._domainkey.{SENDER_DOMAIN}",
            "TXT",
            f"v=DKIM1; k=rsa; p={SENDER_KEY.public_key_b64}",
        ),
        DnsRecord("dmarc", f"_dmarc.{SENDER_DOMAIN}", "TXT", "v=DMARC1; p=reject"),
    ]
    with authoritative_dns() as server:
        server.serve(
            {
                SENDER_DOMAIN: zone_file(
                    SENDER_DOMAIN,
                    records,
                    nameserver=f"ns1.{SENDER_DOMAIN}",
                    nameserver_address="127.0.0.1",
                )
            }
        )
        settings.MAIL_DNS_NAMESERVERS = [server.address]
        yield server


@pytest.fixture
def lmtp_port(committed_tenant: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    port = free_port()
    controller = ingest_controller(host="127.0.0.1", port=port, lmtp=True)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _signed_letter(message_id: str, *, sign: bool = True) -> bytes:
    message = EmailMessage()
    message["From"] = f"สำนักงานจังหวัด <saraban@{SENDER_DOMAIN}>"
    message["To"] = "saraban@example"
    message["Subject"] = "ขอเชิญประชุมประจำเดือน"
    message["Message-ID"] = message_id
    message["Date"] = "Fri, 20 Nov 2026 09:15:00 +0700"
    message.set_content("เรียน นายกเทศมนตรี ขอเชิญประชุม")
    raw = message.as_bytes(policy=email.policy.SMTP)
    if not sign:
        return raw
    signature = dkim.sign(
        raw,
        b"prov2026",
        SENDER_DOMAIN.encode(),
        SENDER_KEY.private_pem,
        include_headers=[b"from", b"to", b"subject", b"message-id", b"date"],
    )
    return signature + raw


def _deliver(port: int, recipient: str, raw: bytes) -> int:
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.ehlo("mx.test")
        client.mail(f"saraban@{SENDER_DOMAIN}")
        assert client.rcpt(recipient)[0] == 250
        assert client.docmd("DATA")[0] == 354
        client.send(raw + b"\r\n.\r\n")
        return int(client.getreply()[0])


def test_signed_government_mail_gets_a_receipt_number_and_a_signed_notice(
    committed_tenant: Any, sender_dns: AuthoritativeServer, lmtp_port: int
) -> None:
    domain = MailDomain.objects.get(municipality=committed_tenant, is_primary=True)
    address = domain.central_address
    assert _deliver(lmtp_port, address, _signed_letter("<auto-1@province.go.th>")) == 250

    inbound = InboundMessage.objects.get(message_id="<auto-1@province.go.th>")
    assert inbound.outcome == InboundOutcome.REGISTERED
    assert inbound.auth_results["dkim"] == "pass"
    assert inbound.auth_results["dmarc"] == "pass"
    with committed_tenant:
        from registers.models import Letter

        letter = Letter.objects.get(pk=inbound.letter_id)
        entry = letter.entries.get()
        assert letter.status == "registered"
    connection.set_schema_to_public()

    ack = Acknowledgement.objects.get(municipality=committed_tenant, letter_id=inbound.letter_id)
    assert ack.to_address == f"saraban@{SENDER_DOMAIN}"
    assert ack.from_address == address
    assert f"เลขรับ: {entry.number}" in ack.body
    assert ack.in_reply_to == "<auto-1@province.go.th>"

    mail.outbox.clear()
    assert acknowledgement_send(ack=ack)
    ack.refresh_from_db()
    assert ack.status == AckStatus.SENT
    (sent,) = mail.outbox
    raw = sent.message().as_bytes()
    assert b"Auto-Submitted: auto-replied" in raw
    key = domain.dkim_keys.get(status=DkimKeyStatus.ACTIVE)

    def our_dns(name: bytes, timeout: int = 5) -> bytes:
        assert name.decode().startswith(f"{key.selector}._domainkey.")
        return f"v=DKIM1; k=rsa; p={key.public_key_b64}".encode()

    assert dkim.verify(raw, dnsfunc=our_dns)


def test_unsigned_mail_waits_in_the_intake_and_gets_no_notice_yet(
    committed_tenant: Any, sender_dns: AuthoritativeServer, lmtp_port: int
) -> None:
    address = MailDomain.objects.get(municipality=committed_tenant, is_primary=True).central_address
    raw = _signed_letter("<plain-1@province.go.th>", sign=False)
    assert _deliver(lmtp_port, address, raw) == 250
    inbound = InboundMessage.objects.get(message_id="<plain-1@province.go.th>")
    assert inbound.outcome == InboundOutcome.INTAKE
    assert inbound.auth_results["dkim"] == "none"
    assert inbound.auth_results["dmarc"] == "fail"
    assert not Acknowledgement.objects.filter(letter_id=inbound.letter_id).exists()

    # The clerk registers it: now the sender is owed the notice.
    with committed_tenant:
        from registers.models import Letter
        from registers.services.letters import letter_register_incoming
        from tests.conftest import make_staff

        clerk = make_staff(committed_tenant, "mailclerk", role_codes=("central_clerk",))
        letter_register_incoming(letter=Letter.objects.get(pk=inbound.letter_id), actor=clerk)
    connection.set_schema_to_public()
    assert Acknowledgement.objects.filter(
        municipality=committed_tenant, letter_id=inbound.letter_id
    ).exists()


def test_the_never_policy_leaves_even_authenticated_mail_to_the_clerk(
    committed_tenant: Any, sender_dns: AuthoritativeServer, lmtp_port: int
) -> None:
    with committed_tenant:
        from registers.selectors.settings import registry_settings

        options = registry_settings()
        options.mail_auto_register = "never"
        options.save()
    connection.set_schema_to_public()
    address = MailDomain.objects.get(municipality=committed_tenant, is_primary=True).central_address
    assert _deliver(lmtp_port, address, _signed_letter("<never-1@province.go.th>")) == 250
    inbound = InboundMessage.objects.get(message_id="<never-1@province.go.th>")
    assert inbound.auth_results["dmarc"] == "pass"
    assert inbound.outcome == InboundOutcome.INTAKE
