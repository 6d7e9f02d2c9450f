"""แจ้งผลการรับ: telling a sender that their letter was registered, with its receipt number.

The regulation (clause 29 as amended) requires the receiver to notify the result of receipt
every time. The notice is queued in the transaction that gives the receipt number and sent by a
task, DKIM-signed, from the municipality's saraban@ address, marked as an automatic reply so that
the sender's systems do not answer it.
"""

from __future__ import annotations

import logging
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


def acknowledgement_queue(
    *,
    municipality: Municipality,
    letter_id: int,
    to_address: str,
    receipt_number: str,
    registered_at: datetime,
    subject: str,
    sender_reference: str = "",
    in_reply_to: str = "",
) -> Acknowledgement | None:
    """Queue the notice (idempotent per letter and address); sent after the caller commits."""
    from mailhosting.selectors import central_address
    from thaiformat.dates import format_thai_datetime

    to_address = to_address.strip().lower()
    from_address = central_address(municipality=municipality)
    if not to_address or "@" not in to_address or from_address is None:
        return None
    with override("th"):
        when = format_thai_datetime(registered_at)
    body = (
        f"เรียน ผู้ส่งหนังสือ\n\n"
        f"{municipality.name_th} ได้รับหนังสือของท่านแล้ว\n"
        f"เรื่อง: {subject}\n"
        + (f"ที่: {sender_reference}\n" if sender_reference else "")
        + f"เลขรับ: {receipt_number}\n"
        f"วันที่และเวลาที่ลงรับ: {when}\n\n"
        "อีเมลฉบับนี้ส่งจากระบบโดยอัตโนมัติเพื่อแจ้งผลการรับหนังสือ\n\n"
        f"{municipality.name_en or municipality.name_th} has registered your letter "
        f'"{subject}" under receipt number {receipt_number} on '
        f"{timezone.localtime(registered_at):%d %B %Y at %H:%M} (Bangkok time).\n"
    )
    ack, _created = Acknowledgement.objects.get_or_create(
        municipality=municipality,
        letter_id=letter_id,
        to_address=to_address,
        defaults={
            "from_address": from_address,
            "in_reply_to": in_reply_to,
            "subject": f"แจ้งผลการรับหนังสือ เลขรับ {receipt_number}: {subject}"[:1000],
            "body": body,
        },
    )
    transaction.on_commit(lambda: _send_soon(ack.pk))
    return ack


def _send_soon(ack_id: int) -> None:
    from mailhosting.tasks import send_acknowledgement

    try:
        send_acknowledgement.delay(ack_id)
    except Exception:  # the broker down: the periodic sweep sends it
        logger.warning("could not queue acknowledgement %s; the sweep will send it", ack_id)


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
