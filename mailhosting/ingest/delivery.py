"""Deliver one received message to one central or unit address: into the municipality's intake.

ONE database transaction records the message (raw copy, idempotency key, outcome) in the control
plane and creates the intake item, with its attachments, in the municipality's schema. The LMTP
service answers 250 only after it returns; anything it raises becomes a 451, so Postfix keeps the
message and retries. The same Message-ID to the same recipient is delivered once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from mailhosting.ingest.authentication import AuthResults, authenticate, is_government
from mailhosting.ingest.parsing import ParsedMail, parse
from mailhosting.ingest.reports import REPORT_OUTCOMES, report_apply
from mailhosting.models import InboundMessage, InboundOutcome, Mailbox
from mailhosting.selectors import mailbox_for_address

logger = logging.getLogger(__name__)

SUMMARY_LIMIT = 4000


class UnknownRecipient(Exception):
    """Not one of our addresses: a permanent refusal (550), not a fault of ours."""


@dataclass(frozen=True)
class DeliveryResult:
    inbound: InboundMessage
    duplicate: bool

    @property
    def summary(self) -> str:
        """ASCII (LMTP replies are ASCII): what happened, for Postfix's log."""
        if self.duplicate:
            return f"already delivered as {self.inbound.pk}"
        letter = f" letter {self.inbound.letter_id}" if self.inbound.letter_id else ""
        return f"{self.inbound.outcome} {self.inbound.pk}{letter}"


def message_key(parsed: ParsedMail, raw: bytes) -> str:
    """The Message-ID, or the content's hash for the rare message without one."""
    message_id = parsed.message_id.strip()
    if message_id:
        return message_id[:998]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _is_loop(parsed: ParsedMail, raw: bytes, recipient: str) -> bool:
    hops = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower().count(b"\nreceived:")
    loop_marker = parsed.headers.get("X-Loop", "").lower()
    return hops > settings.MAIL_MAX_RECEIVED_HEADERS or recipient in loop_marker


def outcome_for(parsed: ParsedMail, raw: bytes, *, mail_from: str, recipient: str) -> str:
    if not mail_from or mail_from == "<>" or parsed.is_delivery_report:
        return InboundOutcome.DELIVERY_REPORT
    if _is_loop(parsed, raw, recipient):
        return InboundOutcome.LOOP
    if parsed.auto_submitted:
        return InboundOutcome.AUTO_REPLY
    return InboundOutcome.INTAKE


def _store_raw(schema_name: str, raw: bytes, digest: str, at: datetime) -> str:
    # Content-addressed: a retry after a crash finds the file it already wrote.
    key = f"tenants/{schema_name}/mail/{at:%Y/%m}/{digest}.eml"
    if not default_storage.exists(key):
        stored = default_storage.save(key, ContentFile(raw))
        if stored != key:  # a storage that renamed it would break the idempotent retry
            raise RuntimeError(f"raw message stored under {stored}, expected {key}")
    return key


def _auto_register(
    mailbox: Mailbox, letter_id: int, parsed: ParsedMail, auth: AuthResults, message_id: str
) -> bool:
    """Register at once when the municipality's policy allows it; then owe the sender a notice.

    Runs in the municipality's schema, inside the delivery transaction: the receipt number, the
    intake item and the queued notice commit together or not at all.
    """
    from accounts.services import user_system
    from registers.choices import MailAutoRegister
    from registers.errors import DuplicateLetter
    from registers.models import Letter
    from registers.selectors.settings import registry_settings
    from registers.services.letters import letter_register_incoming

    policy = registry_settings().mail_auto_register
    if policy == MailAutoRegister.NEVER or not auth.authenticated:
        return False
    if policy == MailAutoRegister.GOVERNMENT and not is_government(auth.from_domain):
        return False
    letter = Letter.objects.get(pk=letter_id)
    try:
        with transaction.atomic():
            entry = letter_register_incoming(letter=letter, actor=user_system())
    except DuplicateLetter:
        return False  # a clerk decides about a possible duplicate
    # The registers service queued the receipt notice (แจ้งผลการรับ) in this same transaction.
    return entry.pk is not None


