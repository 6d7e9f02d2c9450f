"""Sending a registered letter by e-mail, and recording what becomes of each recipient.

``letter_dispatch_email`` writes the dispatch and its recipients in one transaction and queues
one send task per recipient after the commit. ``dispatch_recipient_send`` (run by that task)
hands the message to the platform's mail service; it holds the recipient's row lock while it
sends, so a repeated task finds the row already sent and sends nothing. Reports that come back
(delivery status notifications, receipt notices, direct delivery between municipalities) call
``dispatch_report`` / ``dispatch_acknowledge``: the status only moves forward.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.choices import OUTGOING_REGISTERS, AttachmentRole, Direction, EntryStatus
from registers.errors import InvalidLetter, InvalidState
from registers.models import (
    DeliveryRoute,
    DeliveryStatus,
    Dispatch,
    DispatchEvent,
    DispatchRecipient,
    Letter,
)
from registers.models.dispatch import STATUS_RANK, new_token
from registers.selectors.dispatch import (
    dispatch_open_recipient,
    dispatch_recipient_by_message_id,
    dispatch_recipient_by_token,
)
from registers.services.audit import audit_append

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
SENDABLE_STATES = ("registered", "in_progress", "done", "stored")


def parse_addresses(text: str | Iterable[str]) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or lines; lower-cased, in order, once."""
    items = re.split(r"[\s,;]+", text) if isinstance(text, str) else list(text)
    found: list[str] = []
    for item in items:
        address = item.strip().strip("<>").lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidLetter(_("อีเมลผู้รับไม่ถูกต้อง: %(address)s"), address=address[:320]) from None
        if address not in found:
            found.append(address)
    return found


def _check_sendable(letter: Letter) -> None:
    if letter.direction != Direction.OUTGOING or letter.status not in SENDABLE_STATES:
        raise InvalidState(_("ส่งทางอีเมลได้เฉพาะหนังสือส่งที่ออกเลขแล้ว"))
    if not letter.entries.filter(
        register__in=OUTGOING_REGISTERS, status=EntryStatus.ACTIVE
    ).exists():
        raise InvalidState(_("ส่งทางอีเมลได้เฉพาะหนังสือส่งที่ออกเลขแล้ว"))
    if letter.is_restricted:
        raise InvalidState(_("หนังสือชั้นความลับส่งทางอีเมลไม่ได้"))
    if not letter.attachments.filter(role=AttachmentRole.MAIN, removed_at__isnull=True).exists():
        raise InvalidState(_("หนังสือนี้ยังไม่มีไฟล์หนังสือ (PDF) ที่จะส่ง"))


def letter_dispatch_email(
    *, letter: Letter, recipients: str | Iterable[str], actor: Any
) -> Dispatch:
    """ส่งทางอีเมล: e-mail the registered letter to each address, each with its own return path.

    An address that already has a live send of this letter (anything but bounced or failed)
    is not sent again: the result is that same row, never a duplicate."""
    addresses = parse_addresses(recipients)
    if not addresses:
        raise InvalidLetter(_("โปรดระบุอีเมลผู้รับอย่างน้อยหนึ่งราย"))
    if len(addresses) > MAX_RECIPIENTS:
        raise InvalidLetter(_("ส่งได้ครั้งละไม่เกิน %(limit)s ราย"), limit=MAX_RECIPIENTS)
    with transaction.atomic():
        letter = Letter.objects.select_for_update(no_key=True).get(pk=letter.pk)
        _check_sendable(letter)
        from_domain = _sender_domain()
        dispatch = Dispatch.objects.create(letter=letter, created_by=actor)
        queued: list[int] = []
        repeated: list[str] = []
        for address in addresses:
            if dispatch_open_recipient(letter, address) is not None:
                repeated.append(address)
                continue
            token = new_token()
            row = DispatchRecipient.objects.create(
                dispatch=dispatch,
                letter=letter,
                address=address,
                token=token,
                # Unique with the token; short, so that no mail system folds or trims it.
                message_id=f"<letter.{token}@{from_domain}>",
            )
            DispatchEvent.objects.create(recipient=row, status=DeliveryStatus.QUEUED)
            queued.append(row.pk)
        audit_append(
            action="dispatch.email",
            actor=actor,
            letter=letter,
            data={"to": [a for a in addresses if a not in repeated], "repeated": repeated},
        )
        _send_after_commit(queued)
    return dispatch


def _sender_domain() -> str:
    from mailhosting.selectors import central_address

    address = central_address(municipality=connection.tenant)  # type: ignore[attr-defined]
    if address is None:
        raise InvalidState(_("หน่วยงานยังไม่มีที่อยู่อีเมลกลาง (saraban@)"))
    return address.rpartition("@")[2]


def _send_after_commit(recipient_ids: list[int]) -> None:
    from django_tenants.utils import tenant_context

    tenant = connection.tenant  # type: ignore[attr-defined]

    def queue() -> None:
        from registers.tasks.dispatch import dispatch_send

        with tenant_context(tenant):  # the task carries the schema in its headers
            for pk in recipient_ids:
                try:
                    dispatch_send.delay(pk)
                except Exception:  # the broker down: the recipient stays queued and visible
                    logger.warning("could not queue the send of dispatch recipient %s", pk)

    transaction.on_commit(queue)


