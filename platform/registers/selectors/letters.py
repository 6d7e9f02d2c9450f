"""Which letters a person may see, and look-ups used before registering."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from registers.choices import Direction, LetterStatus, Secrecy
from registers.models import Letter


def letters_visible_to(user: Any, queryset: QuerySet[Letter] | None = None) -> QuerySet[Letter]:
    """Everything except classified letters, which only their named people and roles see."""
    qs = queryset if queryset is not None else Letter.objects.all()
    role_ids = list(user.roles.values_list("pk", flat=True))
    return qs.filter(
        Q(secrecy=Secrecy.NORMAL)
        | Q(created_by=user)
        | Q(access__user=user)
        | Q(access__role__in=role_ids)
    ).distinct()


def letter_visible(user: Any, letter: Letter) -> bool:
    if letter.secrecy == Secrecy.NORMAL:
        return True
    return letters_visible_to(user, Letter.objects.filter(pk=letter.pk)).exists()


def letter_duplicates(letter: Letter) -> QuerySet[Letter]:
    """Incoming letters already here with the same sender reference, date and subject."""
    if not letter.reference or letter.letter_date is None:
        return Letter.objects.none()
    return (
        Letter.objects.filter(
            direction=Direction.INCOMING,
            reference__iexact=letter.reference,
            letter_date=letter.letter_date,
            subject__iexact=letter.subject,
        )
        .exclude(pk=letter.pk)
        .exclude(status=LetterStatus.REJECTED)
    )
