"""Outgoing letters through a real Postfix to a "remote" SMTP server, and the delivery status
notifications Postfix sends back to the VERP return path through LMTP into each recipient row."""

from __future__ import annotations

import email
from collections.abc import Iterator
from typing import Any

import dkim
import pytest
from django.db import connection

from mailhosting.ingest.server import ingest_controller
from mailhosting.models import DkimKeyStatus, InboundMessage, InboundOutcome, MailDomain
from tests.conftest import make_staff
from tests.mail.helpers_outgoing import (
    RemoteServer,
    recipient_state,
    registered_letter,
    remote_smtp,
    wait_for,
)
from tests.mail.helpers_postfix import RunningPostfix, private_postfix
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.mail]


@pytest.fixture
def outgoing_chain(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[tuple[Any, RunningPostfix, RemoteServer]]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    lmtp_port = free_port()
    controller = ingest_controller(host="127.0.0.1", port=lmtp_port, lmtp=True)
    controller.start()
    try:
        with remote_smtp() as remote:
            # Every non-local domain goes to the remote server; delay notices after 1 s.
            extra = f"relayhost = [127.0.0.1]:{remote.port}\ndelay_warning_time = 1s\n"
            with private_postfix(lmtp_port=lmtp_port, extra=extra) as postfix:
                settings.MAIL_OUTBOUND_HOST = "127.0.0.1"
                settings.MAIL_OUTBOUND_PORT = postfix.smtp_port
                yield committed_tenant, postfix, remote
    finally:
        controller.stop()


def test_each_recipient_gets_its_status_from_the_reports_postfix_sends_back(
    outgoing_chain: tuple[Any, RunningPostfix, RemoteServer],
) -> None:
    from registers.models import DeliveryStatus
    from registers.services.dispatch import dispatch_recipient_send, letter_dispatch_email

    tenant, postfix, remote = outgoing_chain
    clerk = make_staff(tenant, "outclerk", role_codes=("central_clerk",))
    letter = registered_letter(tenant, clerk)
    with tenant:
        dispatch = letter_dispatch_email(
            letter=letter,
            recipients="ok@remote.test, nobody@remote.test\nlater@remote.test",
            actor=clerk,
        )
        rows = {r.address: r for r in dispatch.recipients.all()}
        for row in rows.values():
            assert dispatch_recipient_send(recipient_id=row.pk) == "sent"
    connection.set_schema_to_public()
    ok, nobody, later = (rows[f"{n}@remote.test"] for n in ("ok", "nobody", "later"))
    domain = MailDomain.objects.get(municipality=tenant, is_primary=True)

    accepted = wait_for(
        lambda: recipient_state(tenant, ok.pk).status == DeliveryStatus.ACCEPTED, 60
    )
    assert accepted, postfix.log()[-3000:]
    bounced = wait_for(
        lambda: recipient_state(tenant, nobody.pk).status == DeliveryStatus.BOUNCED, 60
    )
    assert bounced, postfix.log()[-3000:]
    row = recipient_state(tenant, nobody.pk)
    assert row.reason == "5.1.1"
    assert "User unknown" in row.diagnostic
    with tenant:
        assert row.reason_display == "ไม่มีผู้รับอีเมลนี้ที่ปลายทาง"
    deferred = wait_for(
        lambda: recipient_state(tenant, later.pk).status == DeliveryStatus.DEFERRED, 60
    )
    assert deferred, postfix.log()[-3000:]
    assert recipient_state(tenant, later.pk).reason.startswith("4.")

    # The reports came back as delivery reports to the VERP addresses, never into the intake.
    reports = InboundMessage.objects.filter(municipality=tenant, recipient__startswith="saraban+")
    assert reports.count() >= 3
    assert set(reports.values_list("outcome", flat=True)) == {InboundOutcome.DELIVERY_REPORT}
    assert reports.filter(recipient=f"saraban+{ok.token}@{domain.name}").exists()

    # What reached the remote server: from saraban@ with the VERP return path, both files,
    # DKIM-signed with the municipality's active key (verified by dkimpy).
    (mail_from, _rcpts, raw) = next(item for item in remote.received if item[1] == [ok.address])
    assert mail_from == f"saraban+{ok.token}@{domain.name}"
    assert email.message_from_bytes(raw)["Message-ID"].strip() == ok.message_id
    assert raw.count(b"Content-Disposition: attachment") == 2
    key = domain.dkim_keys.get(status=DkimKeyStatus.ACTIVE)

    def our_dns(name: bytes, timeout: int = 5) -> bytes:
        assert name.decode() == f"{key.selector}._domainkey.{domain.name}."
        return f"v=DKIM1; k=rsa; p={key.public_key_b64}".encode()

    assert dkim.verify(raw, dnsfunc=our_dns)

    # Sending again never duplicates: the same row, no second copy at the remote server.
    with tenant:
        again = letter_dispatch_email(letter=letter, recipients="ok@remote.test", actor=clerk)
        assert again.recipients.count() == 0
        assert dispatch_recipient_send(recipient_id=ok.pk) == "done"
        from registers.models import DispatchEvent

        history = list(
            DispatchEvent.objects.filter(recipient_id=ok.pk).values_list("status", flat=True)
        )
    connection.set_schema_to_public()
    assert history[0] == DeliveryStatus.QUEUED and history[-1] == DeliveryStatus.ACCEPTED
    assert sum(1 for item in remote.received if item[1] == [ok.address]) == 1
