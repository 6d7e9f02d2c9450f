"""Between two municipalities of this platform the letter goes straight into the receiver's
intake (the ingest's own delivery path) and the receiver's receipt number flows back into the
sender's recipient row; a receipt notice by mail (X-Saraban-Receipt) does the same."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import connection

from mailhosting.ingest.server import ingest_controller
from mailhosting.models import Acknowledgement, InboundMessage, InboundOutcome, MailDomain
from tests.conftest import make_staff
from tests.mail.helpers_outgoing import recipient_state, registered_letter
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.mail]


@pytest.fixture
def two_tenants(
    committed_tenant: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, Any]]:
    from tests.cleanup import committed_municipality

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with django_db_blocker.unblock(), committed_municipality() as receiver:
        yield committed_tenant, receiver


def _send(sender: Any, receiver: Any, clerk: Any, letter: Any) -> Any:
    from registers.services.dispatch import dispatch_recipient_send, letter_dispatch_email

    address = MailDomain.objects.get(municipality=receiver, is_primary=True).central_address
    with sender:
        dispatch = letter_dispatch_email(letter=letter, recipients=[address], actor=clerk)
        (row,) = dispatch.recipients.all()
        assert dispatch_recipient_send(recipient_id=row.pk) == "sent"
        # Sent once: a repeated task (a retry, a duplicate message) sends nothing.
        assert dispatch_recipient_send(recipient_id=row.pk) == "done"
    connection.set_schema_to_public()
    return row


@pytest.mark.parametrize("policy", ["government", "never"])
def test_the_receivers_number_flows_back_without_mail(
    two_tenants: tuple[Any, Any], policy: str, settings: Any
) -> None:
    from registers.models import DeliveryRoute, DeliveryStatus, Letter
    from registers.selectors.settings import registry_settings
    from registers.services.letters import letter_register_incoming

    settings.MAIL_OUTBOUND_HOST = ""  # the embedded demo: no relay, none needed here
    sender, receiver = two_tenants
    clerk = make_staff(sender, "sendclerk", role_codes=("central_clerk",))
    receiving_clerk = make_staff(receiver, "recvclerk", role_codes=("central_clerk",))
    with receiver:
        options = registry_settings()
        options.mail_auto_register = policy
        options.save()
    connection.set_schema_to_public()
    letter = registered_letter(sender, clerk)
    row = _send(sender, receiver, clerk, letter)

    inbound = InboundMessage.objects.get(municipality=receiver, message_id=row.message_id)
    with receiver:
        received = Letter.objects.get(pk=inbound.letter_id)
        assert received.source_tenant == sender.schema_name
        assert received.source_letter_id == letter.pk
        assert received.channel == "platform"
        assert received.attachments.filter(role__in=["main", "attachment"]).count() == 2
        if policy == "never":
            assert received.status == "intake"
            assert recipient_state(sender, row.pk).status == DeliveryStatus.ACCEPTED
            with receiver:
                entry = letter_register_incoming(letter=received, actor=receiving_clerk)
        else:
            assert inbound.outcome == InboundOutcome.REGISTERED
            entry = received.entries.get()
    connection.set_schema_to_public()

    state = recipient_state(sender, row.pk)
    assert state.route == DeliveryRoute.PLATFORM
    assert state.status == DeliveryStatus.ACKNOWLEDGED
    assert state.receipt_number == f"{entry.number}/{entry.period}"
    assert state.receipt_at == entry.registered_at
    # No mail was needed for the notice, and the receiver cannot see the sender's rows.
    assert not Acknowledgement.objects.filter(municipality=receiver).exists()
    with receiver:
        from registers.models import DispatchRecipient

        assert not DispatchRecipient.objects.filter(token=row.token).exists()
    connection.set_schema_to_public()


def test_a_receipt_notice_by_mail_acknowledges_the_recipient(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Another Saraban Cloud installation answers with X-Saraban-Receipt and In-Reply-To."""
    from registers.models import DeliveryStatus
    from registers.services.dispatch import letter_dispatch_email

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tenant = committed_tenant
    clerk = make_staff(tenant, "noticeclerk", role_codes=("central_clerk",))
    letter = registered_letter(tenant, clerk)
    with tenant:
        dispatch = letter_dispatch_email(
            letter=letter, recipients="saraban@other-saraban.go.th", actor=clerk
        )
        (row,) = dispatch.recipients.all()
    connection.set_schema_to_public()
    address = MailDomain.objects.get(municipality=tenant, is_primary=True).central_address

    notice = EmailMessage()
    notice["From"] = "เทศบาลเมืองอื่น <saraban@other-saraban.go.th>"
    notice["To"] = address
    notice["Subject"] = "แจ้งผลการรับหนังสือ เลขรับ 345"
    notice["Message-ID"] = "<ack-1@other-saraban.go.th>"
    notice["In-Reply-To"] = row.message_id
    notice["References"] = row.message_id
    notice["Auto-Submitted"] = "auto-replied"
    notice["X-Saraban-Receipt"] = "number=345/2569; date=2026-11-22T10:15:00+07:00"
    notice.set_content("ได้รับหนังสือของท่านแล้ว เลขรับ 345")
    port = free_port()
    controller = ingest_controller(host="127.0.0.1", port=port, lmtp=False)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("saraban@other-saraban.go.th", [address], notice.as_bytes())
    finally:
        controller.stop()
    inbound = InboundMessage.objects.get(message_id="<ack-1@other-saraban.go.th>")
    assert inbound.outcome == InboundOutcome.AUTO_REPLY  # kept, never registered
    state = recipient_state(tenant, row.pk)
    assert state.status == DeliveryStatus.ACKNOWLEDGED
    assert state.receipt_number == "345/2569"
    assert state.receipt_at is not None and state.receipt_at.isoformat().startswith("2026-11-22")


