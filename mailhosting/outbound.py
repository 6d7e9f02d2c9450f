"""Sending a municipality's letter: built here, DKIM-signed, and either handed to the outgoing
relay (Postfix) with a per-recipient return path and delivery status notifications requested,
or, for an address hosted on this platform, delivered straight into that municipality's intake
through the ingest's own delivery path (no relay, no DNS, nothing to bounce).

The registers call ``send_letter``; nothing here writes the sender's rows: the result says what
happened and the registers' dispatch service records it.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from mailhosting.dkim_signing import dkim_signature
from mailhosting.selectors import central_address, mailbox_for_address
from tenants.models import Municipality

logger = logging.getLogger(__name__)

# The DSN extension (RFC 3461): report success, failure and delay; return headers only.
DSN_NOTIFY = "NOTIFY=SUCCESS,FAILURE,DELAY"
_STATUS_CODE = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class OutgoingFile:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingLetter:
    municipality: Municipality
    letter_id: int
    to_address: str
    token: str  # the recipient row's VERP token (return path and ENVID)
    message_id: str
    reference: str
    letter_date: date | None
    subject: str
    recipient_name: str
    files: list[OutgoingFile] = field(default_factory=list)


@dataclass(frozen=True)
class SendResult:
    sent: bool
    route: str = "smtp"  # registers.models.DeliveryRoute values
    permanent: bool = False
    refused: bool = False  # a 5xx for this recipient (a bounce) rather than our own failure
    reason: str = ""  # an enhanced status code ("5.1.1") or a key of ours ("no-relay")
    detail: str = ""


def return_path(from_address: str, token: str) -> str:
    """VERP: saraban+<token>@<domain>; Postfix's recipient_delimiter brings it back to us."""
    local_part, _sep, domain = from_address.partition("@")
    return f"{local_part}+{token}@{domain}"


def status_code_in(text: str, fallback: str = "") -> str:
    found = _STATUS_CODE.search(text)
    return found.group(1) if found else fallback


def _body(letter: OutgoingLetter) -> str:
    from thaiformat.dates import format_thai_date

    municipality = letter.municipality
    with override("th"):
        when = format_thai_date(letter.letter_date) if letter.letter_date else "-"
    names = "\n".join(f"- {f.name}" for f in letter.files)
    return (
        f"เรียน {letter.recipient_name or 'ผู้รับหนังสือ'}\n\n"
        f"{municipality.name_th} ขอส่งหนังสือ\n"
        f"ที่ {letter.reference}\nลงวันที่ {when}\nเรื่อง {letter.subject}\n\n"
        f"ตามไฟล์แนบ:\n{names}\n\n"
        "เมื่อลงรับแล้ว โปรดแจ้งผลการรับ (เลขรับและวันที่) ตอบกลับมายังที่อยู่นี้\n\n"
        f"{municipality.name_en or municipality.name_th} sends you letter {letter.reference} "
        f'"{letter.subject}" (attached). Please reply with your receipt number once registered.\n'
    )


def build_message(letter: OutgoingLetter) -> bytes:
    """The message as sent, DKIM-signed with the municipality's active key."""
    from_address = central_address(municipality=letter.municipality)
    if from_address is None:
        raise ValueError(f"{letter.municipality} has no saraban@ address")
    local_part, _sep, domain = from_address.partition("@")
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(letter.municipality.name_th, local_part, domain)
    message["To"] = letter.to_address
    message["Subject"] = f"{letter.subject} (ที่ {letter.reference})"
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = letter.message_id
    message.set_content(_body(letter))
    for item in letter.files:
        maintype, _slash, subtype = (item.content_type or "application/octet-stream").partition("/")
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype or "octet-stream", filename=item.name
        )
    raw = message.as_bytes()
    return dkim_signature(raw, from_address=from_address) + raw


