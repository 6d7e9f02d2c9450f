"""The whole chain through a real Postfix: SMTP in -> Postfix (reading the control plane from
PostgreSQL) -> LMTP -> the municipality's register, and the receipt notice back out."""

from __future__ import annotations

import hashlib
import smtplib
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import dkim
import pytest
from django.db import connection

from mailhosting.acknowledgements import acknowledgement_send
from mailhosting.dkim_keys import decrypt_private_key
from mailhosting.dns_records import expected_records, zone_file
from mailhosting.ingest.server import ingest_controller
from mailhosting.models import (
    Acknowledgement,
    DkimKeyStatus,
    InboundMessage,
    InboundOutcome,
    MailDomain,
)
from tests.mail.helpers_dns import authoritative_dns
from tests.mail.helpers_postfix import RunningPostfix, private_postfix
from tests.registers.conftest import pdf_bytes
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.mail]

_RUNNING: dict[int, Any] = {}  # the ingest controller serving each test's LMTP port


def _wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return None


@pytest.fixture
def chain(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, int, RunningPostfix]]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    lmtp_port = free_port()
    controller = ingest_controller(host="127.0.0.1", port=lmtp_port, lmtp=True)
    controller.start()
    _RUNNING[lmtp_port] = controller
    try:
        with private_postfix(lmtp_port=lmtp_port) as postfix:
            yield committed_tenant, lmtp_port, postfix
    finally:
        _RUNNING.pop(lmtp_port).stop()


def _letter(to: str, message_id: str, *, pdf: bytes, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"สำนักงานจังหวัด <{sender}>"
    message["To"] = to
    message["Subject"] = "ขอเชิญประชุมคณะกรรมการ ครั้งที่ 1/2569"
    message["Message-ID"] = message_id
    message["Date"] = "Fri, 20 Nov 2026 09:15:00 +0700"
    message.set_content("เรียน นายกเทศมนตรี\nขอเชิญประชุมตามสิ่งที่ส่งมาด้วย")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="หนังสือเชิญ.pdf")
    return message


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n1 0 obj<<>>endobj\n"
    return head + b"%" + b"x" * (size - len(head) - 20) + b"\ntrailer<<>>\n%%EOF\n"


def test_a_25_mb_letter_through_postfix_lands_in_the_intake_intact(
    chain: tuple[Any, int, RunningPostfix],
) -> None:
    tenant, _lmtp_port, postfix = chain
    address = MailDomain.objects.get(municipality=tenant, is_primary=True).central_address
    pdf = _pdf(25 * 1024 * 1024)
    message = _letter(address, "<big-1@province.go.th>", pdf=pdf, sender="saraban@province.go.th")
    with smtplib.SMTP("127.0.0.1", postfix.smtp_port, timeout=60) as client:
        client.send_message(message)
    inbound = _wait_for(
        lambda: InboundMessage.objects.filter(message_id="<big-1@province.go.th>").first(), 120
    )
    assert inbound is not None, postfix.log()[-3000:]
    assert inbound.outcome == InboundOutcome.INTAKE
    # The row is visible at the commit; the 250, and so Postfix's "sent", come just after it.
    assert _wait_for(lambda: "status=sent" in postfix.log(), 30), postfix.log()[-3000:]
    with tenant:
        from registers.models import Letter

        letter = Letter.objects.get(pk=inbound.letter_id)
        (attachment,) = letter.attachments.all()
        assert attachment.original_name == "หนังสือเชิญ.pdf"
        assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
        assert letter.subject == "ขอเชิญประชุมคณะกรรมการ ครั้งที่ 1/2569"
    connection.set_schema_to_public()


def test_unknown_addresses_are_refused_by_postfix_itself(
    chain: tuple[Any, int, RunningPostfix],
) -> None:
    tenant, _lmtp_port, postfix = chain
    domain = MailDomain.objects.get(municipality=tenant, is_primary=True).name
    with smtplib.SMTP("127.0.0.1", postfix.smtp_port) as client:
        client.ehlo("sender.test")
        client.mail("saraban@province.go.th")
        code, text = client.rcpt(f"nobody@{domain}")
    assert code == 550, text  # from the control plane's view, before any DATA


