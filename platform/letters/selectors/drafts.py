"""Reads: which drafts a person sees, who may act on them, and what a draft prints as."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import RoleCode
from letters.choices import EDITABLE, DraftStatus, SigningState
from letters.models import IssuedLetter, LetterDraft
from letters.pdf.content import LetterContent
from registers.agency import current_agency
from registers.choices import Secrecy

# Who approves (signs off) a draft and gives it its number: executives and the tenant admin.
APPROVERS = frozenset({RoleCode.EXECUTIVE, RoleCode.TENANT_ADMIN})
# Who sees every draft of the municipality: approvers and the registry clerks who number letters.
OVERSEERS = APPROVERS | {RoleCode.CENTRAL_CLERK, RoleCode.UNIT_CLERK}


def user_roles(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(user.roles.values_list("code", flat=True))


def can_approve(user: Any) -> bool:
    return bool(user_roles(user) & APPROVERS)


def can_edit(user: Any, draft: LetterDraft) -> bool:
    return draft.status in EDITABLE and draft.created_by_id == user.pk


def drafts_visible(user: Any) -> QuerySet[LetterDraft]:
    """Everyone sees their own drafts; approvers see all; clerks see all but others' classified
    ones (a ลับ / ลับมาก draft is between its author and the approvers)."""
    drafts = LetterDraft.objects.select_related("created_by", "letter")
    roles = user_roles(user)
    if roles & APPROVERS:
        return drafts
    if roles & OVERSEERS:
        return drafts.filter(Q(created_by=user) | Q(secrecy=Secrecy.NORMAL))
    return drafts.filter(created_by=user)


def drafts_awaiting(user: Any) -> QuerySet[LetterDraft]:
    if not can_approve(user):
        return LetterDraft.objects.none()
    return drafts_visible(user).filter(status=DraftStatus.SUBMITTED).order_by("submitted_at")


def draft_content(
    draft: LetterDraft,
    *,
    number: str = "",
    letter_date: date | None = None,
    qr_svg: str = "",
    draft_mark: str = "",
) -> LetterContent:
    return LetterContent(
        kind=draft.kind,
        agency=current_agency().name_th,
        subject=draft.subject,
        body=draft.body,
        addressee=draft.addressee,
        department=draft.department,
        references=draft.references,
        enclosures=draft.enclosures,
        closing=draft.closing,
        signer_name=draft.signer_name,
        signer_position=draft.signer_position,
        contact=draft.contact,
        urgency=draft.urgency,
        secrecy=draft.secrecy,
        thai_digits=draft.thai_digits,
        number=number,
        letter_date=letter_date,
        qr_svg=qr_svg,
        draft_mark=draft_mark,
    )


def issued_by_token(token: str) -> IssuedLetter | None:
    """The issued letter a QR code points at, in this municipality's schema only."""
    if not token or len(token) > 64:
        return None
    return (
        IssuedLetter.objects.select_related("letter")
        .defer("unsigned_pdf")
        .filter(verify_token=token)
        .first()
    )


def issued_awaiting_signature(*, older_than: datetime, limit: int = 500) -> list[int]:
    """Letters approved but still unsigned whose last signing attempt (or approval, if never
    tried) is older than ``older_than``: their task was lost (broker down, worker killed) or its
    retries ran out. The beat sweep queues them again; oldest first."""
    return list(
        IssuedLetter.objects.filter(signing_state=SigningState.PENDING)
        .filter(
            Q(signing_attempted_at__lt=older_than)
            | Q(signing_attempted_at__isnull=True, issued_at__lt=older_than)
        )
        .order_by("issued_at")
        .values_list("pk", flat=True)[:limit]
    )
