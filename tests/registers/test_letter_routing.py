"""Routing: เกษียน/สั่งการ, forwarding, acknowledging (also by a delegate), closing, เรื่องค้าง."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from registers.choices import AssignmentStatus, EndorsementKind, LetterStatus, Secrecy
from registers.errors import InvalidLetter, InvalidState, NotAllowed
from registers.models import Assignment, AuditEntry, Delegation
from registers.selectors.letters import letter_visible
from registers.selectors.routing import bangkok_today, overdue_assignments, tasks_for
from registers.selectors.timeline import letter_timeline
from registers.services import letters as letters_svc
from registers.services import routing as svc
from registers.services.audit import audit_verify
from tests.registers.conftest import letter_input
from tests.registers.helpers_routing import clock_at, registered_letter, staff, unit_id

pytestmark = [pytest.mark.registers, pytest.mark.django_db]


def _audit(letter: Any, action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(letter=letter, action=action).order_by("-seq").first()
    assert entry is not None, action
    return entry


# --- endorsement --------------------------------------------------------------------------


def test_executive_endorses_with_the_position_of_the_day(clerk: Any, executive: Any) -> None:
    letter = registered_letter(clerk)
    endorsement = svc.letter_endorse(
        letter=letter, actor=executive, text="ทราบ มอบกองช่างดำเนินการ", kind=EndorsementKind.ORDER
    )
    assert endorsement.author == executive
    assert endorsement.author_position == "นายกเทศมนตรี"
    assert endorsement.on_behalf_of is None
    assert endorsement.kind == EndorsementKind.ORDER
    data = _audit(letter, "routing.endorse").data
    assert data["text"] == "ทราบ มอบกองช่างดำเนินการ"
    assert data["on_behalf_of"] is None


def test_only_executives_or_their_delegates_endorse(
    in_alpha: Any, clerk: Any, executive: Any
) -> None:
    letter = registered_letter(clerk)
    deputy = staff(in_alpha, "deputy", roles=("officer",), position="ปลัดเทศบาล")
    with pytest.raises(NotAllowed):
        svc.letter_endorse(letter=letter, actor=clerk, text="ทราบ")
    with pytest.raises(NotAllowed):
        svc.letter_endorse(letter=letter, actor=deputy, text="ทราบ")

    today = bangkok_today()
    delegation = svc.delegation_create(
        actor=executive, delegator=executive, delegate=deputy, starts_on=today, ends_on=today
    )
    endorsement = svc.letter_endorse(letter=letter, actor=deputy, text="ทราบ ดำเนินการ")
    assert endorsement.on_behalf_of == executive
    assert endorsement.author_position == "ปลัดเทศบาล"
    assert _audit(letter, "routing.endorse").data["on_behalf_of"]["id"] == executive.pk

    svc.delegation_revoke(delegation=delegation, actor=executive)
    with pytest.raises(NotAllowed):
        svc.letter_endorse(letter=letter, actor=deputy, text="ทราบ")


def test_endorsement_refusals(clerk: Any, executive: Any) -> None:
    letter = registered_letter(clerk)
    with pytest.raises(InvalidLetter):
        svc.letter_endorse(letter=letter, actor=executive, text="   ")
    with pytest.raises(InvalidLetter):
        svc.letter_endorse(letter=letter, actor=executive, text="ทราบ", kind="comment")
    intake = letters_svc.intake_create(data=letter_input(subject="ยังไม่ลงรับ"), actor=clerk)
    with pytest.raises(InvalidState) as refused:
        svc.letter_endorse(letter=intake, actor=executive, text="ทราบ")
    assert " / " in str(refused.value)  # Thai / English


# --- forwarding ---------------------------------------------------------------------------


def test_forward_to_a_unit_puts_the_letter_in_progress(clerk: Any) -> None:
    letter = registered_letter(clerk)
    due = bangkok_today() + timedelta(days=3)
    assignment = svc.letter_forward(
        letter=letter,
        actor=clerk,
        to_unit_id=unit_id("engineering"),
        instruction="ตรวจสอบพื้นที่และรายงาน",
        due_date=due,
    )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.IN_PROGRESS
    assert assignment.status == AssignmentStatus.PENDING
    assert assignment.assigned_by == clerk
    assert assignment.due_date == due
    data = _audit(letter, "routing.forward").data
    assert data["to_unit"]["name"] == "กองช่าง"
    assert data["due_date"] == due.isoformat()


def test_forward_takes_the_date_of_an_urgent_by_letter(clerk: Any) -> None:
    # 20:00 UTC is already the next day in Bangkok.
    urgent_by = datetime.combine(bangkok_today(), datetime.min.time(), tzinfo=UTC) + timedelta(
        days=2, hours=20
    )
    letter = registered_letter(clerk, urgency="most_urgent", urgent_by=urgent_by)
    assignment = svc.letter_forward(letter=letter, actor=clerk, to_unit_id=unit_id("finance"))
    assert assignment.due_date == bangkok_today() + timedelta(days=3)


def test_forward_refusals(in_alpha: Any, clerk: Any) -> None:
    from accounts.models import OrgUnit

    letter = registered_letter(clerk)
    other = registered_letter(clerk)
    officer = staff(in_alpha, "somchai", unit="engineering")
    with pytest.raises(InvalidLetter):
        svc.letter_forward(letter=letter, actor=clerk)
    with pytest.raises(InvalidLetter):
        svc.letter_forward(
            letter=letter,
            actor=clerk,
            to_user_id=officer.pk,
            due_date=bangkok_today() - timedelta(days=1),
        )
    closed = OrgUnit.objects.create(code="closed", name_th="กองที่ยุบแล้ว", is_active=False)
    with pytest.raises(InvalidLetter):
        svc.letter_forward(letter=letter, actor=clerk, to_unit_id=closed.pk)
    intake = letters_svc.intake_create(data=letter_input(subject="รอลงรับ"), actor=clerk)
    with pytest.raises(InvalidState):
        svc.letter_forward(letter=intake, actor=clerk, to_user_id=officer.pk)
    # An officer with no assignment on the letter may not route it.
    with pytest.raises(NotAllowed):
        svc.letter_forward(letter=letter, actor=officer, to_unit_id=unit_id("finance"))
    foreign = svc.letter_forward(letter=other, actor=clerk, to_user_id=officer.pk)
    with pytest.raises(InvalidLetter):
        svc.letter_forward(letter=letter, actor=clerk, to_user_id=officer.pk, parent=foreign)
    assert not Assignment.objects.filter(letter=letter).exists()


def test_forwarding_a_classified_letter_opens_it_to_the_recipients(
    in_alpha: Any, clerk: Any
) -> None:
    letter = registered_letter(clerk, secrecy=Secrecy.CONFIDENTIAL)
    officer = staff(in_alpha, "officer1", unit="finance")
    engineer_a = staff(in_alpha, "engineer_a", unit="engineering")
    engineer_b = staff(in_alpha, "engineer_b", unit="engineering")
    outsider = staff(in_alpha, "outsider", unit="education")
    assert not any(letter_visible(u, letter) for u in (officer, engineer_a, engineer_b))

    direct = svc.letter_forward(letter=letter, actor=clerk, to_user_id=officer.pk)
    assert letter_visible(officer, letter)
    assert not letter_visible(engineer_a, letter)
    assert list(tasks_for(officer)) == [direct]

    svc.letter_forward(letter=letter, actor=clerk, to_unit_id=unit_id("engineering"))
    assert letter_visible(engineer_a, letter) and letter_visible(engineer_b, letter)
    assert not letter_visible(outsider, letter)
    assert sorted(_audit(letter, "routing.forward").data["access_granted"]) == sorted(
        [engineer_a.pk, engineer_b.pk]
    )


def test_passing_on_under_a_parent_acknowledges_it(in_alpha: Any, clerk: Any) -> None:
    unit_clerk = staff(in_alpha, "unitclerk", unit="engineering", roles=("unit_clerk",))
    officer = staff(in_alpha, "builder", unit="engineering")
    letter = registered_letter(clerk)
    to_unit = svc.letter_forward(letter=letter, actor=clerk, to_unit_id=unit_id("engineering"))
    child = svc.letter_forward(
        letter=letter, actor=unit_clerk, to_user_id=officer.pk, parent=to_unit, instruction="ไปดู"
    )
    to_unit.refresh_from_db()
    assert child.parent == to_unit
    assert to_unit.status == AssignmentStatus.ACKNOWLEDGED
    assert to_unit.acknowledged_by == unit_clerk
    # The officer who received it may pass it on further too (an addressee routes).
    grandchild = svc.letter_forward(
        letter=letter, actor=officer, to_user_id=unit_clerk.pk, parent=child
    )
    assert grandchild.parent == child


# --- acknowledging, completing, closing ---------------------------------------------------


def test_a_unit_member_acknowledges_and_is_recorded(in_alpha: Any, clerk: Any) -> None:
    member = staff(in_alpha, "member", unit="engineering")
    outsider = staff(in_alpha, "outsider", unit="finance")
    letter = registered_letter(clerk)
    assignment = svc.letter_forward(letter=letter, actor=clerk, to_unit_id=unit_id("engineering"))
    with pytest.raises(NotAllowed):
        svc.assignment_acknowledge(assignment=assignment, actor=outsider)
    done = svc.assignment_acknowledge(assignment=assignment, actor=member)
    assert done.status == AssignmentStatus.ACKNOWLEDGED
    assert done.acknowledged_by == member and done.acknowledged_at is not None
    with pytest.raises(InvalidState):
        svc.assignment_acknowledge(assignment=assignment, actor=member)


def test_delegate_acts_for_someone_away_until_the_delegation_ends(
    in_alpha: Any, clerk: Any
) -> None:
    away = staff(in_alpha, "away", unit="engineering", first_name="สมศักดิ์", last_name="ไปราชการ")
    stand_in = staff(in_alpha, "standin", unit="finance", first_name="สมหญิง")
    first = svc.letter_forward(letter=registered_letter(clerk), actor=clerk, to_user_id=away.pk)
    with pytest.raises(NotAllowed):
        svc.assignment_acknowledge(assignment=first, actor=stand_in)
    assert first not in tasks_for(stand_in)

    today = bangkok_today()
    delegation = svc.delegation_create(
        actor=away,
        delegator=away,
        delegate=stand_in,
        starts_on=today,
        ends_on=today + timedelta(days=5),
        reason="ไปราชการต่างจังหวัด",
    )
    assert first in tasks_for(stand_in)
    acknowledged = svc.assignment_acknowledge(assignment=first, actor=stand_in)
    assert acknowledged.acknowledged_by == stand_in  # who really did it
    data = _audit(first.letter, "routing.acknowledge").data
    assert data["on_behalf_of"]["id"] == away.pk
    with translation.override("th"):
        texts = [item.text for item in letter_timeline(first.letter)]
    assert "รับทราบ (แทน สมศักดิ์ ไปราชการ)" in texts
    # The unit of the person away is covered too (tasks of their unit).
    unit_task = svc.letter_forward(
        letter=registered_letter(clerk), actor=clerk, to_unit_id=unit_id("engineering")
    )
    assert unit_task in tasks_for(stand_in)

    # The delegation's last day passes: the stand-in no longer can.
    second = svc.letter_forward(letter=registered_letter(clerk), actor=clerk, to_user_id=away.pk)
    Delegation.objects.filter(pk=delegation.pk).update(
        starts_on=today - timedelta(days=6), ends_on=today - timedelta(days=1)
    )
    with pytest.raises(NotAllowed):
        svc.assignment_acknowledge(assignment=second, actor=stand_in)
    assert second not in tasks_for(stand_in)
    # ...and a revoked one ends at once, even inside its dates.
    Delegation.objects.filter(pk=delegation.pk).update(ends_on=today + timedelta(days=1))
    assert second in tasks_for(stand_in)
    svc.delegation_revoke(delegation=delegation, actor=away)
    with pytest.raises(NotAllowed):
        svc.assignment_complete(assignment=second, actor=stand_in)
    with pytest.raises(InvalidState):
        svc.delegation_revoke(delegation=delegation, actor=away)


def test_delegation_refusals(in_alpha: Any, executive: Any) -> None:
    a = staff(in_alpha, "a_person", unit="finance")
    b = staff(in_alpha, "b_person", unit="finance")
    today = bangkok_today()
    with pytest.raises(NotAllowed):  # an officer may not delegate someone else's work
        svc.delegation_create(actor=b, delegator=a, delegate=b, starts_on=today, ends_on=today)
    with pytest.raises(InvalidLetter):
        svc.delegation_create(actor=a, delegator=a, delegate=a, starts_on=today, ends_on=today)
    with pytest.raises(InvalidLetter):
        svc.delegation_create(
            actor=a, delegator=a, delegate=b, starts_on=today, ends_on=today - timedelta(days=1)
        )
    with pytest.raises(InvalidLetter):
        svc.delegation_create(
            actor=a,
            delegator=a,
            delegate=b,
            starts_on=today - timedelta(days=9),
            ends_on=today - timedelta(days=2),
        )
    svc.delegation_create(
        actor=executive, delegator=a, delegate=b, starts_on=today, ends_on=today + timedelta(3)
    )
    with pytest.raises(InvalidState):
        svc.delegation_create(
            actor=a,
            delegator=a,
            delegate=b,
            starts_on=today + timedelta(days=2),
            ends_on=today + timedelta(days=4),
        )
    assert AuditEntry.objects.filter(action="delegation.create").count() == 1


def test_complete_then_close(in_alpha: Any, clerk: Any) -> None:
    officer = staff(in_alpha, "doer", unit="engineering")
    bystander = staff(in_alpha, "bystander", unit="engineering")
    letter = registered_letter(clerk)
    first = svc.letter_forward(letter=letter, actor=clerk, to_user_id=officer.pk)
    second = svc.letter_forward(letter=letter, actor=clerk, to_unit_id=unit_id("finance"))
    with pytest.raises(NotAllowed):
        svc.assignment_complete(assignment=first, actor=bystander)
    finished = svc.assignment_complete(assignment=first, actor=officer, note="ซ่อมถนนแล้ว")
    assert finished.status == AssignmentStatus.DONE
    assert finished.acknowledged_by == officer  # done without a separate รับทราบ
    assert finished.done_by == officer and finished.done_note == "ซ่อมถนนแล้ว"
    with pytest.raises(InvalidState):
        svc.assignment_complete(assignment=first, actor=officer)

    with pytest.raises(NotAllowed):  # no open assignment of theirs, no clerk role
        svc.letter_close(letter=letter, actor=bystander)
    with pytest.raises(InvalidState):  # the finance division has not finished
        svc.letter_close(letter=letter, actor=clerk)
    closed = svc.letter_close(letter=letter, actor=clerk, note="เสร็จสิ้น", cancel_open=True)
    second.refresh_from_db()
    assert closed.status == LetterStatus.DONE
    assert second.status == AssignmentStatus.CANCELLED
    assert _audit(letter, "routing.close").data["cancelled_assignments"] == [second.pk]
    with pytest.raises(InvalidState):
        svc.letter_forward(letter=letter, actor=clerk, to_user_id=officer.pk)
    assert audit_verify().ok


# --- task lists and เรื่องค้าง --------------------------------------------------------------


def test_tasks_for_a_person_and_their_unit(in_alpha: Any, clerk: Any) -> None:
    engineer = staff(in_alpha, "engineer", unit="engineering")
    accountant = staff(in_alpha, "accountant", unit="finance")
    mine = svc.letter_forward(letter=registered_letter(clerk), actor=clerk, to_user_id=engineer.pk)
    unit = svc.letter_forward(
        letter=registered_letter(clerk), actor=clerk, to_unit_id=unit_id("engineering")
    )
    theirs = svc.letter_forward(
        letter=registered_letter(clerk), actor=clerk, to_user_id=accountant.pk
    )
    finished = svc.letter_forward(
        letter=registered_letter(clerk), actor=clerk, to_user_id=engineer.pk
    )
    svc.assignment_complete(assignment=finished, actor=engineer)
    assert set(tasks_for(engineer)) == {mine, unit}
    assert set(tasks_for(accountant)) == {theirs}


def test_overdue_counts_by_the_bangkok_date(in_alpha: Any, clerk: Any) -> None:
    engineer = staff(in_alpha, "engineer", unit="engineering")
    accountant = staff(in_alpha, "accountant", unit="finance")
    due_21 = svc.letter_forward(
        letter=registered_letter(clerk), actor=clerk, to_user_id=engineer.pk
    )
    due_22 = svc.letter_forward(
        letter=registered_letter(clerk), actor=clerk, to_unit_id=unit_id("engineering")
    )
    other_unit = svc.letter_forward(
        letter=registered_letter(clerk), actor=clerk, to_user_id=accountant.pk
    )
    done = svc.letter_forward(letter=registered_letter(clerk), actor=clerk, to_user_id=engineer.pk)
    Assignment.objects.filter(pk__in=[due_21.pk, other_unit.pk, done.pk]).update(
        due_date=date(2026, 11, 21)
    )
    Assignment.objects.filter(pk=due_22.pk).update(due_date=date(2026, 11, 22))
    svc.assignment_complete(assignment=done, actor=engineer)

    # 23:30 UTC on 21 Nov is 06:30 on 22 Nov in Bangkok: work due on the 21st is overdue.
    with clock_at(datetime(2026, 11, 21, 23, 30, tzinfo=UTC)):
        assert set(overdue_assignments()) == {due_21, other_unit}
        assert set(overdue_assignments(user=engineer)) == {due_21}
        assert set(overdue_assignments(unit_id=unit_id("finance"))) == {other_unit}
    # 16:30 UTC on 21 Nov is 23:30 on the 21st in Bangkok: nothing is overdue yet.
    with clock_at(datetime(2026, 11, 21, 16, 30, tzinfo=UTC)):
        assert not overdue_assignments().exists()
    assert set(overdue_assignments(today=date(2026, 11, 23))) == {due_21, due_22, other_unit}
    assert set(overdue_assignments(unit_id=unit_id("engineering"), today=date(2026, 11, 23))) == {
        due_21,
        due_22,
    }


# --- timeline -----------------------------------------------------------------------------


def test_timeline_tells_the_story_in_thai(in_alpha: Any, clerk: Any, executive: Any) -> None:
    engineer = staff(in_alpha, "engineer", unit="engineering", first_name="วิศวะ")
    letter = letters_svc.intake_create(
        data=letter_input(subject="ขอให้ซ่อมถนน", channel="email"), actor=clerk
    )
    entry = letters_svc.letter_register_incoming(letter=letter, actor=clerk)
    svc.letter_endorse(letter=letter, actor=executive, text="มอบกองช่างดำเนินการ")
    due = bangkok_today() + timedelta(days=7)
    assignment = svc.letter_forward(
        letter=letter,
        actor=clerk,
        to_unit_id=unit_id("engineering"),
        instruction="สำรวจและซ่อม",
        due_date=due,
    )
    svc.assignment_acknowledge(assignment=assignment, actor=engineer)
    svc.assignment_complete(assignment=assignment, actor=engineer, note="ซ่อมแล้ว")
    svc.letter_close(letter=letter, actor=clerk)

    from thaiformat.dates import format_thai_date

    with translation.override("th"):
        timeline = letter_timeline(letter)
    assert [item.text for item in timeline] == [
        "รับเข้าระบบ (รอลงรับ) ทางอีเมล",
        f"ลงรับ เลขรับ {entry.number}/{entry.period}",
        "เกษียนหนังสือ: มอบกองช่างดำเนินการ",
        f"ส่งต่อถึง กองช่าง: สำรวจและซ่อม (กำหนดเสร็จ {format_thai_date(due)})",
        "รับทราบ",
        "ดำเนินการแล้ว: ซ่อมแล้ว",
        "ปิดเรื่อง (ดำเนินการเสร็จ)",
    ]
    assert [item.action for item in timeline][:2] == ["intake.create", "register.receive"]
    assert timeline[2].actor_name == str(executive)
    assert timeline[4].actor_name == str(engineer) == "วิศวะ"
    assert [item.at for item in timeline] == sorted(item.at for item in timeline)
