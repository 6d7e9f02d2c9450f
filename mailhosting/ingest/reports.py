"""What comes back for an outgoing letter: delivery status notifications (RFC 3464) and
receipt notices (แจ้งผลการรับ with ``X-Saraban-Receipt``), mapped onto the sender's recipient row.

The recipient row is found by the token of its return path (``saraban+<token>@``), by the DSN's
ENVID, or (for a receipt notice) by the Message-ID it answers, always inside the schema of the
municipality whose address received the report: one municipality never touches another's rows.
Runs inside the delivery's transaction, so the status and the stored message commit together.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mailhosting.models import InboundOutcome
from tenants.models import Municipality

if TYPE_CHECKING:
    from mailhosting.ingest.delivery import ReceivedMail

REPORT_OUTCOMES = (InboundOutcome.DELIVERY_REPORT, InboundOutcome.AUTO_REPLY)
RECEIPT_HEADER = "X-Saraban-Receipt"
_TOKEN = re.compile(r"^[0-9a-f]{8,32}$")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")

# RFC 3464 Action -> registers.models.DeliveryStatus
ACTIONS = {
    "delivered": "accepted",
    "relayed": "accepted",
    "expanded": "accepted",
    "delayed": "deferred",
    "failed": "bounced",
}


@dataclass(frozen=True)
class RecipientReport:
    action: str
    status: str  # enhanced status code, e.g. 5.1.1
    final_recipient: str
    diagnostic: str


@dataclass(frozen=True)
class DeliveryReport:
    envelope_id: str
    recipients: list[RecipientReport]


def verp_token(address: str) -> str:
    """The token of ``saraban+<token>@domain``, or "" for any other address."""
    local_part = address.strip().lower().rpartition("@")[0]
    token = local_part.partition("+")[2]
    return token if _TOKEN.match(token) else ""


def _field(block: Message, name: str) -> str:
    value = block.get(name, "")
    return " ".join(str(value).split())


def _strip_type(value: str) -> str:
    """``rfc822; a@b`` -> ``a@b``; ``smtp; 550 5.1.1 ...`` -> ``550 5.1.1 ...``."""
    return value.partition(";")[2].strip() if ";" in value else value.strip()


def parse_delivery_report(raw: bytes) -> DeliveryReport | None:
    """The machine-readable part of a multipart/report; report-type=delivery-status message."""
    message = email.message_from_bytes(raw, policy=policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    if (message.get_param("report-type") or "").lower() != "delivery-status":  # type: ignore[union-attr]
        return None
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = [b for b in part.get_payload() if isinstance(b, Message)]
        if not blocks:
            return None
        envelope_id = _field(blocks[0], "Original-Envelope-Id")
        recipients = [
            RecipientReport(
                action=_field(block, "Action").lower(),
                status=_field(block, "Status"),
                final_recipient=_strip_type(_field(block, "Final-Recipient")),
                diagnostic=_strip_type(_field(block, "Diagnostic-Code")),
            )
            for block in blocks[1:]
            if _field(block, "Action")
        ]
        return DeliveryReport(envelope_id=envelope_id, recipients=recipients)
    return None


def parse_receipt_header(value: str) -> tuple[str, datetime] | None:
    """``number=12/2569; date=2026-11-22T10:15:00+07:00`` -> ("12/2569", datetime)."""
    fields = {}
    for item in value.split(";"):
        name, _sep, text = item.partition("=")
        fields[name.strip().lower()] = text.strip()
    number = fields.get("number", "")
    when = parse_datetime(fields.get("date", ""))
    if not number or when is None:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return number, when


def answered_message_ids(headers: Message) -> list[str]:
    text = f"{headers.get('In-Reply-To', '')} {headers.get('References', '')}"
    return _MESSAGE_ID.findall(text)


def report_apply(mail: ReceivedMail, *, recipient: str, municipality: Municipality) -> bool:
    """Apply a delivery report or a receipt notice to the municipality's recipient row; False
    when it is about nothing we sent (it stays on record as an inbound message)."""
    from registers.services.dispatch import dispatch_acknowledge, dispatch_report

    token = verp_token(recipient)
    applied = False
    report = parse_delivery_report(mail.raw)
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(mail.raw)
    receipt_value = " ".join(str(headers.get(RECEIPT_HEADER, "")).split())
    with municipality:
        if report is not None:
            token = token or (
                report.envelope_id.lower() if _TOKEN.match(report.envelope_id.lower()) else ""
            )
            for item in report.recipients if token else []:
                status = ACTIONS.get(item.action)
                if status is None:
                    continue
                applied |= dispatch_report(
                    token=token,
                    status=status,
                    reason=item.status or "",
                    diagnostic=item.diagnostic or item.status,
                )
        receipt = parse_receipt_header(receipt_value) if receipt_value else None
        if receipt is not None:
            number, registered_at = receipt
            for message_id in answered_message_ids(headers) or [""]:
                if dispatch_acknowledge(
                    number=number,
                    registered_at=registered_at,
                    message_id=message_id,
                    token=token,
                    receiver=mail.parsed.sender_address,
                ):
                    applied = True
                    break
    return applied
