"""The ingest service over a real LMTP socket: 250 only after the commit, 451 on our faults,
each Message-ID once per recipient, and a defined outcome for each kind of odd message."""

from __future__ import annotations

import base64
import email.policy
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import connection

from mailhosting.ingest.server import ingest_controller
from mailhosting.models import InboundMessage, InboundOutcome, MailDomain
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.mail]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def lmtp(committed_tenant: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, int]]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    port = free_port()
    controller = ingest_controller(host="127.0.0.1", port=port, lmtp=True)
    controller.start()
    domain = MailDomain.objects.get(municipality=committed_tenant, is_primary=True)
    try:
        yield committed_tenant, f"saraban@{domain.name}", port
    finally:
        controller.stop()


def _letter(message_id: str, subject: str = "ขอเชิญประชุมประจำเดือน") -> bytes:
    message = EmailMessage()
    message["From"] = "สำนักงานจังหวัด <saraban@province.go.th>"
    message["To"] = "saraban@example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Fri, 20 Nov 2026 09:15:00 +0700"
    message.set_content("เรียน นายกเทศมนตรี ขอเชิญประชุม")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="หนังสือเชิญ.pdf")
    return message.as_bytes(policy=email.policy.SMTP)


def _send(
    port: int, recipients: list[str], raw: bytes, sender: str = "saraban@province.go.th"
) -> Any:
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.ehlo("mx.test")  # smtplib.LMTP sends LHLO
        client.mail(sender)
        accepted = [r for r in recipients if client.rcpt(r)[0] == 250]
        code, _ = client.docmd("DATA")
        assert code == 354
        client.send(raw.replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n")
        replies = [client.getreply() for _ in accepted]
        return accepted, replies


def test_a_letter_lands_in_the_intake_with_its_thai_attachment(lmtp: tuple[Any, str, int]) -> None:
    tenant, address, port = lmtp
    accepted, replies = _send(port, [address], _letter("<m1@province.go.th>"))
    assert accepted == [address]
    assert replies[0][0] == 250, replies
    inbound = InboundMessage.objects.get(recipient=address)
    assert inbound.outcome == InboundOutcome.INTAKE
    with tenant:
        from registers.models import Letter

        letter = Letter.objects.get(pk=inbound.letter_id)
        assert letter.status == "intake"
        assert letter.channel == "email"
        assert letter.subject == "ขอเชิญประชุมประจำเดือน"
        assert letter.sender == "สำนักงานจังหวัด"
        assert letter.sender_email == "saraban@province.go.th"
        assert [a.original_name for a in letter.attachments.all()] == ["หนังสือเชิญ.pdf"]
    connection.set_schema_to_public()


def test_the_same_message_id_is_delivered_once(lmtp: tuple[Any, str, int]) -> None:
    tenant, address, port = lmtp
    raw = _letter("<same@province.go.th>")
    for _ in range(3):
        _accepted, replies = _send(port, [address], raw)
        assert replies[0][0] == 250
    assert InboundMessage.objects.filter(recipient=address).count() == 1
    with tenant:
        from registers.models import Letter

        assert Letter.objects.filter(message_id="<same@province.go.th>").count() == 1
    connection.set_schema_to_public()


def test_unknown_recipients_are_refused_at_rcpt_and_others_still_delivered(
    lmtp: tuple[Any, str, int],
) -> None:
    _tenant, address, port = lmtp
    domain = address.split("@", 1)[1]
    accepted, replies = _send(port, [f"nobody@{domain}", address], _letter("<m2@province.go.th>"))
    assert accepted == [address]
    assert [code for code, _ in replies] == [250]


def test_a_fault_of_ours_is_451_and_nothing_is_half_written(
    lmtp: tuple[Any, str, int],
) -> None:
    """A real database fault in the middle of the transaction (the municipality's audit table
    is missing, as in a botched deploy): 451, no trace left, delivered once after repair."""
    tenant, address, port = lmtp
    schema = tenant.schema_name

    def rename(old: str, new: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{schema}"."{old}" RENAME TO "{new}"')

    rename("registers_auditentry", "registers_auditentry_away")
    try:
        _accepted, replies = _send(port, [address], _letter("<m3@province.go.th>"))
    finally:
        rename("registers_auditentry_away", "registers_auditentry")
    assert replies[0][0] == 451
    # The control-plane row and the letter were written before the failure: both rolled back.
    assert not InboundMessage.objects.filter(message_id="<m3@province.go.th>").exists()
    with tenant:
        from registers.models import Letter

        assert not Letter.objects.filter(message_id="<m3@province.go.th>").exists()
    connection.set_schema_to_public()
    # Postfix retries later: now it is delivered, once.
    _accepted, replies = _send(port, [address], _letter("<m3@province.go.th>"))
    assert replies[0][0] == 250
    assert InboundMessage.objects.filter(message_id="<m3@province.go.th>").count() == 1


def test_auto_replies_bounces_and_loops_are_kept_but_not_put_in_the_intake(
    lmtp: tuple[Any, str, int],
) -> None:
    _tenant, address, port = lmtp
    auto = _letter("<ooo@province.go.th>", "Out of office").replace(
        b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:", 1
    )
    _send(port, [address], auto)
    _send(port, [address], _letter("<dsn@province.go.th>", "Undelivered"), sender="")
    looping = b"".join(
        b"Received: from a by b; Fri, 20 Nov 2026 09:00:00 +0700\r\n" for _ in range(40)
    )
    _send(port, [address], looping + _letter("<loop@province.go.th>"))
    outcomes = dict(
        InboundMessage.objects.filter(recipient=address).values_list("message_id", "outcome")
    )
    assert outcomes == {
        "<ooo@province.go.th>": InboundOutcome.AUTO_REPLY,
        "<dsn@province.go.th>": InboundOutcome.DELIVERY_REPORT,
        "<loop@province.go.th>": InboundOutcome.LOOP,
    }
    assert not InboundMessage.objects.filter(recipient=address, letter_id__isnull=False).exists()


def test_dot_stuffed_lines_arrive_as_the_sender_wrote_them(lmtp: tuple[Any, str, int]) -> None:
    """DATA is read in large pieces: the lines that begin with a dot (stuffed by the client,
    RFC 5321 4.5.2), a first line of its own, and the end marker split across reads."""
    from django.core.files.storage import default_storage

    _tenant, address, port = lmtp
    raw = _letter("<dots@province.go.th>").replace(
        b"\r\n\r\n", b"\r\n\r\n.\r\n..two\r\n.hidden\r\n" + b"x" * 70_000 + b".\r\n", 1
    )
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.ehlo("mx.test")
        client.mail("saraban@province.go.th")
        assert client.rcpt(address)[0] == 250
        assert client.docmd("DATA")[0] == 354
        stuffed = raw.replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n"
        for start in range(0, len(stuffed), 4093):  # odd pieces: the marker straddles sends
            client.send(stuffed[start : start + 4093])
        assert client.getreply()[0] == 250
    inbound = InboundMessage.objects.get(recipient=address, message_id="<dots@province.go.th>")
    with default_storage.open(inbound.raw_key, "rb") as stored:
        assert stored.read() == raw + b"\r\n"


def test_a_message_over_the_limit_is_refused_permanently(
    lmtp: tuple[Any, str, int], settings: Any
) -> None:
    _tenant, address, _port = lmtp
    big = _letter("<big@province.go.th>").replace(
        b"Subject:", b"X-Padding: " + base64.b64encode(b"x" * 3000) + b"\r\nSubject:", 1
    )
    settings.MAIL_MAX_MESSAGE_BYTES = 2000
    controller = ingest_controller(host="127.0.0.1", port=(small := free_port()), lmtp=True)
    controller.start()
    try:
        with smtplib.LMTP("127.0.0.1", small) as client:
            client.ehlo("mx.test")
            client.mail("saraban@province.go.th")
            assert client.rcpt(address)[0] == 250
            assert client.docmd("DATA")[0] == 354
            client.send(big + b"\r\n.\r\n")
            code, _text = client.getreply()
        assert code == 552
    finally:
        controller.stop()
    assert not InboundMessage.objects.filter(message_id="<big@province.go.th>").exists()


def test_malformed_mime_still_reaches_the_intake_with_its_defects(
    lmtp: tuple[Any, str, int],
) -> None:
    tenant, address, port = lmtp
    raw = (
        b"From: broken@example.go.th\r\nTo: x\r\nSubject: =?UTF-8?B?4Lie4Lix4LiH?=\r\n"
        b"Message-ID: <broken@example.go.th>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
    )
    _accepted, replies = _send(port, [address], raw)
    assert replies[0][0] == 250
    inbound = InboundMessage.objects.get(message_id="<broken@example.go.th>")
    assert inbound.outcome == InboundOutcome.INTAKE and inbound.defects
    with tenant:
        from registers.models import Letter

        letter = Letter.objects.get(pk=inbound.letter_id)
        assert letter.subject == "พัง"
        assert "รูปแบบไม่สมบูรณ์" in letter.summary
    connection.set_schema_to_public()


@pytest.mark.parametrize("state", ["read_only", "suspended"])
def test_official_mail_is_still_received_when_the_bill_is_unpaid(
    lmtp: tuple[Any, str, int], state: str
) -> None:
    """Billing never stops official mail: read-only and suspended municipalities receive."""
    from django.db import transaction

    from tenants.services import municipality_set_state

    tenant, address, port = lmtp
    with transaction.atomic():
        municipality_set_state(municipality=tenant, state=state, actor="billing", reason="ค้างชำระ")
    _accepted, replies = _send(port, [address], _letter(f"<unpaid-{state}@province.go.th>"))
    assert replies[0][0] == 250
    inbound = InboundMessage.objects.get(message_id=f"<unpaid-{state}@province.go.th>")
    assert inbound.outcome == InboundOutcome.INTAKE and inbound.letter_id
