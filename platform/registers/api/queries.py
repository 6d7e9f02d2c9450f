"""The API's reads, built on the registers' selectors (visibility always comes from there)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from registers.api.permissions import OVERSEERS, has_any_role
from registers.models import Assignment, Attachment, Endorsement, Letter, RegisterEntry
from registers.search.query import letters_search
from registers.selectors.letters import letters_visible_to
from registers.selectors.routing import overdue_assignments, tasks_for
from registers.selectors.settings import registry_settings
from registers.services.numbering import period_for

ENTRY_PEOPLE = ("registered_by", "cancelled_by")


def _with_entries(queryset: QuerySet[Letter]) -> QuerySet[Letter]:
    entries = RegisterEntry.objects.select_related(*ENTRY_PEOPLE).order_by("registered_at", "pk")
    return queryset.prefetch_related(Prefetch("entries", queryset=entries))


def letters_for_api(user: Any, filters: dict[str, Any]) -> QuerySet[Letter]:
    """Letters the person may see, through the registers' search (the same filters as the
    search page; ``q`` is its full-text query, empty means no text condition)."""
    queryset = letters_search(
        user=user,
        query=filters.get("q", ""),
        register=filters.get("register"),
        year=filters.get("year"),
        urgency=filters.get("urgency"),
        unit_id=filters.get("unit"),
        status=filters.get("status"),
    )
    if filters.get("direction"):
        queryset = queryset.filter(direction=filters["direction"])
    return _with_entries(queryset)


def letter_for_api(user: Any, pk: int) -> Letter:
    """A visible letter with everything its detail shows, or 404 (also for classified ones)."""
    queryset = _with_entries(letters_visible_to(user)).prefetch_related(
        "references",
        "enclosures",
        "attachments",
        Prefetch("endorsements", queryset=_endorsements()),
        Prefetch("assignments", queryset=_assignments()),
    )
    letter: Letter = get_object_or_404(queryset.select_related("created_by"), pk=pk)
    return letter


def visible_letter(user: Any, pk: int) -> Letter:
    letter: Letter = get_object_or_404(letters_visible_to(user), pk=pk)
    return letter


def _endorsements() -> QuerySet[Endorsement]:
    return Endorsement.objects.select_related("author", "on_behalf_of")


def _assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related(
        "to_unit", "to_user", "assigned_by", "acknowledged_by", "done_by"
    )


def assignment_for_api(user: Any, pk: int) -> Assignment:
    assignment: Assignment = get_object_or_404(
        _assignments().filter(letter__in=letters_visible_to(user)), pk=pk
    )
    return assignment


def tasks_for_api(user: Any) -> QuerySet[Assignment]:
    return tasks_for(user).select_related(
        "letter", "to_unit", "to_user", "assigned_by", "acknowledged_by", "done_by"
    )


def overdue_for_api(user: Any, *, unit_id: int | None, mine: bool) -> QuerySet[Assignment]:
    """Overseers see the whole municipality (or one unit) unless they ask for their own;
    others see their own. Classified letters only for the people named on them."""
    if has_any_role(user, OVERSEERS) and not mine:
        queryset = overdue_assignments(unit_id=unit_id)
    else:
        queryset = overdue_assignments(user=user)
    return queryset.filter(letter__in=letters_visible_to(user)).select_related(
        "letter", "to_unit", "to_user", "assigned_by", "acknowledged_by", "done_by"
    )


def current_period() -> int:
    return period_for(timezone.now(), registry_settings().numbering_reset)


def register_lines(
    register: str, *, year: int | None, status: str | None
) -> QuerySet[RegisterEntry]:
    """One register for one BE year, in the order of its numbers (as the book reads)."""
    queryset = RegisterEntry.objects.filter(
        register=register, period=year if year is not None else current_period()
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("letter", *ENTRY_PEOPLE).order_by("number")


def visible_ids(user: Any, letter_ids: set[int]) -> set[int]:
    if not letter_ids:
        return set()
    visible = letters_visible_to(user, Letter.objects.filter(pk__in=letter_ids))
    return set(visible.values_list("pk", flat=True))


def entry_for_api(pk: int) -> RegisterEntry:
    """Any entry: clerks keep the whole register, classified lines included (as on the pages)."""
    entry: RegisterEntry = get_object_or_404(RegisterEntry.objects.select_related("letter"), pk=pk)
    return entry


def attachment_for_api(user: Any, pk: int) -> Attachment:
    attachment: Attachment = get_object_or_404(
        Attachment.objects.filter(letter__in=letters_visible_to(user)).select_related("letter"),
        pk=pk,
    )
    return attachment
