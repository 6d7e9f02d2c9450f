"""Deliver received messages to central or unit addresses: into the municipalities' intake.

ONE database transaction records the messages (raw copy, idempotency key, outcome) in the
control plane and creates the intake items, with their attachments (and, where the policy
allows, their receipt numbers and notices), in the municipalities' schemas. The LMTP service
hands over every delivery that arrived while the previous batch was being written (a group
commit, ``deliver_many``) and answers 250 only after the commit; anything that fails becomes a
451, so Postfix keeps the message and retries. A batch that fails is delivered again one message
at a time, so one bad message fails alone. The same Message-ID to the same recipient is
delivered once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

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
from registers.inputs import FileInput, LetterInput
from tenants.models import Municipality

if TYPE_CHECKING:
    from registers.services.arrivals import Arrived

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


def _may_register(policy: str, auth: AuthResults) -> bool:
    """The municipality's policy (registry settings) for registering mail at once."""
    from registers.choices import MailAutoRegister

    if policy == MailAutoRegister.NEVER or not auth.authenticated:
        return False
    return policy != MailAutoRegister.GOVERNMENT or is_government(auth.from_domain)


def _letter_input(
    mailbox: Mailbox,
    parsed: ParsedMail,
    message_id: str,
    refused: list[str],
    owner_unit_id: int | None,
    source: tuple[str, int] | None,
) -> LetterInput:
    """``source``: (schema, letter id) of a letter handed over directly by another municipality
    of this platform (mailhosting.outbound), never read from the message itself."""
    from registers.choices import Channel

    summary = parsed.body_text[:SUMMARY_LIMIT]
    if refused:
        summary += "\n\n[ไฟล์แนบที่ไม่ได้นำเข้า (เก็บไว้ในต้นฉบับอีเมล)]\n" + "\n".join(refused)
    if parsed.defects:
        summary += "\n\n[อีเมลมีรูปแบบไม่สมบูรณ์: " + ", ".join(parsed.defects[:10]) + "]"
    return LetterInput(
        channel=Channel.PLATFORM if source else Channel.EMAIL,
        source_tenant=source[0] if source else "",
        source_letter_id=source[1] if source else None,
        sender=parsed.sender_name or parsed.sender_address,
        sender_email=parsed.sender_address,
        recipient=mailbox.display_name or mailbox.address,
        recipient_email=mailbox.address,
        subject=(parsed.subject or "(ไม่มีเรื่อง)")[:500],
        summary=summary.strip(),
        letter_date=timezone.localdate(parsed.date) if parsed.date else None,
        message_id=message_id,
        owner_unit_id=owner_unit_id,
    )


def _checked_files(
    parsed: ParsedMail, max_bytes: int
) -> tuple[list[tuple[FileInput, str]], list[str]]:
    """The attachments the register takes (PDFs first: the first is the main document), and
    why the others were refused (they stay in the raw message)."""
    from registers.errors import RegistersError
    from registers.services.attachments import attachment_check

    files: list[tuple[FileInput, str]] = []
    refused: list[str] = []
    for attachment in parsed.attachments:
        upload = FileInput(name=attachment.name, content=attachment.content)
        try:
            files.append((upload, attachment_check(upload, max_bytes=max_bytes)))
        except RegistersError as exc:
            refused.append(f"{attachment.name}: {exc}")
    files.sort(key=lambda item: 0 if item[0].content[:5] == b"%PDF-" else 1)
    return files, refused


def _intake_letters(municipality: Municipality, deliveries: Sequence[Delivery]) -> list[Arrived]:
    """The intake items (registered at once where allowed), in the municipality's schema, in
    the caller's transaction."""
    from accounts.models import OrgUnit
    from accounts.services import user_system
    from registers.selectors.settings import registry_settings
    from registers.services.arrivals import Arrival, letters_arrive

    options = registry_settings()
    max_bytes = options.max_attachment_mb * 1024 * 1024
    units: dict[str, int | None] = {}
    arrivals = []
    for delivery in deliveries:
        mailbox, mail = delivery.mailbox, delivery.mail
        assert mailbox is not None
        code = mailbox.org_unit_code
        if code and code not in units:
            units[code] = OrgUnit.objects.filter(code=code).values_list("pk", flat=True).first()
        files, refused = _checked_files(mail.parsed, max_bytes)
        data = _letter_input(
            mailbox, mail.parsed, mail.message_id, refused, units.get(code), delivery.source
        )
        register = _may_register(options.mail_auto_register, mail.auth)
        arrivals.append(Arrival(data=data, files=files, register=register))
    actor = user_system() if any(arrival.register for arrival in arrivals) else None
    return letters_arrive(arrivals, actor=actor, options=options)


class ReceivedMail:
    """One message as received, read once for all its recipients (an LMTP transaction may name
    fifty): parsed, hashed, and authenticated on first use (DNS look-ups; the LMTP service does
    it on its reader thread, before the message joins a batch)."""

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


@dataclass
class Delivery:
    """One message to one recipient."""

    mail: ReceivedMail
    mail_from: str
    recipient: str
    source: tuple[str, int] | None = None
    mailbox: Mailbox | None = None


def deliver(
    *,
    raw: bytes,
    mail_from: str,
    recipient: str,
    mail: ReceivedMail | None = None,
    source: tuple[str, int] | None = None,
) -> DeliveryResult:
    """One message to one recipient, in its own transaction (raises what ``deliver_many``
    would report)."""
    delivery = Delivery(mail or ReceivedMail(raw), mail_from, recipient, source)
    (result,) = deliver_many([delivery])
    if isinstance(result, Exception):
        raise result
    return result


