"""Reads of the routing: whose tasks are open, what is overdue (เรื่องค้าง), who acts for whom.

"Today" is always the calendar date in Bangkok, whatever the server's clock zone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from registers.choices import AssignmentStatus
from registers.models import Assignment, Delegation
from registers.selectors.letters import letters_visible_to
from thaiformat.dates import BANGKOK

OPEN_STATUSES = (AssignmentStatus.PENDING, AssignmentStatus.ACKNOWLEDGED)


def bangkok_today() -> date:
    return timezone.now().astimezone(BANGKOK).date()


def delegations_active(*, today: date | None = None) -> QuerySet[Delegation]:
    """Delegations in force on ``today``: started, not ended, not revoked."""
    today = today or bangkok_today()
    return Delegation.objects.filter(
        revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today
    )


def delegator_ids_for(user: Any, *, today: date | None = None) -> list[int]:
    """The people ``user`` acts for today. Not transitive: A→B and B→C does not make C act for A."""
    return list(
        delegations_active(today=today)
        .filter(delegate=user, delegator__is_active=True)
        .values_list("delegator_id", flat=True)
        .distinct()
    )


def _addressed_to(user_ids: list[int]) -> Q:
    """Assignments to any of these people, or to the org unit of any of them."""
    from accounts.models import User

    unit_ids = User.objects.filter(pk__in=user_ids, org_unit__isnull=False).values("org_unit_id")
    return Q(to_user_id__in=user_ids) | Q(to_unit_id__in=unit_ids)


def tasks_for(user: Any, *, today: date | None = None) -> QuerySet[Assignment]:
    """Open assignments the person should act on: their own, their unit's, and those of people
    who delegated to them today; only on letters they may see (classified letters need access)."""
    people = [user.pk, *delegator_ids_for(user, today=today)]
    return (
        Assignment.objects.filter(status__in=OPEN_STATUSES)
        .filter(_addressed_to(people))
        .filter(letter_id__in=letters_visible_to(user).values("pk"))
        .select_related("letter", "to_unit", "to_user", "assigned_by")
        .order_by("due_date", "assigned_at", "id")
    )


def overdue_assignments(
    *, user: Any = None, unit_id: int | None = None, today: date | None = None
) -> QuerySet[Assignment]:
    """เรื่องค้าง: open assignments whose due date is before today (Bangkok).

    With ``user``: those in the person's task list; with ``unit_id``: those addressed to the
    unit or to one of its members.
    """
    today = today or bangkok_today()
    qs = tasks_for(user, today=today) if user is not None else Assignment.objects.all()
    qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    if unit_id is not None:
        qs = qs.filter(Q(to_unit_id=unit_id) | Q(to_user__org_unit_id=unit_id))
    return qs.select_related("letter", "to_unit", "to_user", "assigned_by").order_by(
        "due_date", "assigned_at", "id"
    )


def assignment_acting_for(assignment: Assignment, user: Any, *, today: date | None = None) -> Any:
    """Whom ``user`` would act for on this assignment: ``user`` itself when addressed to them or
    their unit, else the delegator it is addressed to; None when they may not act on it."""
    from accounts.models import User

    if _is_addressee(assignment, user):
        return user
    delegators = User.objects.filter(pk__in=delegator_ids_for(user, today=today))
    for delegator in delegators.order_by("pk"):
        if _is_addressee(assignment, delegator):
            return delegator
    return None


def _is_addressee(assignment: Assignment, user: Any) -> bool:
    if assignment.to_user_id is not None and assignment.to_user_id == user.pk:
        return True
    return assignment.to_unit_id is not None and assignment.to_unit_id == user.org_unit_id
