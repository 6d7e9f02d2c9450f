"""Staff send on 587 (STARTTLS, SASL through Dovecot, only from their own address); Postfix
passes the message through OpenDKIM, and the signature that reaches the receiving server
verifies with dkimpy against the DKIM record we tell the municipality to publish. A key
rotation is picked up by re-rendering OpenDKIM's tables."""

from __future__ import annotations

import smtplib
import ssl
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dkim
import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from mailhosting import staff_mailboxes
from mailhosting.dns_check import CheckResult
from mailhosting.dns_records import dkim_record, expected_records
from mailhosting.ingest.server import ingest_controller
from mailhosting.models import DkimKeyStatus, Mailbox, MailDomain, RecordStatus
from mailhosting.opendkim_runner import OpenDkimSupervisor
from mailhosting.services import dkim_rotation_finish, dkim_rotation_start
from tests.mail.helpers_dovecot import private_dovecot
from tests.mail.helpers_opendkim import private_opendkim
from tests.mail.helpers_postfix import RunningPostfix, private_postfix
from tests.mail.helpers_tls import self_signed_certificate
from tests.mail.test_mail_dovecot_imap import wait_for
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.mail]

PASSWORD = "send-from-my-mailbox-2569"
OTHER_PASSWORD = "password-of-tenant-b"


class Sink:
    """The receiving server out on the Internet: keeps every message as it arrived."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content))
        return "250 OK"


@dataclass
class Submission:
    tenant: Any
    domain: MailDomain
    mailbox: Mailbox
    other_mailbox: Mailbox
    postfix: RunningPostfix
    submission_port: int
    opendkim: OpenDkimSupervisor
    sink: Sink


def _staff(tenant: Any, domain: MailDomain, local_part: str, password: str) -> Mailbox:
    with tenant:
        mailbox = staff_mailboxes.staff_mailbox_create(
            domain=domain, local_part=local_part, display_name="", password=password, actor=None
        )
    connection.set_schema_to_public()
    return mailbox


@pytest.fixture
def submission(
    committed_tenant: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Submission]:
    from tests.cleanup import committed_municipality

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sink = Sink()
    sink_controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    sink_controller.start()
    lmtp_port = free_port()
    ingest = ingest_controller(host="127.0.0.1", port=lmtp_port, lmtp=True)
    ingest.start()
    domain = MailDomain.objects.get(municipality=committed_tenant, is_primary=True)
    try:
        with (
            django_db_blocker.unblock(),
            committed_municipality() as tenant_b,
            tempfile.TemporaryDirectory(prefix="tls-") as tls_dir,
        ):
            mailbox = _staff(committed_tenant, domain, "somsri", PASSWORD)
            domain_b = MailDomain.objects.get(municipality=tenant_b, is_primary=True)
            other = _staff(tenant_b, domain_b, "somsri", OTHER_PASSWORD)
            tls = self_signed_certificate(Path(tls_dir), "mx.saraban.test")
            submission_port = free_port()
            with (
                private_dovecot(tls=tls) as dovecot,
                private_opendkim() as (opendkim, milter_port),
                private_postfix(
                    lmtp_port=lmtp_port,
                    dovecot_lmtp=f"127.0.0.1:{dovecot.lmtp_port}",
                    dovecot_auth=f"127.0.0.1:{dovecot.auth_port}",
                    tls_cert_file=str(tls[0]),
                    tls_key_file=str(tls[1]),
                    submission_listen=f"127.0.0.1:{submission_port}",
                    milters=f"inet:127.0.0.1:{milter_port}",
                    extra=f"relayhost = [127.0.0.1]:{sink_controller.port}\n",
                ) as postfix,
            ):
                yield Submission(
                    committed_tenant,
                    domain,
                    mailbox,
                    other,
                    postfix,
                    submission_port,
                    opendkim,
                    sink,
                )
    finally:
        ingest.stop()
        sink_controller.stop()


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the tests' self-signed certificate
    return context


def _message(sender: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"นางสาวสมศรี <{sender}>"
    message["To"] = "director@example.net"
    message["Subject"] = subject
    message["Message-ID"] = f"<{time.monotonic_ns()}@{sender.partition('@')[2]}>"
    message.set_content("เรียน ผู้อำนวยการ\nส่งเอกสารตามที่ขอ")
    return message


def _dns_for(domain: MailDomain) -> Any:
    """dkimpy's DNS lookups answered with the records we generate for the municipality."""

    def lookup(name: bytes, timeout: int = 5) -> bytes:
        wanted = name.decode().rstrip(".").lower()
        for record in expected_records(domain):
            if record.purpose == "dkim" and record.name == wanted:
                return record.value.encode()
        return b""

    return lookup