def deliver_many(deliveries: Sequence[Delivery]) -> list[DeliveryResult | Exception]:
    """Deliver together, in one transaction; on failure, again one at a time. Returns, in
    order, each delivery's result or the exception that stopped it (UnknownRecipient: a 550;
    anything else: a 451)."""
    results: list[DeliveryResult | Exception | None] = [None] * len(deliveries)
    pending: list[int] = []
    seen: dict[tuple[str, str], int] = {}
    mailboxes: dict[str, Mailbox | None] = {}  # a batch is mostly for one saraban@
    for index, delivery in enumerate(deliveries):
        delivery.recipient = delivery.recipient.strip().lower()
        if delivery.mailbox is None:  # the LMTP service passes the one it found at RCPT
            if delivery.recipient not in mailboxes:
                mailboxes[delivery.recipient] = mailbox_for_address(delivery.recipient)
            delivery.mailbox = mailboxes[delivery.recipient]
        if delivery.mailbox is None:
            results[index] = UnknownRecipient(delivery.recipient)
            continue
        key = (delivery.recipient, delivery.mail.message_id)
        if key in seen:  # the same message twice in one batch: the later one is a duplicate
            continue
        seen[key] = index
        pending.append(index)
    existing = _already_delivered([deliveries[i] for i in pending])
    batch = []
    for index in pending:
        delivery = deliveries[index]
        found = existing.get((delivery.recipient, delivery.mail.message_id))
        if found is not None:
            results[index] = DeliveryResult(found, duplicate=True)
        else:
            batch.append(index)
    if len(batch) > 1:
        try:
            done = _deliver_together([deliveries[i] for i in batch])
            for index, result in zip(batch, done, strict=True):
                results[index] = result
            batch = []
        except Exception:
            logger.warning("a batch of %s deliveries failed; delivering one at a time", len(batch))
    for index in batch:
        try:
            (results[index],) = _deliver_together([deliveries[index]])
        except IntegrityError as exc:
            # Another delivery of the same message won the race: it is delivered once.
            delivery = deliveries[index]
            found = _already_delivered([delivery]).get(
                (delivery.recipient, delivery.mail.message_id)
            )
            results[index] = DeliveryResult(found, duplicate=True) if found else exc
        except Exception as exc:
            logger.exception(
                "delivery to %s failed; Postfix will retry", deliveries[index].recipient
            )
            results[index] = exc
    for index, delivery in enumerate(deliveries):  # in-batch duplicates
        if results[index] is None:
            first = results[seen[(delivery.recipient, delivery.mail.message_id)]]
            results[index] = (
                DeliveryResult(first.inbound, duplicate=True)
                if isinstance(first, DeliveryResult)
                else first
            )
    return [result for result in results if result is not None]


def _already_delivered(deliveries: Sequence[Delivery]) -> dict[tuple[str, str], InboundMessage]:
    if not deliveries:
        return {}
    wanted = {(delivery.recipient, delivery.mail.message_id) for delivery in deliveries}
    found = InboundMessage.objects.filter(
        message_id__in={key[1] for key in wanted}, recipient__in={key[0] for key in wanted}
    )
    return {
        (inbound.recipient, inbound.message_id): inbound
        for inbound in found
        if (inbound.recipient, inbound.message_id) in wanted
    }


def _deliver_together(deliveries: Sequence[Delivery]) -> list[DeliveryResult]:
    now = timezone.now()
    inbounds: list[InboundMessage] = []
    for delivery in deliveries:
        mail, municipality = delivery.mail, _municipality(delivery)
        outcome = outcome_for(
            mail.parsed, mail.raw, mail_from=delivery.mail_from, recipient=delivery.recipient
        )
        inbounds.append(
            InboundMessage(
                recipient=delivery.recipient,
                message_id=mail.message_id,
                municipality=municipality,
                mail_from=delivery.mail_from[:320],
                subject=mail.parsed.subject[:2000],
                raw_key=_store_raw(municipality.schema_name, mail.raw, mail.digest, now),
                raw_sha256=mail.digest,
                raw_size=len(mail.raw),
                outcome=outcome,
                defects=mail.parsed.defects[:50],
                auth_results=mail.auth.as_dict(),
                received_at=now,
            )
        )
    with transaction.atomic():
        intake: dict[int, list[int]] = {}
        for index, (delivery, inbound) in enumerate(zip(deliveries, inbounds, strict=True)):
            if inbound.outcome == InboundOutcome.INTAKE:
                intake.setdefault(inbound.municipality_id, []).append(index)
            elif inbound.outcome in REPORT_OUTCOMES:
                report_apply(
                    delivery.mail, recipient=delivery.recipient, municipality=inbound.municipality
                )
        for indexes in intake.values():
            municipality = inbounds[indexes[0]].municipality
            with municipality:
                arrived = _intake_letters(municipality, [deliveries[i] for i in indexes])
            for index, letter in zip(indexes, arrived, strict=True):
                inbounds[index].letter_id = letter.letter.pk
                if letter.entry is not None:
                    inbounds[index].outcome = InboundOutcome.REGISTERED
        InboundMessage.objects.bulk_create(inbounds)
    for inbound in inbounds:  # Postfix logs the reply, which says the same
        logger.debug(
            "mail for %s (%s): %s, letter %s",
            inbound.recipient,
            inbound.message_id,
            inbound.outcome,
            inbound.letter_id,
        )
    return [DeliveryResult(inbound, duplicate=False) for inbound in inbounds]


def _municipality(delivery: Delivery) -> Municipality:
    assert delivery.mailbox is not None
    return delivery.mailbox.domain.municipality
