"""Staff mailboxes for real: a private Dovecot reading the test database's control-plane views,
mail through the private Postfix into the mailbox over LMTP, read back with imaplib after a
real IMAP login (STARTTLS)."""

from __future__ import annotations

import email
import email.policy
import imaplib
import re
import smtplib
import ssl
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from mailhosting import staff_mailboxes
from mailhosting.ingest.server import ingest_controller
from mailhosting.models import InboundMessage, Mailbox, MailDomain
from tests.mail.helpers_dovecot import RunningDovecot, private_dovecot
from tests.mail.helpers_postfix import RunningPostfix, private_postfix
from tests.mail.helpers_tls import self_signed_certificate
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.mail]

PASSWORD_A = "Password-of-A-2569"
PASSWORD_B = "another-secret-of-b"


@dataclass
class MailSystem:
    tenant_a: Any
    tenant_b: Any
    domain_a: MailDomain
    domain_b: MailDomain
    dovecot: RunningDovecot
    postfix: RunningPostfix


def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return None


@pytest.fixture
def mail_system(
    committed_tenant: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MailSystem]:
    from tests.cleanup import committed_municipality

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    lmtp_port = free_port()
    controller = ingest_controller(host="127.0.0.1", port=lmtp_port, lmtp=True)
    controller.start()
    try:
        with (
            django_db_blocker.unblock(),
            committed_municipality() as tenant_b,
            tempfile.TemporaryDirectory(prefix="tls-") as tls_dir,
        ):
            tls = self_signed_certificate(Path(tls_dir), "mx.saraban.test")
            with (
                private_dovecot(tls=tls) as dovecot,
                private_postfix(
                    lmtp_port=lmtp_port,
                    dovecot_lmtp=f"127.0.0.1:{dovecot.lmtp_port}",
                    dovecot_auth=f"127.0.0.1:{dovecot.auth_port}",
                    tls_cert_file=str(tls[0]),
                    tls_key_file=str(tls[1]),
                ) as postfix,
            ):
                yield MailSystem(
                    committed_tenant,
                    tenant_b,
                    MailDomain.objects.get(municipality=committed_tenant, is_primary=True),
                    MailDomain.objects.get(municipality=tenant_b, is_primary=True),
                    dovecot,
                    postfix,
                )
    finally:
        controller.stop()


def create_staff_mailbox(
    tenant: Any, domain: MailDomain, local_part: str, password: str
) -> Mailbox:
    with tenant:  # the audit entry goes to the municipality's own trail
        mailbox = staff_mailboxes.staff_mailbox_create(
            domain=domain,
            local_part=local_part,
            display_name="นางสาวสมศรี ใจดี",
            password=password,
            actor=None,
        )
    connection.set_schema_to_public()
    return mailbox


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the tests' self-signed certificate
    return context


def imap_login(system: MailSystem, username: str, password: str) -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", system.dovecot.imap_port, timeout=10)
    client.starttls(ssl_context=_unverified())
    client.login(username, password)
    return client


def inbox_subjects(client: imaplib.IMAP4) -> list[str]:
    client.select("INBOX", readonly=True)
    _status, data = client.search(None, "ALL")
    subjects = []
    for number in data[0].split():
        _status, parts = client.fetch(number, "(RFC822)")
        first = parts[0]
        assert isinstance(first, tuple)
        raw = first[1]
        message = email.message_from_bytes(raw, policy=email.policy.default)
        subjects.append(str(message["Subject"]))
    return subjects


