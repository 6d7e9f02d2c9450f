"""Writes of the drafting workflow: draft -> submitted -> returned or approved (issued).

Each function runs in one transaction and appends to the municipality's audit chain. Approval
lives in ``services.issuing`` (it numbers, renders and stores the letter).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from letters.choices import EDITABLE, DraftStatus
from letters.errors import DraftNotAllowed, DraftStateError, InvalidDraft
from letters.inputs import DraftInput
from letters.models import LetterDraft
from letters.selectors.drafts import can_approve
from registers.services.audit import audit_append


def _fields(data: DraftInput) -> dict[str, Any]:
    values = dataclasses.asdict(data)
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip() if name not in ("body",) else value.strip("\n")
    return values


def draft_create(*, data: DraftInput, actor: Any) -> LetterDraft:
    data.validate()
    with transaction.atomic():
        draft = LetterDraft.objects.create(created_by=actor, **_fields(data))
        audit_append(
            action="draft.create", actor=actor, data={"draft": draft.pk, "kind": draft.kind}
        )
    return draft


def _locked(draft: LetterDraft) -> LetterDraft:
    return LetterDraft.objects.select_for_update().get(pk=draft.pk)


def draft_update(*, draft: LetterDraft, data: DraftInput, actor: Any) -> LetterDraft:
    """Only the author edits, and only while it is a draft or was returned."""
    data.validate()
    with transaction.atomic():
        draft = _locked(draft)
        if draft.created_by_id != actor.pk:
            raise DraftNotAllowed(_("แก้ไขได้เฉพาะผู้จัดทำร่างหนังสือ"))
        if draft.status not in EDITABLE:
            raise DraftStateError(_("ร่างนี้เสนอลงนามหรือออกเลขแล้ว แก้ไขไม่ได้"))
        for name, value in _fields(data).items():
            setattr(draft, name, value)
        draft.save()
        audit_append(action="draft.update", actor=actor, data={"draft": draft.pk})
    return draft


def draft_submit(*, draft: LetterDraft, actor: Any) -> LetterDraft:
    """เสนอลงนาม: the author sends the draft to the approvers."""
    with transaction.atomic():
        draft = _locked(draft)
        if draft.created_by_id != actor.pk:
            raise DraftNotAllowed(_("เสนอได้เฉพาะผู้จัดทำร่างหนังสือ"))
        if draft.status not in EDITABLE:
            raise DraftStateError(_("ร่างนี้เสนอลงนามหรือออกเลขแล้ว"))
        draft.status = DraftStatus.SUBMITTED
        draft.submitted_at = timezone.now()
        draft.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_append(action="draft.submit", actor=actor, data={"draft": draft.pk})
    return draft


def draft_return(*, draft: LetterDraft, actor: Any, comment: str) -> LetterDraft:
    """ส่งกลับแก้ไข: an approver returns the draft to its author with a comment."""
    if not can_approve(actor):
        raise DraftNotAllowed(_("เฉพาะผู้บริหารหรือผู้ดูแลระบบของหน่วยงานที่ส่งกลับร่างหนังสือได้"))
    if not comment.strip():
        raise InvalidDraft(_("โปรดระบุความเห็นที่ให้แก้ไข"))
    with transaction.atomic():
        draft = _locked(draft)
        if draft.status != DraftStatus.SUBMITTED:
            raise DraftStateError(_("ร่างนี้ไม่ได้อยู่ระหว่างเสนอลงนาม"))
        draft.status = DraftStatus.RETURNED
        draft.return_comment = comment.strip()
        draft.decided_by = actor
        draft.decided_at = timezone.now()
        draft.save(
            update_fields=["status", "return_comment", "decided_by", "decided_at", "updated_at"]
        )
        audit_append(
            action="draft.return",
            actor=actor,
            data={"draft": draft.pk, "comment": draft.return_comment},
        )
    return draft
