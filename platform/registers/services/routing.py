"""Routing inside the municipality: เกษียน/สั่งการ, forwarding, acknowledging, closing, delegation.

Who may act:
- endorse: an executive, or someone an executive delegated to today (recorded as on_behalf_of);
- forward and close: registry clerks and executives (or their delegates), and the addressees of
  an assignment on the letter (who pass it on further, e.g. a unit clerk to an officer);
- acknowledge and complete: the addressee, a member of the addressed unit, or an active delegate
  of either; the person who really did it is recorded.
Everyone must also be able to see the letter (classified letters only by their named people).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, RoleCode, User
from registers.choices import AssignmentStatus, EndorsementKind, LetterStatus
from registers.errors import InvalidLetter, InvalidState, NotAllowed
from registers.models import Assignment, Delegation, Endorsement, Letter, LetterAccess
from registers.selectors.letters import letter_visible
from registers.selectors.routing import (
    OPEN_STATUSES,
    assignment_acting_for,
    bangkok_today,
    delegator_ids_for,
)
from registers.services.audit import audit_append
from thaiformat.dates import BANGKOK

ROUTING_STATUSES = (LetterStatus.REGISTERED, LetterStatus.IN_PROGRESS)
ROUTER_ROLES = (RoleCode.CENTRAL_CLERK, RoleCode.UNIT_CLERK, RoleCode.EXECUTIVE)
DELEGATION_MANAGER_ROLES = (RoleCode.TENANT_ADMIN, RoleCode.EXECUTIVE)


def _has_any_role(user: Any, codes: tuple[str, ...]) -> bool:
    return bool(user.roles.filter(code__in=codes).exists())


def _executive_delegators(actor: Any) -> list[User]:
    """Executives who delegated to ``actor`` today."""
    return list(
        User.objects.filter(
            pk__in=delegator_ids_for(actor), roles__code=RoleCode.EXECUTIVE
        ).order_by("pk")
    )


def _require_visible(letter: Letter, actor: Any) -> None:
    if not letter_visible(actor, letter):
        raise NotAllowed(_("ท่านไม่มีสิทธิ์เข้าถึงหนังสือนี้"))


def _require_routable(letter: Letter) -> None:
    if letter.status not in ROUTING_STATUSES:
        raise InvalidState(
            _("หนังสือนี้อยู่ในสถานะ %(status)s จึงดำเนินการนี้ไม่ได้"),
            status=letter.get_status_display(),
        )


def _is_router(actor: Any, letter: Letter) -> bool:
    """Clerks and executives route any letter they see; delegates of executives do too; an
    addressee of an open assignment on the letter passes it on."""
    if _has_any_role(actor, ROUTER_ROLES) or _executive_delegators(actor):
        return True
    open_assignments = letter.assignments.filter(status__in=OPEN_STATUSES)
    return any(assignment_acting_for(a, actor) is not None for a in open_assignments)


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": str(user), "position": getattr(user, "position", "")}


def letter_endorse(
    *,
    letter: Letter,
    actor: Any,
    text: str,
    kind: str = EndorsementKind.ENDORSE,
    on_behalf_of: Any = None,
) -> Endorsement:
    """เกษียนหนังสือ / สั่งการ by an executive, or by a delegate acting for one today.

    ``on_behalf_of`` picks the executive when the actor acts for several (or is an executive
    acting for another one); the position is kept as written, since people change posts.
    """
    if kind not in EndorsementKind.values:
        raise InvalidLetter(_("ประเภทการเกษียนไม่ถูกต้อง: %(value)s"), value=kind)
    if not text.strip():
        raise InvalidLetter(_("โปรดระบุข้อความเกษียนหรือข้อสั่งการ"))
    delegators = _executive_delegators(actor)
    if on_behalf_of is not None:
        if on_behalf_of.pk not in {d.pk for d in delegators}:
            raise NotAllowed(_("ท่านไม่ได้รับมอบหมายให้ปฏิบัติราชการแทนผู้นี้ในวันนี้"))
    elif not actor.has_role(RoleCode.EXECUTIVE):
        if not delegators:
            raise NotAllowed(_("เฉพาะผู้บริหารหรือผู้ปฏิบัติราชการแทนเท่านั้นที่เกษียนหนังสือได้"))
        on_behalf_of = delegators[0]
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        _require_visible(letter, actor)
        _require_routable(letter)
        endorsement = Endorsement.objects.create(
            letter=letter,
            kind=kind,
            text=text.strip(),
            author=actor,
            author_position=actor.position,
            on_behalf_of=on_behalf_of,
        )
        audit_append(
            action="routing.endorse",
            actor=actor,
            letter=letter,
            data={
                "endorsement": endorsement.pk,
                "kind": kind,
                "text": endorsement.text,
                "position": endorsement.author_position,
                "on_behalf_of": _person(on_behalf_of) if on_behalf_of is not None else None,
            },
        )
    return endorsement


def letter_forward(
    *,
    letter: Letter,
    actor: Any,
    to_unit_id: int | None = None,
    to_user_id: int | None = None,
    instruction: str = "",
    due_date: date | None = None,
    parent: Assignment | None = None,
) -> Assignment:
    """Forward a registered letter to an org unit and/or an officer (การปฏิบัติ of form 13).

    The letter becomes IN_PROGRESS. A ลับ/ลับมาก letter is opened to the recipient, or to every
    active member of the unit. Without a due date, a "ด่วนภายใน" letter's date is used. Forwarding
    under ``parent`` (passing it on) counts as acknowledging ``parent``.
    """
    if to_unit_id is None and to_user_id is None:
        raise InvalidLetter(_("โปรดระบุหน่วยงานหรือเจ้าหน้าที่ผู้รับ"))
    today = bangkok_today()
    if due_date is not None and due_date < today:
        raise InvalidLetter(_("กำหนดเสร็จต้องไม่ก่อนวันนี้"))
    unit = None
    if to_unit_id is not None:
        unit = OrgUnit.objects.filter(pk=to_unit_id, is_active=True).first()
        if unit is None:
            raise InvalidLetter(_("ไม่พบหน่วยงานผู้รับ หรือหน่วยงานนี้ปิดใช้งานแล้ว"))
    user = None
    if to_user_id is not None:
        user = User.objects.filter(pk=to_user_id, is_active=True).first()
        if user is None:
            raise InvalidLetter(_("ไม่พบเจ้าหน้าที่ผู้รับ หรือบัญชีนี้ปิดใช้งานแล้ว"))
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        _require_visible(letter, actor)
        _require_routable(letter)
        if not _is_router(actor, letter):
            raise NotAllowed(_("ท่านไม่มีสิทธิ์ส่งต่อหนังสือนี้"))
        if parent is not None:
            parent = Assignment.objects.select_for_update().get(pk=parent.pk)
            if parent.letter_id != letter.pk:
                raise InvalidLetter(_("การส่งต่อก่อนหน้าไม่ใช่ของหนังสือฉบับนี้"))
        if due_date is None and letter.urgent_by is not None:
            due_date = letter.urgent_by.astimezone(BANGKOK).date()
        assignment = Assignment.objects.create(
            letter=letter,
            parent=parent,
            to_unit=unit,
            to_user=user,
            instruction=instruction.strip(),
            due_date=due_date,
            assigned_by=actor,
        )
        granted = _open_to_recipients(letter, actor, unit=unit, user=user)
        if letter.status == LetterStatus.REGISTERED:
            letter.status = LetterStatus.IN_PROGRESS
            letter.save(update_fields=["status", "updated_at"])
        if (
            parent is not None
            and parent.status == AssignmentStatus.PENDING
            and assignment_acting_for(parent, actor) is not None
        ):
            _acknowledge(parent, actor)
        audit_append(
            action="routing.forward",
            actor=actor,
            letter=letter,
            data={
                "assignment": assignment.pk,
                "parent": parent.pk if parent is not None else None,
                "to_unit": {"id": unit.pk, "name": unit.name_th} if unit is not None else None,
                "to_user": _person(user) if user is not None else None,
                "instruction": assignment.instruction,
                "due_date": due_date,
                "access_granted": granted,
            },
        )
    return assignment


def _open_to_recipients(
    letter: Letter, actor: Any, *, unit: OrgUnit | None, user: User | None
) -> list[int]:
    """LetterAccess for the recipients of a classified letter; returns the users newly granted."""
    if not letter.is_restricted:
        return []
    people: set[int] = set()
    if user is not None:
        people.add(user.pk)
    if unit is not None:
        people.update(
            User.objects.filter(org_unit=unit, is_active=True).values_list("pk", flat=True)
        )
    granted = []
    for user_id in sorted(people):
        _access, created = LetterAccess.objects.get_or_create(
            letter=letter, user_id=user_id, defaults={"granted_by": actor}
        )
        if created:
            granted.append(user_id)
    return granted


def _acting_for_or_refuse(assignment: Assignment, actor: Any) -> Any:
    acting_for = assignment_acting_for(assignment, actor)
    if acting_for is None:
        raise NotAllowed(_("การส่งต่อนี้ไม่ได้ส่งถึงท่าน หรือท่านไม่ได้ปฏิบัติหน้าที่แทนผู้รับ"))
    _require_visible(assignment.letter, actor)
    return acting_for


def _acknowledge(assignment: Assignment, actor: Any) -> None:
    assignment.status = AssignmentStatus.ACKNOWLEDGED
    assignment.acknowledged_by = actor
    assignment.acknowledged_at = timezone.now()
    assignment.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit_append(
        action="routing.acknowledge",
        actor=actor,
        letter=assignment.letter,
        data={"assignment": assignment.pk, "on_behalf_of": _behalf(assignment, actor)},
    )


def _behalf(assignment: Assignment, actor: Any) -> dict[str, Any] | None:
    acting_for = assignment_acting_for(assignment, actor)
    if acting_for is None or acting_for.pk == actor.pk:
        return None
    return _person(acting_for)


def assignment_acknowledge(*, assignment: Assignment, actor: Any) -> Assignment:
    """รับทราบ: by the addressee, a member of the addressed unit, or a delegate of either."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update().select_related("letter").get(pk=assignment.pk)
        )
        _acting_for_or_refuse(assignment, actor)
        if assignment.status != AssignmentStatus.PENDING:
            raise InvalidState(
                _("การส่งต่อนี้อยู่ในสถานะ %(status)s แล้ว"),
                status=assignment.get_status_display(),
            )
        _acknowledge(assignment, actor)
    return assignment