def _submit(system: Submission, subject: str) -> bytes:
    with smtplib.SMTP("127.0.0.1", system.submission_port, timeout=20) as client:
        client.starttls(context=_context())
        client.login(system.mailbox.address, PASSWORD)
        client.send_message(_message(system.mailbox.address, subject))
    arrived = wait_for(
        lambda: next((m for m in system.sink.messages if _subject_is(m[2], subject)), None)
    )
    assert arrived is not None, system.postfix.log()[-3000:]
    mail_from, rcpts, raw = arrived
    assert mail_from == system.mailbox.address and rcpts == ["director@example.net"]
    return bytes(raw)


def _subject_is(raw: bytes, subject: str) -> bool:
    import email
    import email.policy

    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"]) == subject


def _signature_selector(raw: bytes) -> str:
    import email

    header = email.message_from_bytes(raw)["DKIM-Signature"]
    tags = dict(
        part.strip().split("=", 1)
        for part in str(header).replace("\r\n", "").split(";")
        if "=" in part
    )
    return tags["s"].strip()


def test_a_message_sent_on_587_leaves_dkim_signed_and_verifies(submission: Submission) -> None:
    raw = _submit(submission, "ส่งเอกสารประกอบการประชุม")
    assert b"DKIM-Signature:" in raw
    active = submission.domain.dkim_keys.get(status=DkimKeyStatus.ACTIVE)
    assert _signature_selector(raw) == active.selector
    assert dkim.verify(raw, dnsfunc=_dns_for(submission.domain))
    # The check has teeth: a changed body no longer verifies.
    assert not dkim.verify(
        raw.replace(b"Message-ID", b"X-Changed-ID", 1) + b"x\r\n",
        dnsfunc=_dns_for(submission.domain),
    )


def test_a_rotated_key_signs_after_the_tables_are_rendered_again(submission: Submission) -> None:
    domain = submission.domain
    old = domain.dkim_keys.get(status=DkimKeyStatus.ACTIVE)
    pending = dkim_rotation_start(domain=domain)
    # Nothing to reload while the new key is only pending (published, not yet signing).
    assert submission.opendkim.refresh() is False
    record = dkim_record(domain, pending)
    assert dkim_rotation_finish(
        domain=domain, results=[CheckResult(record, RecordStatus.OK, record.value)]
    )
    assert submission.opendkim.refresh() is True  # what opendkim_run does every minute
    key_files = sorted(
        p.name for p in (Path(submission.opendkim.settings.directory) / "keys").iterdir()
    )
    assert f"{domain.name}.{pending.selector}.private" in key_files
    assert f"{domain.name}.{old.selector}.private" not in key_files  # the retired key is gone
    deadline = time.monotonic() + 20
    selector = ""
    while time.monotonic() < deadline:  # OpenDKIM reloads asynchronously after SIGUSR1
        raw = _submit(submission, f"หลังเปลี่ยนกุญแจ {time.monotonic_ns()}")
        selector = _signature_selector(raw)
        if selector == pending.selector:
            break
        time.sleep(0.5)
    assert selector == pending.selector
    assert dkim.verify(raw, dnsfunc=_dns_for(domain))


def test_submission_needs_tls_a_right_password_and_the_senders_own_address(
    submission: Submission,
) -> None:
    system = submission
    with smtplib.SMTP("127.0.0.1", system.submission_port, timeout=20) as client:
        client.ehlo("client.test")
        assert not client.has_extn("auth")  # no login before STARTTLS
        client.starttls(context=_context())
        client.ehlo("client.test")
        assert client.has_extn("auth")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login(system.mailbox.address, "wrong-password")
    with smtplib.SMTP("127.0.0.1", system.submission_port, timeout=20) as client:
        client.starttls(context=_context())
        client.login(system.mailbox.address, PASSWORD)
        for forged in (system.domain.central_address, system.other_mailbox.address):
            code, text = client.mail(forged)
            if code == 250:
                code, text = client.rcpt("director@example.net")
            assert code == 553, text  # not owned by user
            client.rset()
    # Another municipality's credentials cannot send as this mailbox either.
    with smtplib.SMTP("127.0.0.1", system.submission_port, timeout=20) as client:
        client.starttls(context=_context())
        client.login(system.other_mailbox.address, OTHER_PASSWORD)
        code, _text = client.mail(system.mailbox.address)
        if code == 250:
            code, _text = client.rcpt("director@example.net")
        assert code == 553
    # Without a login, submission relays nothing.
    with smtplib.SMTP("127.0.0.1", system.submission_port, timeout=20) as client:
        client.starttls(context=_context())
        client.ehlo("client.test")
        client.mail(system.mailbox.address)
        code, _text = client.rcpt("director@example.net")
        assert code >= 500
    assert not system.sink.messages