def test_our_receipt_notice_carries_the_machine_readable_header(
    committed_tenant: Any, settings: Any
) -> None:
    """The แจ้งผลการรับ this platform sends to outside senders names its receipt number in a
    header the sender's system can read (reports.parse_receipt_header reads it back)."""
    from django.core import mail

    from mailhosting.acknowledgements import acknowledgement_send
    from mailhosting.ingest.reports import parse_receipt_header
    from registers.services.letters import intake_create, letter_register_incoming
    from tests.registers.conftest import letter_input

    tenant = committed_tenant
    clerk = make_staff(tenant, "ackclerk", role_codes=("central_clerk",))
    with tenant:
        received = intake_create(
            data=letter_input(
                channel="email",
                sender_email="saraban@province.go.th",
                message_id="<from-province-1@province.go.th>",
            )
        )
        entry = letter_register_incoming(letter=received, actor=clerk)
    connection.set_schema_to_public()
    ack = Acknowledgement.objects.get(municipality=tenant, letter_id=received.pk)
    mail.outbox.clear()
    assert acknowledgement_send(ack=ack)
    (sent,) = mail.outbox
    message = sent.message()
    assert message["In-Reply-To"] == "<from-province-1@province.go.th>"
    parsed = parse_receipt_header(str(message["X-Saraban-Receipt"]))
    assert parsed is not None
    assert parsed[0] == f"{entry.number}/{entry.period}"
    assert parsed[1] == entry.registered_at
    connection.set_schema_to_public()


def test_the_send_task_runs_in_the_senders_schema_and_sends_once(
    two_tenants: tuple[Any, Any], settings: Any
) -> None:
    """The Celery task itself (run eagerly, as a worker would): tenant-aware, idempotent."""
    from registers.models import DeliveryStatus, DispatchRecipient
    from registers.services.dispatch import letter_dispatch_email
    from registers.tasks.dispatch import dispatch_send

    settings.MAIL_OUTBOUND_HOST = ""
    sender, receiver = two_tenants
    clerk = make_staff(sender, "taskclerk", role_codes=("central_clerk",))
    letter = registered_letter(sender, clerk)
    address = MailDomain.objects.get(municipality=receiver, is_primary=True).central_address
    with sender:
        dispatch = letter_dispatch_email(
            letter=letter, recipients=[address, "someone@outside.example"], actor=clerk
        )
        rows = {r.address: r.pk for r in dispatch.recipients.all()}
        first = {a: dispatch_send.apply(args=[pk]).get() for a, pk in rows.items()}
        again = {a: dispatch_send.apply(args=[pk]).get() for a, pk in rows.items()}
        states = {r.address: r for r in DispatchRecipient.objects.filter(pk__in=rows.values())}
    connection.set_schema_to_public()
    assert first == {address: "sent", "someone@outside.example": "failed"}
    assert again == {address: "done", "someone@outside.example": "done"}
    assert states[address].status == DeliveryStatus.ACKNOWLEDGED
    # The embedded demo without a relay: an outside address fails at once, with the reason.
    outside = states["someone@outside.example"]
    assert outside.status == DeliveryStatus.FAILED
    assert outside.reason == "no-relay"
    assert InboundMessage.objects.filter(municipality=receiver).count() == 1


def test_the_sweep_queues_only_sends_that_never_ran(committed_tenant: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from registers.models import DispatchRecipient
    from registers.services.dispatch import letter_dispatch_email
    from registers.tasks.dispatch import dispatch_sweep

    tenant = committed_tenant
    clerk = make_staff(tenant, "sweepclerk", role_codes=("central_clerk",))
    letter = registered_letter(tenant, clerk)
    with tenant:
        dispatch = letter_dispatch_email(
            letter=letter, recipients="a@outside.example, b@outside.example", actor=clerk
        )
        rows = list(dispatch.recipients.order_by("pk"))
        assert dispatch_sweep.apply().get() == 0  # too recent: its own task may still run
        DispatchRecipient.objects.filter(pk__in=[r.pk for r in rows]).update(
            status_at=timezone.now() - timedelta(minutes=10)
        )
        DispatchRecipient.objects.filter(pk=rows[1].pk).update(attempts=1)  # its task ran
        assert dispatch_sweep.apply().get() == 1
    connection.set_schema_to_public()
