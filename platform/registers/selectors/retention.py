"""Reads of storage and retention: forms 19/20 (stored), 25 (due for destruction), 21 (20 years)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet

from registers.choices import DestructionStatus, LetterStatus, Secrecy
from registers.models import DestructionItem, DestructionList, HandoverItem, Letter, StorageRecord
from thaiformat.dates import BANGKOK, BE_OFFSET

HANDOVER_AGE_YEARS = 20


def _on_open_destruction_list() -> Q:
    """On a destruction list that has not ended (an objected list is revised and sent again)."""
    open_lists = DestructionList.objects.exclude(status=DestructionStatus.DESTROYED)
    return Q(
        pk__in=DestructionItem.objects.filter(destruction_list__in=open_lists).values("letter_id")
    )


def _on_any_handover_list() -> Q:
    return Q(pk__in=HandoverItem.objects.values("letter_id"))


def letters_due_for_destruction(year: int) -> QuerySet[Letter]:
    """Stored letters whose retention ended by the end of BE ``year`` (form 25 candidates).

    Not permanent ones, not those on a destruction list still in progress (a letter the committee
    kept comes back once its new year is reached), not those on a handover list.
    """
    return (
        Letter.objects.filter(
            status=LetterStatus.STORED,
            storage__keep_until_year__isnull=False,
            storage__keep_until_year__lte=year,
        )
        .exclude(_on_open_destruction_list())
        .exclude(_on_any_handover_list())
        .select_related("storage")
        .order_by("storage__period", "storage__item_number")
    )


def letters_due_for_handover(year: int) -> QuerySet[Letter]:
    """Stored letters made 20 or more years before the end of BE ``year`` (form 21 candidates).

    Age counts from the letter's date (else from when it entered the system). Classified
    letters are not handed over (regulation clause 58 (1)); neither are letters on a handover
    list already or on a destruction list in progress.
    """
    last_ce_year = year - BE_OFFSET - HANDOVER_AGE_YEARS
    first_day_after = date(last_ce_year + 1, 1, 1)
    created_before = datetime.combine(first_day_after, time.min, tzinfo=BANGKOK)
    old_enough = Q(letter_date__lt=first_day_after) | Q(
        letter_date__isnull=True, created_at__lt=created_before
    )
    return (
        Letter.objects.filter(old_enough, status=LetterStatus.STORED, secrecy=Secrecy.NORMAL)
        .exclude(_on_any_handover_list())
        .exclude(_on_open_destruction_list())
        .select_related("storage")
        .order_by("storage__period", "storage__item_number")
    )


def storage_records(start: date | None = None, end: date | None = None) -> QuerySet[StorageRecord]:
    """Storage records (forms 19 and 20) stored between ``start`` and ``end`` inclusive, by
    Bangkok date; oldest first."""
    qs = StorageRecord.objects.select_related("letter", "stored_by")
    if start is not None:
        qs = qs.filter(stored_at__gte=datetime.combine(start, time.min, tzinfo=BANGKOK))
    if end is not None:
        day_after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=BANGKOK)
        qs = qs.filter(stored_at__lt=day_after)
    return qs.order_by("period", "item_number")