def _intake_letter(
    mailbox: Mailbox, parsed: ParsedMail, message_id: str, source: tuple[str, int] | None = None
) -> int:
    """Create the intake item in the municipality's schema (the caller holds the transaction).

    ``source``: (schema, letter id) of a letter handed over directly by another municipality
    of this platform (mailhosting.outbound), never read from the message itself."""
    from accounts.models import OrgUnit
    from registers.choices import Channel
    from registers.errors import RegistersError
    from registers.inputs import FileInput, LetterInput
    from registers.services.attachments import attachment_check
    from registers.services.letters import intake_create

    files: list[FileInput] = []
    refused: list[str] = []
    for attachment in parsed.attachments:
        upload = FileInput(name=attachment.name, content=attachment.content)
        try:
            attachment_check(upload)
        except RegistersError as exc:
            # Kept in the raw message; the clerk sees why the file is not attached.
            refused.append(f"{attachment.name}: {exc}")
            continue
        files.append(upload)
    # PDFs first: the first file becomes the letter's main document.
    files.sort(key=lambda f: 0 if f.content[:5] == b"%PDF-" else 1)
    summary = parsed.body_text[:SUMMARY_LIMIT]
    if refused:
        summary += "\n\n[ไฟล์แนบที่ไม่ได้นำเข้า (เก็บไว้ในต้นฉบับอีเมล)]\n" + "\n".join(refused)
    if parsed.defects:
        summary += "\n\n[อีเมลมีรูปแบบไม่สมบูรณ์: " + ", ".join(parsed.defects[:10]) + "]"
    owner_unit_id = None
    if mailbox.org_unit_code:
        owner_unit_id = (
            OrgUnit.objects.filter(code=mailbox.org_unit_code).values_list("pk", flat=True).first()
        )
    letter_date = timezone.localdate(parsed.date) if parsed.date else None
    letter = intake_create(
        data=LetterInput(
            channel=Channel.PLATFORM if source else Channel.EMAIL,
            source_tenant=source[0] if source else "",
            source_letter_id=source[1] if source else None,
            sender=parsed.sender_name or parsed.sender_address,
            sender_email=parsed.sender_address,
            recipient=mailbox.display_name or mailbox.address,
            recipient_email=mailbox.address,
            subject=(parsed.subject or "(ไม่มีเรื่อง)")[:500],
            summary=summary.strip(),
            letter_date=letter_date,
            message_id=message_id,
            owner_unit_id=owner_unit_id,
        ),
        files=files,
    )
    return int(letter.pk)


class ReceivedMail:
    """One message as received, read once for all its recipients (an LMTP transaction may name
    fifty): parsed, hashed, and authenticated only when a delivery needs it (DNS look-ups)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.parsed = parse(raw)
        self.message_id = message_key(self.parsed, raw)
        self.digest = hashlib.sha256(raw).hexdigest()

    @cached_property
    def auth(self) -> AuthResults:
        return authenticate(
            self.raw,
            from_header=f"<{self.parsed.sender_address}>",
            authentication_results=self.parsed.authentication_results,
        )


def deliver(
    *,
    raw: bytes,
    mail_from: str,
    recipient: str,
    mail: ReceivedMail | None = None,
    source: tuple[str, int] | None = None,
) -> DeliveryResult:
    recipient = recipient.strip().lower()
    mailbox = mailbox_for_address(recipient)
    if mailbox is None:
        raise UnknownRecipient(recipient)
    municipality = mailbox.domain.municipality
    mail = mail or ReceivedMail(raw)
    parsed, message_id = mail.parsed, mail.message_id
    existing = InboundMessage.objects.filter(recipient=recipient, message_id=message_id).first()
    if existing is not None:
        return DeliveryResult(existing, duplicate=True)

    now = timezone.now()
    digest = mail.digest
    outcome = outcome_for(parsed, raw, mail_from=mail_from, recipient=recipient)
    raw_key = _store_raw(municipality.schema_name, raw, digest, now)
    auth = mail.auth
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                recipient=recipient,
                message_id=message_id,
                municipality=municipality,
                mail_from=mail_from[:320],
                subject=parsed.subject[:2000],
                raw_key=raw_key,
                raw_sha256=digest,
                raw_size=len(raw),
                outcome=outcome,
                defects=parsed.defects[:50],
                auth_results=auth.as_dict(),
                received_at=now,
            )
            if outcome == InboundOutcome.INTAKE:
                with municipality:
                    inbound.letter_id = _intake_letter(mailbox, parsed, message_id, source)
                    if _auto_register(mailbox, inbound.letter_id, parsed, auth, message_id):
                        inbound.outcome = InboundOutcome.REGISTERED
                inbound.save(update_fields=["letter_id", "outcome"])
            elif outcome in REPORT_OUTCOMES:
                report_apply(mail, recipient=recipient, municipality=municipality)
    except IntegrityError:
        # Another delivery of the same message won the race: it is delivered once.
        existing = InboundMessage.objects.filter(recipient=recipient, message_id=message_id).first()
        if existing is None:
            raise
        return DeliveryResult(existing, duplicate=True)
    logger.info(
        "mail for %s (%s): %s, letter %s", recipient, message_id, outcome, inbound.letter_id
    )
    return DeliveryResult(inbound, duplicate=False)