def letter(to: list[str], subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "สำนักงานจังหวัด <saraban@province.go.th>"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Message-ID"] = f"<{time.monotonic_ns()}@province.go.th>"
    message.set_content("เรียน เจ้าหน้าที่\nทดสอบกล่องจดหมาย")
    return message


def test_staff_mail_goes_to_dovecot_and_saraban_mail_still_goes_to_the_register(
    mail_system: MailSystem,
) -> None:
    system = mail_system
    mailbox = create_staff_mailbox(system.tenant_a, system.domain_a, "somsri", PASSWORD_A)
    message = letter([mailbox.address, system.domain_a.central_address], "นัดประชุมประจำเดือน")
    with smtplib.SMTP("127.0.0.1", system.postfix.smtp_port) as client:
        client.starttls(context=_unverified())  # opportunistic TLS on 25
        client.send_message(message)

    def delivered() -> list[str]:
        try:
            client = imap_login(system, mailbox.address, PASSWORD_A)
        except imaplib.IMAP4.error:
            return []
        try:
            return inbox_subjects(client)
        finally:
            client.logout()

    subjects = wait_for(delivered)
    assert subjects == ["นัดประชุมประจำเดือน"], system.postfix.log()[-3000:] + system.dovecot.log()
    # The same message reached the register through the ingest, and only for saraban@.
    inbound = wait_for(
        lambda: list(InboundMessage.objects.filter(message_id=message["Message-ID"]))
    )
    assert [i.recipient for i in inbound] == [system.domain_a.central_address]
    maildir = system.dovecot.mail_root / system.domain_a.name / "somsri" / "Maildir"
    assert maildir.is_dir()  # per domain and user
    assert "TLS connection established" in system.postfix.log()


def test_wrong_password_disabled_mailbox_and_other_tenants_credentials_are_refused(
    mail_system: MailSystem,
) -> None:
    system = mail_system
    mailbox_a = create_staff_mailbox(system.tenant_a, system.domain_a, "nida", PASSWORD_A)
    mailbox_b = create_staff_mailbox(system.tenant_b, system.domain_b, "nida", PASSWORD_B)
    with smtplib.SMTP("127.0.0.1", system.postfix.smtp_port) as smtp:
        smtp.send_message(letter([mailbox_a.address], "ลับเฉพาะเทศบาลเอ"))
    assert wait_for(lambda: list((system.dovecot.mail_root / system.domain_a.name).rglob("new/*")))

    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap_login(system, mailbox_a.address, "not-the-password")
    # Tenant B's password does not open tenant A's mailbox of the same name...
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap_login(system, mailbox_a.address, PASSWORD_B)
    # ...and B's own login sees only B's mailbox.
    client = imap_login(system, mailbox_b.address, PASSWORD_B)
    try:
        assert inbox_subjects(client) == []
        status, _data = client.select(f"../../{system.domain_a.name}/nida/Maildir")
        assert status == "NO"
    finally:
        client.logout()
    client = imap_login(system, mailbox_a.address, PASSWORD_A)
    assert inbox_subjects(client) == ["ลับเฉพาะเทศบาลเอ"]
    client.logout()

    # Disabled from the tenant admin's page: the login stops working and mail to it is refused.
    with system.tenant_a:
        staff_mailboxes.staff_mailbox_set_active(mailbox=mailbox_a, active=False, actor=None)
    connection.set_schema_to_public()
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap_login(system, mailbox_a.address, PASSWORD_A)
    with smtplib.SMTP("127.0.0.1", system.postfix.smtp_port) as smtp:
        smtp.ehlo("sender.test")
        smtp.mail("saraban@province.go.th")
        code, _text = smtp.rcpt(mailbox_a.address)
    assert code == 550


def test_an_alias_delivers_to_a_staff_mailbox(mail_system: MailSystem) -> None:
    system = mail_system
    mailbox = create_staff_mailbox(system.tenant_a, system.domain_a, "director", PASSWORD_A)
    with system.tenant_a:
        staff_mailboxes.staff_alias_create(
            domain=system.domain_a,
            local_part="nayok",
            destinations=[mailbox.address],
            actor=None,
        )
    connection.set_schema_to_public()
    with smtplib.SMTP("127.0.0.1", system.postfix.smtp_port) as client:
        client.send_message(letter([f"nayok@{system.domain_a.name}"], "ถึงนายกผ่านชื่อแทน"))

    def subjects() -> list[str]:
        client = imap_login(system, mailbox.address, PASSWORD_A)
        try:
            return inbox_subjects(client)
        finally:
            client.logout()

    assert wait_for(subjects) == ["ถึงนายกผ่านชื่อแทน"], system.postfix.log()[-2000:]
    # The quota comes from the control plane (Mailbox.quota_mb, in KiB for IMAP QUOTA).
    client = imap_login(system, mailbox.address, PASSWORD_A)
    try:
        _status, quota = client.getquotaroot("INBOX")
    finally:
        client.logout()
    answer = repr(quota)  # [[b'"INBOX" ""'], [b'"" (STORAGE <used> <limit>)']]
    assert re.search(rf"STORAGE \d+ {mailbox.quota_mb * 1024}\)", answer), answer