def assignment_complete(*, assignment: Assignment, actor: Any, note: str = "") -> Assignment:
    """ดำเนินการแล้ว, with what was done. An unacknowledged one is acknowledged at the same time."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update().select_related("letter").get(pk=assignment.pk)
        )
        _acting_for_or_refuse(assignment, actor)
        if assignment.status not in OPEN_STATUSES:
            raise InvalidState(
                _("การส่งต่อนี้อยู่ในสถานะ %(status)s แล้ว"),
                status=assignment.get_status_display(),
            )
        if assignment.status == AssignmentStatus.PENDING:
            _acknowledge(assignment, actor)
        assignment.status = AssignmentStatus.DONE
        assignment.done_by = actor
        assignment.done_at = timezone.now()
        assignment.done_note = note.strip()
        assignment.save(update_fields=["status", "done_by", "done_at", "done_note"])
        audit_append(
            action="routing.complete",
            actor=actor,
            letter=assignment.letter,
            data={
                "assignment": assignment.pk,
                "note": assignment.done_note,
                "on_behalf_of": _behalf(assignment, actor),
            },
        )
    return assignment


def letter_close(
    *, letter: Letter, actor: Any, note: str = "", cancel_open: bool = False
) -> Letter:
    """ปิดเรื่อง: the matter is finished (DONE), ready for storage.

    Refused while assignments are still open, unless ``cancel_open`` cancels them (recorded).
    The moment of closing is the completion from which retention counts.
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        _require_visible(letter, actor)
        _require_routable(letter)
        if not _is_router(actor, letter):
            raise NotAllowed(_("ท่านไม่มีสิทธิ์ปิดเรื่องของหนังสือนี้"))
        still_open = list(letter.assignments.select_for_update().filter(status__in=OPEN_STATUSES))
        if still_open and not cancel_open:
            raise InvalidState(
                _("ยังมีการส่งต่อที่ยังไม่ดำเนินการเสร็จ %(count)s รายการ"), count=len(still_open)
            )
        for assignment in still_open:
            assignment.status = AssignmentStatus.CANCELLED
            assignment.save(update_fields=["status"])
        letter.status = LetterStatus.DONE
        letter.save(update_fields=["status", "updated_at"])
        audit_append(
            action="routing.close",
            actor=actor,
            letter=letter,
            data={"note": note.strip(), "cancelled_assignments": [a.pk for a in still_open]},
        )
    return letter