def _direct(letter: OutgoingLetter, raw: bytes, sender: str) -> SendResult:
    """Into the other municipality's intake through the ingest's delivery path."""
    from mailhosting.ingest.authentication import AuthResults
    from mailhosting.ingest.delivery import ReceivedMail, deliver

    mail = ReceivedMail(raw)
    domain = sender.rpartition("@")[2]
    # Never left the platform: signed by us, handed over in-process. Authenticated as such.
    mail.__dict__["auth"] = AuthResults(
        from_domain=domain,
        spf="pass",
        spf_domain=domain,
        dkim="pass",
        dkim_domain=domain,
        dmarc="pass",
    )
    result = deliver(
        raw=raw,
        mail_from=return_path(sender, letter.token),
        recipient=letter.to_address,
        mail=mail,
        source=(letter.municipality.schema_name, letter.letter_id),
    )
    return SendResult(sent=True, route="platform", detail=result.summary)


def _smtp(letter: OutgoingLetter, raw: bytes, sender: str) -> SendResult:
    host, port = settings.MAIL_OUTBOUND_HOST, settings.MAIL_OUTBOUND_PORT
    if not host:
        # The embedded demo without a relay: only municipalities on this platform are reachable.
        return SendResult(
            sent=False, permanent=True, reason="no-relay", detail="MAIL_OUTBOUND_HOST is not set"
        )
    to = letter.to_address
    try:
        with smtplib.SMTP(host, port, timeout=settings.MAIL_OUTBOUND_TIMEOUT) as client:
            client.ehlo(settings.MAIL_MX_HOST)
            mail_options: list[str] = []
            rcpt_options: list[str] = []
            if client.has_extn("dsn"):
                mail_options = ["RET=HDRS", f"ENVID={letter.token}"]
                rcpt_options = [DSN_NOTIFY, f"ORCPT=rfc822;{to}"]
            client.sendmail(
                return_path(sender, letter.token), [to], raw, mail_options, rcpt_options
            )
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = exc.recipients.get(to, (451, b""))
        return _refusal(code, text)
    except smtplib.SMTPResponseException as exc:
        return _refusal(exc.smtp_code, exc.smtp_error)
    except (OSError, smtplib.SMTPException) as exc:
        return SendResult(
            sent=False, reason="relay-unreachable", detail=f"{type(exc).__name__}: {exc}"
        )
    return SendResult(sent=True, route="smtp", detail=f"relay {host}:{port} accepted")


def _refusal(code: int, text: bytes | str) -> SendResult:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    detail = f"{code} {message}"[:2000]
    permanent = 500 <= code < 600
    reason = status_code_in(message, fallback=f"{code // 100}.0.0")
    return SendResult(
        sent=False, permanent=permanent, refused=permanent, reason=reason, detail=detail
    )


def send_letter(letter: OutgoingLetter) -> SendResult:
    """Send one recipient's copy. Never raises for a mail problem: the result says what it was
    (the caller retries temporary failures and records permanent ones)."""
    sender = central_address(municipality=letter.municipality)
    if sender is None:
        return SendResult(sent=False, permanent=True, reason="no-sender", detail="no saraban@")
    raw = build_message(letter)
    mailbox = mailbox_for_address(letter.to_address)
    if mailbox is not None:
        try:
            with transaction.atomic():  # a failed hand-over leaves nothing half-written
                return _direct(letter, raw, sender)
        except Exception as exc:  # the receiver's side failed: retried like a relay's 4xx
            logger.exception("direct delivery of letter %s failed", letter.letter_id)
            return SendResult(sent=False, reason="4.3.0", detail=f"{type(exc).__name__}: {exc}")
    started = timezone.now()
    result = _smtp(letter, raw, sender)
    logger.info(
        "letter %s to %s: %s (%s) in %.2f s",
        letter.letter_id,
        letter.to_address,
        "sent" if result.sent else result.reason,
        result.detail,
        (timezone.now() - started).total_seconds(),
    )
    return result


def receipt_flow_back(
    *,
    source_tenant: str,
    source_letter_id: int,
    message_id: str,
    number: str,
    registered_at: datetime,
    receiver_address: str,
) -> bool:
    """The receiver registered a letter another municipality of this platform handed over
    directly: write its receipt number into the sender's recipient row (the sender's schema,
    reached only through this control-plane service). False when no row matches."""
    from registers.services.dispatch import dispatch_acknowledge

    source = Municipality.objects.filter(schema_name=source_tenant).first()
    if source is None or not message_id:
        return False
    with source:
        return dispatch_acknowledge(
            number=number,
            registered_at=registered_at,
            message_id=message_id,
            receiver=receiver_address,
            letter_id=source_letter_id,
        )