def _record(
    row: DispatchRecipient,
    status: str,
    *,
    detail: str = "",
    at: datetime | None = None,
    **fields: Any,
) -> bool:
    """Move the row forward (never back) and keep the event; the caller holds its lock."""
    at = at or timezone.now()
    if STATUS_RANK[status] < STATUS_RANK[row.status]:
        DispatchEvent.objects.create(recipient=row, status=status, detail=detail[:1000], at=at)
        return False  # kept in the history, the status stays
    if status == row.status == DeliveryStatus.ACKNOWLEDGED:
        return False  # the same notice twice
    row.status = status
    row.status_at = at
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    DispatchEvent.objects.create(recipient=row, status=status, detail=detail[:1000], at=at)
    return True


def dispatch_report(
    *,
    token: str,
    status: str,
    reason: str = "",
    diagnostic: str = "",
    at: datetime | None = None,
) -> bool:
    """A delivery status notification for the recipient whose return path carries ``token``."""
    with transaction.atomic():
        found = dispatch_recipient_by_token(token)
        if found is None:
            return False
        row = DispatchRecipient.objects.select_for_update(no_key=True).get(pk=found.pk)
        extra: dict[str, Any] = {}
        if status in (DeliveryStatus.BOUNCED, DeliveryStatus.DEFERRED):
            extra = {"reason": reason[:500], "diagnostic": diagnostic[:4000]}
        changed = _record(row, status, detail=diagnostic or reason, at=at, **extra)
        if changed:
            audit_append(
                action="dispatch.status",
                letter=row.letter,
                data={"to": row.address, "status": status, "reason": reason},
            )
        return changed


def dispatch_acknowledge(
    *,
    number: str,
    registered_at: datetime,
    message_id: str = "",
    token: str = "",
    receiver: str = "",
    letter_id: int | None = None,
) -> bool:
    """แจ้งผลการรับ came back: the recipient registered the letter under ``number``."""
    with transaction.atomic():
        found = dispatch_recipient_by_token(token) if token else None
        if found is None and message_id:
            found = dispatch_recipient_by_message_id(message_id)
        if found is None or (letter_id is not None and found.letter_id != letter_id):
            return False
        row = DispatchRecipient.objects.select_for_update(no_key=True).get(pk=found.pk)
        changed = _record(
            row,
            DeliveryStatus.ACKNOWLEDGED,
            detail=f"{receiver} {number}".strip(),
            receipt_number=number[:60],
            receipt_at=registered_at,
        )
        if changed:
            audit_append(
                action="dispatch.acknowledged",
                letter=row.letter,
                data={"to": row.address, "number": number, "at": registered_at.isoformat()},
            )
        return changed


def dispatch_recipient_send(*, recipient_id: int, final_attempt: bool = False) -> str:
    """Send one recipient's copy, once. Returns "sent", "done" (nothing to do), "bounced",
    "failed" or "retry" (a temporary failure: the task tries again later)."""
    from mailhosting.outbound import OutgoingFile, OutgoingLetter, send_letter

    with transaction.atomic():
        row = (
            DispatchRecipient.objects.select_for_update(no_key=True)
            .select_related("letter")
            .filter(pk=recipient_id)
            .first()
        )
        if row is None or row.sent_at is not None or row.status != DeliveryStatus.QUEUED:
            return "done"
        letter = row.letter
        files = [
            OutgoingFile(a.original_name, a.content_type, a.open_bytes())
            for a in letter.attachments.filter(
                role__in=[AttachmentRole.MAIN, AttachmentRole.ATTACHMENT],
                removed_at__isnull=True,
            ).order_by("role", "pk")
        ]
        outgoing = OutgoingLetter(
            municipality=connection.tenant,  # type: ignore[attr-defined]
            letter_id=letter.pk,
            to_address=row.address,
            token=row.token,
            message_id=row.message_id,
            reference=letter.reference,
            letter_date=letter.letter_date,
            subject=letter.subject,
            recipient_name=letter.recipient,
            files=files,
        )
        DispatchRecipient.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        started = timezone.now()
        result = send_letter(outgoing)
        # A direct delivery may have been registered (and acknowledged) in the same breath.
        row.refresh_from_db()
        if result.sent:
            row.sent_at = timezone.now()
            row.route = result.route
            row.save(update_fields=["sent_at", "route"])
            detail = result.detail
            if result.route == DeliveryRoute.PLATFORM:
                # In the other municipality's intake now (if it registered it at once, the
                # row is already acknowledged and this only joins the history).
                _record(row, DeliveryStatus.ACCEPTED, detail=detail, at=started)
            else:
                DispatchEvent.objects.create(
                    recipient=row, status=DeliveryStatus.QUEUED, detail=detail[:1000]
                )
            audit_append(
                action="dispatch.sent",
                letter=letter,
                data={"to": row.address, "route": result.route, "message_id": row.message_id},
            )
            return "sent"
        if result.permanent:
            status = DeliveryStatus.BOUNCED if result.refused else DeliveryStatus.FAILED
            _record(
                row, status, detail=result.detail, reason=result.reason, diagnostic=result.detail
            )
            return str(status)
        if final_attempt:
            _record(
                row,
                DeliveryStatus.FAILED,
                detail=result.detail,
                reason=result.reason,
                diagnostic=result.detail,
            )
            return "failed"
        # Still queued; the last attempt's reason shows until the next one.
        row.reason, row.diagnostic = result.reason[:500], result.detail[:4000]
        row.save(update_fields=["reason", "diagnostic"])
        DispatchEvent.objects.create(
            recipient=row, status=DeliveryStatus.QUEUED, detail=result.detail[:1000]
        )
        return "retry"
