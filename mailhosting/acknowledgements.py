"""แจ้งผลการรับ: telling a sender that their letter was registered, with its receipt number.

The regulation (clause 29 as amended) requires the receiver to notify the result of receipt
every time. The notice is queued in the transaction that gives the receipt number and sent by a
task, DKIM-signed, from the municipality's saraban@ address, marked as an automatic reply so that
the sender's systems do not answer it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from mailhosting.dkim_signing import dkim_signature, signature_header
from mailhosting.models import Acknowledgement, AckStatus
from tenants.models import Municipality

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
ACK_SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"x-saraban-receipt",
)


@dataclass(frozen=True)
class ReceiptNotice:
    """What one notice says: the letter, who sent it, and the number it was given."""

    letter_id: int
    to_address: str
    receipt_number: str
    registered_at: datetime
    subject: str
    sender_reference: str = ""
    in_reply_to: str = ""


def acknowledgements_queue(
    *, municipality: Municipality, notices: Sequence[ReceiptNotice]
) -> list[Acknowledgement]:
    """Queue many notices with one look-up and one insert (a batch of arrived letters); a
    letter and address already owed a notice keeps the one it has. Sent after commit."""
    from mailhosting.selectors import central_address

    from_address = central_address(municipality=municipality)
    wanted: dict[tuple[int, str], ReceiptNotice] = {}
    for notice in notices:
        to_address = notice.to_address.strip().lower()
        if to_address and "@" in to_address and from_address is not None:
            wanted.setdefault((notice.letter_id, to_address), notice)
    if not wanted:
        return []
    existing = {
        (ack.letter_id, ack.to_address): ack
        for ack in Acknowledgement.objects.filter(
            municipality=municipality, letter_id__in={key[0] for key in wanted}
        )
    }
    assert from_address is not None
    with override("th"):  # the notice's date is written in Thai (พ.ศ.)
        new = [
            _acknowledgement(municipality, from_address, to_address, notice)
            for (letter_id, to_address), notice in wanted.items()
            if (letter_id, to_address) not in existing
        ]
    created = Acknowledgement.objects.bulk_create(new)
    ids = [ack.pk for ack in created]
    if ids:
        transaction.on_commit(lambda: _send_soon(*ids))
    return [existing.get(key) or created.pop(0) for key in wanted]


def _acknowledgement(
    municipality: Municipality, from_address: str, to_address: str, notice: ReceiptNotice
) -> Acknowledgement:
    from thaiformat.dates import format_thai_datetime

    when = format_thai_datetime(notice.registered_at)  # the caller activates Thai
    subject, number = notice.subject, notice.receipt_number
    body = (
        f"เรียน ผู้ส่งหนังสือ\n\n"
        f"{municipality.name_th} ได้รับหนังสือของท่านแล้ว\n"
        f"เรื่อง: {subject}\n"
        + (f"ที่: {notice.sender_reference}\n" if notice.sender_reference else "")
        + f"เลขรับ: {number}\n"
        f"วันที่และเวลาที่ลงรับ: {when}\n\n"
        "อีเมลฉบับนี้ส่งจากระบบโดยอัตโนมัติเพื่อแจ้งผลการรับหนังสือ\n\n"
        f"{municipality.name_en or municipality.name_th} has registered your letter "
        f'"{subject}" under receipt number {number} on '
        f"{timezone.localtime(notice.registered_at):%d %B %Y at %H:%M} (Bangkok time).\n"
    )
    return Acknowledgement(
        municipality=municipality,
        letter_id=notice.letter_id,
        to_address=to_address,
        from_address=from_address,
        in_reply_to=notice.in_reply_to,
        subject=f"แจ้งผลการรับหนังสือ เลขรับ {number}: {subject}"[:1000],
        body=body,
    )


def _send_soon(*ack_ids: int) -> None:
    from mailhosting.tasks import send_acknowledgements

    try:
        send_acknowledgements.delay(list(ack_ids))
    except Exception:  # the broker down: the periodic sweep sends them
        logger.warning("could not queue acknowledgements %s; the sweep will send them", ack_ids)


def receipt_header(number: str, registered_at: datetime) -> str:
    """X-Saraban-Receipt: the receipt number and time, for the sender's system to read."""
    return f"number={number}; date={timezone.localtime(registered_at).isoformat()}"


def _receipt_of(ack: Acknowledgement) -> str:
    from registers.selectors.dispatch import receipt_of_letter

    with ack.municipality:
        receipt = receipt_of_letter(ack.letter_id)
    return receipt_header(*receipt) if receipt else ""


def _message(ack: Acknowledgement) -> EmailMessage:
    domain_name = ack.from_address.rpartition("@")[2]
    headers = {
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        # Fixed here so that the message sent is byte for byte the one that was signed.
        "Date": formatdate(localtime=False),
        "Message-ID": make_msgid("ack", domain=domain_name),
    }
    if ack.in_reply_to:
        headers |= {"In-Reply-To": ack.in_reply_to, "References": ack.in_reply_to}
    receipt = _receipt_of(ack)
    if receipt:
        headers["X-Saraban-Receipt"] = receipt
    message = EmailMessage(
        subject=ack.subject,
        body=ack.body,
        from_email=ack.from_address,
        to=[ack.to_address],
        headers=headers,
    )
    signature = dkim_signature(
        message.message().as_bytes(),
        from_address=ack.from_address,
        headers=[*ACK_SIGNED_HEADERS],
    )
    if signature:
        name, value = signature_header(signature)
        message.extra_headers[name] = value
    return message


def acknowledgement_send(*, ack: Acknowledgement) -> bool:
    """Send one pending notice; True when sent. Failures are kept for the next sweep."""
    if ack.status == AckStatus.SENT:
        return True
    try:
        _message(ack).send()
    except Exception as exc:
        ack.attempts += 1
        ack.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if ack.attempts >= MAX_ATTEMPTS:
            ack.status = AckStatus.FAILED
            logger.error("acknowledgement %s to %s failed for good", ack.pk, ack.to_address)
        ack.save(update_fields=["attempts", "last_error", "status"])
        return False
    ack.status = AckStatus.SENT
    ack.sent_at = timezone.now()
    ack.attempts += 1
    ack.save(update_fields=["status", "sent_at", "attempts"])
    return True


def acknowledgements_pending() -> list[int]:
    cutoff = timezone.now() - settings.MAIL_ACK_SWEEP_DELAY
    return list(
        Acknowledgement.objects.filter(status=AckStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
