"""Reads of e-mail dispatches: a letter's recipients with their history, the send register's
summary, and the look-ups the mail ingest makes when a report or receipt notice comes back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from registers.choices import EntryStatus, RegisterKind
from registers.models import (
    DeliveryStatus,
    DispatchEvent,
    DispatchRecipient,
    Letter,
    RegisterEntry,
)


def dispatch_recipients_of(letter: Letter) -> QuerySet[DispatchRecipient]:
    """Every recipient the letter was e-mailed to, with its history, oldest first."""
    return (
        DispatchRecipient.objects.filter(letter=letter)
        .select_related("dispatch", "dispatch__created_by")
        .prefetch_related(Prefetch("events", queryset=DispatchEvent.objects.order_by("at", "pk")))
        .order_by("pk")
    )


def dispatch_recipient_by_token(token: str) -> DispatchRecipient | None:
    return DispatchRecipient.objects.filter(token=token.lower()).first()


def dispatch_recipient_by_message_id(message_id: str) -> DispatchRecipient | None:
    return DispatchRecipient.objects.filter(message_id=message_id.strip()).first()


def dispatch_open_recipient(letter: Letter, address: str) -> DispatchRecipient | None:
    """The recipient row a new send to this address would repeat (anything but a bounce or a
    failure, which a clerk may send again)."""
    return (
        DispatchRecipient.objects.filter(letter=letter, address=address)
        .exclude(status__in=[DeliveryStatus.BOUNCED, DeliveryStatus.FAILED])
        .first()
    )


def dispatch_summaries(letter_ids: Iterable[int]) -> dict[int, str]:
    """การปฏิบัติ of the send register: e.g. "อีเมล 3 ราย: ลงรับแล้ว 1, ปลายทางรับแล้ว 1, ตีกลับ 1"."""
    ids = list(letter_ids)
    if not ids:
        return {}  # the receive register: no query
    counts: dict[int, Counter[str]] = {}
    rows = DispatchRecipient.objects.filter(letter_id__in=ids).values_list("letter_id", "status")
    for letter_id, status in rows:
        counts.setdefault(letter_id, Counter())[status] += 1
    labels = dict(DeliveryStatus.choices)
    order = [
        DeliveryStatus.ACKNOWLEDGED,
        DeliveryStatus.ACCEPTED,
        DeliveryStatus.QUEUED,
        DeliveryStatus.DEFERRED,
        DeliveryStatus.BOUNCED,
        DeliveryStatus.FAILED,
    ]
    summaries = {}
    for letter_id, counter in counts.items():
        parts = ", ".join(f"{labels[s]} {counter[s]}" for s in order if counter[s])
        summaries[letter_id] = _("ส่งทางอีเมล %(count)s ราย: %(parts)s") % {
            "count": sum(counter.values()),
            "parts": parts,
        }
    return summaries


def receipt_of_letter(letter_id: int) -> tuple[str, datetime] | None:
    """The receipt number (เลขรับ) and time of a registered incoming letter."""
    entry = (
        RegisterEntry.objects.filter(
            letter_id=letter_id, register=RegisterKind.RECEIVE, status=EntryStatus.ACTIVE
        )
        .order_by("registered_at")
        .first()
    )
    if entry is None:
        return None
    return f"{entry.number}/{entry.period}", entry.registered_at


def dispatch_recipients_never_tried(*, older_than: timedelta) -> QuerySet[DispatchRecipient]:
    """Recipients whose send task never ran (the broker was down at the commit)."""
    return DispatchRecipient.objects.filter(
        status=DeliveryStatus.QUEUED,
        sent_at__isnull=True,
        attempts=0,
        status_at__lt=timezone.now() - older_than,
    ).order_by("pk")