def test_postfix_keeps_the_letter_while_the_ingest_is_down_and_delivers_it_once(
    chain: tuple[Any, int, RunningPostfix],
) -> None:
    tenant, lmtp_port, postfix = chain
    address = MailDomain.objects.get(municipality=tenant, is_primary=True).central_address
    # The ingest service goes away (a deploy, a crash): Postfix cannot connect and keeps the mail.
    stopped = ingest_controller(host="127.0.0.1", port=lmtp_port, lmtp=True)
    _RUNNING[lmtp_port].stop()
    message = _letter(address, "<retry-1@province.go.th>", pdf=_pdf(2000), sender="a@b.go.th")
    with smtplib.SMTP("127.0.0.1", postfix.smtp_port) as client:
        client.send_message(message)
    assert _wait_for(lambda: "status=deferred" in postfix.log(), 30), postfix.log()[-2000:]
    assert not InboundMessage.objects.filter(message_id="<retry-1@province.go.th>").exists()

    stopped.start()  # back on the same port
    _RUNNING[lmtp_port] = stopped
    postfix.flush()
    inbound = _wait_for(
        lambda: InboundMessage.objects.filter(message_id="<retry-1@province.go.th>").first(), 60
    )
    assert inbound is not None, postfix.log()[-2000:]
    time.sleep(2)  # give a duplicate delivery the chance to show up
    assert InboundMessage.objects.filter(message_id="<retry-1@province.go.th>").count() == 1


def test_mail_between_two_municipalities_is_registered_and_the_notice_comes_back(
    chain: tuple[Any, int, RunningPostfix],
    django_db_blocker: Any,
    settings: Any,
) -> None:
    """B writes to A's saraban@ (DKIM-signed, B's DNS published); A registers it at once as an
    authenticated government sender; A's receipt notice travels back through Postfix to B."""
    from tests.cleanup import committed_municipality

    receiver, _lmtp_port, postfix = chain
    with django_db_blocker.unblock(), committed_municipality() as sender_tenant:
        sender_domain = MailDomain.objects.get(municipality=sender_tenant, is_primary=True)
        receiver_address = MailDomain.objects.get(
            municipality=receiver, is_primary=True
        ).central_address
        with authoritative_dns() as named:
            records = expected_records(sender_domain)
            named.serve(
                {
                    sender_domain.name: zone_file(
                        sender_domain.name,
                        records,
                        nameserver=f"ns1.{sender_domain.name}",
                        nameserver_address="127.0.0.1",
                    )
                }
            )
            settings.MAIL_DNS_NAMESERVERS = [named.address]
            key = sender_domain.dkim_keys.get(status=DkimKeyStatus.ACTIVE)
            message = _letter(
                receiver_address,
                "<between-1@platform.test>",
                pdf=pdf_bytes("หนังสือเชิญประชุม"),
                sender=sender_domain.central_address,
            )
            raw = message.as_bytes()
            signature = dkim.sign(
                raw,
                key.selector.encode(),
                sender_domain.name.encode(),
                decrypt_private_key(key.private_key_encrypted),
                include_headers=[b"from", b"to", b"subject", b"message-id", b"date"],
            )
            started = time.monotonic()
            with smtplib.SMTP("127.0.0.1", postfix.smtp_port) as client:
                client.sendmail(sender_domain.central_address, [receiver_address], signature + raw)
            inbound = _wait_for(
                lambda: InboundMessage.objects.filter(
                    message_id="<between-1@platform.test>", outcome=InboundOutcome.REGISTERED
                ).first()
            )
            elapsed = time.monotonic() - started
            assert inbound is not None, postfix.log()[-3000:]
            assert inbound.auth_results["dmarc"] == "pass"
            print(f"registered through Postfix in {elapsed:.2f} s")

            # The worker's part, after the commit: the PDF's text, the search document and
            # the receipt stamp (ตรารับ).
            from registers.models import Attachment, Letter
            from registers.tasks.indexing import letters_index_arrived

            with receiver:
                assert not Attachment.objects.filter(letter_id=inbound.letter_id, role="stamped")
                unindexed = Letter.objects.filter(search_document__isnull=True)
                assert unindexed.filter(pk=inbound.letter_id).exists()
                assert letters_index_arrived([inbound.letter_id]) == 1
                assert Attachment.objects.filter(
                    letter_id=inbound.letter_id, role="stamped"
                ).exists(), "the receipt stamp (ตรารับ) was not made"
                assert not unindexed.filter(pk=inbound.letter_id).exists()
            connection.set_schema_to_public()

            # The notice goes out through the same Postfix (the platform's relay) to B.
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST = "127.0.0.1"
            settings.EMAIL_PORT = postfix.smtp_port
            ack = Acknowledgement.objects.get(letter_id=inbound.letter_id, municipality=receiver)
            assert acknowledgement_send(ack=ack), ack.last_error
            notice = _wait_for(
                lambda: InboundMessage.objects.filter(
                    municipality=sender_tenant, recipient=sender_domain.central_address
                ).first()
            )
            assert notice is not None, postfix.log()[-3000:]
            assert notice.outcome == InboundOutcome.AUTO_REPLY  # never registered, never answered
            assert "แจ้งผลการรับหนังสือ เลขรับ" in notice.subject