def _may_manage_delegation(actor: Any, delegator: Any) -> bool:
    return bool(actor.pk == delegator.pk or _has_any_role(actor, DELEGATION_MANAGER_ROLES))


def delegation_create(
    *,
    actor: Any,
    delegator: Any,
    delegate: Any,
    starts_on: date,
    ends_on: date,
    reason: str = "",
) -> Delegation:
    """While ``delegator`` is away, ``delegate`` acts on their tasks (and endorses, for an
    executive). Made by the delegator themself, an executive or the tenant admin."""
    if not _may_manage_delegation(actor, delegator):
        raise NotAllowed(_("ท่านไม่มีสิทธิ์มอบหมายการปฏิบัติหน้าที่แทนผู้นี้"))
    if delegator.pk == delegate.pk:
        raise InvalidLetter(_("ผู้มอบหมายและผู้ปฏิบัติแทนต้องเป็นคนละคนกัน"))
    if not delegate.is_active:
        raise InvalidLetter(_("บัญชีของผู้ปฏิบัติแทนปิดใช้งานแล้ว"))
    if ends_on < starts_on:
        raise InvalidLetter(_("วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"))
    if ends_on < bangkok_today():
        raise InvalidLetter(_("ช่วงเวลาที่มอบหมายสิ้นสุดไปแล้ว"))
    with transaction.atomic():
        overlapping = Delegation.objects.filter(
            delegator=delegator,
            delegate=delegate,
            revoked_at__isnull=True,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        if overlapping.exists():
            raise InvalidState(_("มีการมอบหมายให้ผู้นี้ในช่วงเวลาที่ซ้อนกันอยู่แล้ว"))
        delegation = Delegation.objects.create(
            delegator=delegator,
            delegate=delegate,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
        )
        audit_append(
            action="delegation.create",
            actor=actor,
            data={
                "delegation": delegation.pk,
                "delegator": _person(delegator),
                "delegate": _person(delegate),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "reason": delegation.reason,
            },
        )
    return delegation


def delegation_revoke(*, delegation: Delegation, actor: Any) -> Delegation:
    """End a delegation now (the person is back early); the row stays as the record."""
    with transaction.atomic():
        delegation = (
            Delegation.objects.select_for_update()
            .select_related("delegator", "delegate")
            .get(pk=delegation.pk)
        )
        if not _may_manage_delegation(actor, delegation.delegator):
            raise NotAllowed(_("ท่านไม่มีสิทธิ์ยกเลิกการมอบหมายนี้"))
        if delegation.revoked_at is not None:
            raise InvalidState(_("การมอบหมายนี้ถูกยกเลิกแล้ว"))
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_append(
            action="delegation.revoke",
            actor=actor,
            data={
                "delegation": delegation.pk,
                "delegator": _person(delegation.delegator),
                "delegate": _person(delegation.delegate),
            },
        )
    return delegation
