"""Storage, retention and destruction: forms 19/20, 25 and 21, and every refusal on the way."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation

from registers.choices import (
    ArchivesAnswer,
    DestructionDecision,
    DestructionStatus,
    LetterStatus,
    RetentionClass,
    Secrecy,
)
from registers.errors import InvalidLetter, InvalidState, NotAllowed
from registers.models import Attachment, AuditEntry, DestructionList, StorageRecord
from registers.selectors.retention import (
    letters_due_for_destruction,
    letters_due_for_handover,
    storage_records,
)
from registers.selectors.timeline import letter_timeline
from registers.services import retention as svc
from registers.services.audit import audit_verify
from registers.services.numbering import period_for
from tests.registers.helpers_routing import (
    done_letter,
    registered_letter,
    staff,
    stored_letter,
)
from thaiformat.dates import BANGKOK, be_year

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

THIS_YEAR = be_year(timezone.now())
LAST_YEAR = THIS_YEAR - 1
# A routine matter (1 year) finished two years ago: retention ended with last year.
TWO_YEARS_AGO = date(THIS_YEAR - 543 - 2, 6, 15)
COMMITTEE: dict[str, Any] = {
    "chair": ("นายประธาน ใจดี", "ปลัดเทศบาล"),
    "members": [("นางกรรมการ หนึ่ง", "หัวหน้าสำนักปลัด"), ("นายกรรมการ สอง", "ผู้อำนวยการกองคลัง")],
}


# --- storing (forms 19 and 20) ------------------------------------------------------------


def test_store_numbers_items_per_year_and_computes_keep_until(clerk: Any) -> None:
    finished = date(2026, 3, 1)  # BE 2569: retention counts from 2570
    cases = {
        RetentionClass.TEN_YEARS: 2579,
        RetentionClass.ONE_YEAR: 2570,
        RetentionClass.FIVE_YEARS: 2574,
        RetentionClass.PERMANENT: None,
    }
    records = []
    for retention_class, keep_until in cases.items():
        letter = stored_letter(clerk, finished_on=finished, retention_class=retention_class)
        assert letter.status == LetterStatus.STORED
        assert letter.storage.keep_until_year == keep_until
        records.append(letter.storage)
    law = stored_letter(
        clerk,
        finished_on=finished,
        retention_class=RetentionClass.OTHER_LAW,
        retention_law="ระเบียบกระทรวงมหาดไทยว่าด้วยการเงิน",
        retention_years=7,
    )
    assert law.storage.keep_until_year == 2576
    period = period_for(timezone.now())
    assert [r.item_number for r in records] == [1, 2, 3, 4]
    assert {r.period for r in records} == {period}
    assert law.storage.file_code == "2.1"
    data = AuditEntry.objects.filter(letter=law, action="retention.store").get().data
    assert data["finished_on"] == "2026-03-01" and data["keep_until_year"] == 2576


def test_store_item_numbers_restart_in_the_new_bangkok_year(clerk: Any) -> None:
    before = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 in Bangkok, BE 2569
    after = datetime(2026, 12, 31, 17, 1, tzinfo=UTC)  # 00:01 on 1 Jan, BE 2570
    finished = date(2026, 3, 1)
    first = svc.letter_store(
        letter=done_letter(clerk), actor=clerk, at=before, finished_on=finished
    )
    second = svc.letter_store(
        letter=done_letter(clerk), actor=clerk, at=after, finished_on=finished
    )
    third = svc.letter_store(letter=done_letter(clerk), actor=clerk, at=after, finished_on=finished)
    assert (first.period, second.period, third.period) == (2569, 2570, 2570)
    assert second.item_number == 1 and third.item_number == 2


def test_completion_defaults_to_the_day_the_matter_was_closed(clerk: Any) -> None:
    record = svc.letter_store(letter=done_letter(clerk), actor=clerk)
    assert record.keep_until_year == THIS_YEAR + 10


def test_store_refusals(in_alpha: Any, clerk: Any) -> None:
    officer = staff(in_alpha, "officer", unit="finance")
    with pytest.raises(InvalidState):  # not finished yet
        svc.letter_store(letter=registered_letter(clerk), actor=clerk)
    letter = done_letter(clerk)
    with pytest.raises(NotAllowed):
        svc.letter_store(letter=letter, actor=officer)
    with pytest.raises(InvalidLetter):  # finished after it was stored?
        svc.letter_store(
            letter=letter,
            actor=clerk,
            at=datetime(2026, 1, 1, tzinfo=UTC),
            finished_on=date(2026, 6, 1),
        )
    no_years = done_letter(
        clerk, retention_class=RetentionClass.OTHER_LAW, retention_law="กฎหมายเฉพาะ"
    )
    with pytest.raises(InvalidLetter):
        svc.letter_store(letter=no_years, actor=clerk)
    svc.letter_store(letter=letter, actor=clerk)
    with pytest.raises(InvalidState):
        svc.letter_store(letter=letter, actor=clerk)
    assert StorageRecord.objects.count() == 1


def test_storage_records_between_bangkok_dates(clerk: Any) -> None:
    late = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # 00:30 on 21 Nov in Bangkok
    record = svc.letter_store(
        letter=done_letter(clerk), actor=clerk, at=late, finished_on=date(2026, 11, 1)
    )
    assert list(storage_records(date(2026, 11, 21), date(2026, 11, 21))) == [record]
    assert not storage_records(date(2026, 11, 20), date(2026, 11, 20)).exists()
    assert list(storage_records()) == [record]


# --- destruction (form 25) ----------------------------------------------------------------


def _pdf_paths(letter: Any) -> list[str]:
    return [a.file.name for a in letter.attachments.all()]


def test_the_full_destruction_trail(
    in_alpha: Any, clerk: Any, executive: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage

    routine = [
        stored_letter(
            clerk,
            finished_on=TWO_YEARS_AGO,
            retention_class=RetentionClass.ONE_YEAR,
            with_file=True,
        )
        for _ in range(3)
    ]
    permanent = stored_letter(
        clerk, finished_on=date(2010, 1, 5), retention_class=RetentionClass.PERMANENT
    )
    not_due = stored_letter(clerk, finished_on=TWO_YEARS_AGO)  # ten years
    files = {letter.pk: _pdf_paths(letter) for letter in routine}
    assert all(default_storage.exists(p) for paths in files.values() for p in paths)

    assert list(letters_due_for_destruction(LAST_YEAR)) == routine
    with pytest.raises(InvalidState):  # the year has not ended
        svc.destruction_list_create(year=THIS_YEAR, actor=clerk)
    with pytest.raises(NotAllowed):
        svc.destruction_list_create(year=LAST_YEAR, actor=executive)
    dlist = svc.destruction_list_create(year=LAST_YEAR, actor=clerk)
    items = list(dlist.items.order_by("item_number"))
    assert [i.item_number for i in items] == [1, 2, 3]
    assert [i.letter_id for i in items] == [letter.pk for letter in routine]
    assert permanent.pk not in {i.letter_id for i in items}
    assert not_due.pk not in {i.letter_id for i in items}
    with pytest.raises(InvalidState):  # already on a list in progress
        svc.destruction_list_create(year=LAST_YEAR, actor=clerk)

    # The committee comes first, a chair and at least two members.
    with pytest.raises(InvalidState):
        svc.destruction_item_decide(item=items[0], actor=clerk, decision="destroy")
    with pytest.raises(InvalidLetter):
        svc.destruction_committee_set(
            destruction_list=dlist, actor=clerk, chair=COMMITTEE["chair"], members=[("หนึ่ง", "")]
        )
    with pytest.raises(InvalidLetter):
        svc.destruction_committee_set(
            destruction_list=dlist, actor=clerk, chair=("", ""), members=COMMITTEE["members"]
        )
    svc.destruction_committee_set(destruction_list=dlist, actor=clerk, **COMMITTEE)
    assert dlist.committee.count() == 3

    # Nothing moves on before every item is decided.
    with pytest.raises(InvalidState):
        svc.destruction_list_send(destruction_list=dlist, actor=clerk, reference="ขก 72101/1")
    with pytest.raises(InvalidState):
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)
    with pytest.raises(InvalidLetter):  # keeping needs a later year
        svc.destruction_item_decide(item=items[2], actor=clerk, decision="keep")
    with pytest.raises(InvalidLetter):
        svc.destruction_item_decide(
            item=items[2], actor=clerk, decision="keep", keep_until_year=LAST_YEAR
        )
    with pytest.raises(InvalidLetter):
        svc.destruction_item_decide(
            item=items[0], actor=clerk, decision="destroy", keep_until_year=THIS_YEAR + 5
        )
    with pytest.raises(InvalidLetter):
        svc.destruction_item_decide(item=items[0], actor=clerk, decision="pending")
    svc.destruction_item_decide(item=items[0], actor=clerk, decision="destroy")
    svc.destruction_item_decide(item=items[1], actor=clerk, decision="destroy")
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.DRAFT
    svc.destruction_item_decide(
        item=items[2],
        actor=clerk,
        decision="keep",
        keep_until_year=THIS_YEAR + 5,
        remarks="ใช้อ้างอิง",
    )
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.DECIDED
    with pytest.raises(InvalidState):
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)

    # Sent to the National Archives 61 days ago; they never answered.
    with pytest.raises(InvalidLetter):
        svc.destruction_list_send(destruction_list=dlist, actor=clerk, reference="  ")
    sent_at = timezone.now() - timedelta(days=61)
    svc.destruction_list_send(
        destruction_list=dlist, actor=clerk, reference="ขก 72101/99", at=sent_at
    )
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.SENT_TO_ARCHIVES
    with pytest.raises(InvalidState):  # decisions are frozen once sent
        svc.destruction_item_decide(
            item=items[0], actor=clerk, decision="keep", keep_until_year=9999
        )
    with pytest.raises(InvalidState):
        svc.destruction_committee_set(destruction_list=dlist, actor=clerk, **COMMITTEE)
    with pytest.raises(InvalidState):
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)
    sent_on = sent_at.astimezone(BANGKOK).date()
    with pytest.raises(InvalidState):
        svc.destruction_list_record_answer(
            destruction_list=dlist,
            actor=clerk,
            answer=ArchivesAnswer.NO_ANSWER_60_DAYS,
            answered_on=sent_on + timedelta(days=59),
        )
    svc.destruction_list_record_answer(
        destruction_list=dlist,
        actor=clerk,
        answer=ArchivesAnswer.NO_ANSWER_60_DAYS,
        answered_on=sent_on + timedelta(days=60),
    )
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.APPROVED
    with pytest.raises(InvalidState):
        svc.destruction_list_record_answer(
            destruction_list=dlist,
            actor=clerk,
            answer=ArchivesAnswer.NO_OBJECTION,
            answered_on=sent_on + timedelta(days=60),
        )
    with pytest.raises(NotAllowed):
        svc.destruction_list_destroy(destruction_list=dlist, actor=executive)

    # A destruction that fails after its changes leaves every file in place.
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)
        raise RuntimeError("the commit did not happen")
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.APPROVED
    for paths in files.values():
        assert all(default_storage.exists(p) for p in paths)

    with django_capture_on_commit_callbacks(execute=True):
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.DESTROYED
    assert dlist.destroyed_by == clerk and dlist.destroyed_at is not None
    for letter in routine[:2]:
        letter.refresh_from_db()
        assert letter.status == LetterStatus.DESTROYED
        assert letter.subject  # the record stays
        assert StorageRecord.objects.filter(letter=letter).exists()
        attachments = list(Attachment.objects.filter(letter=letter))
        assert attachments and all(a.removed_at is not None for a in attachments)
        assert not any(default_storage.exists(p) for p in files[letter.pk])
        data = AuditEntry.objects.get(letter=letter, action="retention.destroy").data
        assert data["sent_reference"] == "ขก 72101/99"
        assert [f["sha256"] for f in data["files"]] == [a.sha256 for a in attachments]
    kept = routine[2]
    kept.refresh_from_db()
    assert kept.status == LetterStatus.STORED
    assert kept.storage.keep_until_year == THIS_YEAR + 5
    assert all(default_storage.exists(p) for p in files[kept.pk])
    assert Attachment.objects.filter(letter=kept, removed_at__isnull=True).exists()
    with pytest.raises(InvalidState):
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)

    # The kept letter comes back when its new year is reached; destroyed ones never do.
    assert list(letters_due_for_destruction(THIS_YEAR + 5)) == [kept]
    assert list(letters_due_for_destruction(THIS_YEAR + 8)) == [kept, not_due]
    with translation.override("th"):
        texts = [item.text for item in letter_timeline(routine[0])]
    assert f"อยู่ในบัญชีหนังสือขอทำลาย พ.ศ. {LAST_YEAR} ลำดับที่ 1" in texts
    assert "คณะกรรมการพิจารณา: ทำลาย" in texts
    assert f"ทำลายแล้ว ตามบัญชีหนังสือขอทำลาย พ.ศ. {LAST_YEAR} (ลบไฟล์ 1 ไฟล์)" in texts
    assert audit_verify().ok


def _decided_list(clerk: Any, letters: int = 2) -> DestructionList:
    for _ in range(letters):
        stored_letter(clerk, finished_on=TWO_YEARS_AGO, retention_class=RetentionClass.ONE_YEAR)
    dlist = svc.destruction_list_create(year=LAST_YEAR, actor=clerk)
    svc.destruction_committee_set(destruction_list=dlist, actor=clerk, **COMMITTEE)
    for item in dlist.items.all():
        svc.destruction_item_decide(item=item, actor=clerk, decision=DestructionDecision.DESTROY)
    dlist.refresh_from_db()
    return dlist


def test_archives_answer_dates_are_checked(clerk: Any) -> None:
    dlist = _decided_list(clerk)
    sent_at = timezone.now() - timedelta(days=10)
    svc.destruction_list_send(
        destruction_list=dlist, actor=clerk, reference="ขก 72101/5", at=sent_at
    )
    sent_on = sent_at.astimezone(BANGKOK).date()
    today = timezone.now().astimezone(BANGKOK).date()
    with pytest.raises(InvalidState) as silence:
        svc.destruction_list_record_answer(
            destruction_list=dlist,
            actor=clerk,
            answer=ArchivesAnswer.NO_ANSWER_60_DAYS,
            answered_on=today,
        )
    assert "60" in str(silence.value)
    with pytest.raises(InvalidLetter):
        svc.destruction_list_record_answer(
            destruction_list=dlist,
            actor=clerk,
            answer=ArchivesAnswer.NO_OBJECTION,
            answered_on=sent_on - timedelta(days=1),
        )
    with pytest.raises(InvalidLetter):
        svc.destruction_list_record_answer(
            destruction_list=dlist,
            actor=clerk,
            answer=ArchivesAnswer.NO_OBJECTION,
            answered_on=today + timedelta(days=1),
        )
    with pytest.raises(InvalidLetter):
        svc.destruction_list_record_answer(
            destruction_list=dlist, actor=clerk, answer="maybe", answered_on=today
        )
    svc.destruction_list_record_answer(
        destruction_list=dlist, actor=clerk, answer=ArchivesAnswer.NO_OBJECTION, answered_on=today
    )
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.APPROVED
    assert dlist.archives_answered_at == today


def test_an_objection_sends_the_list_back_to_the_committee(clerk: Any) -> None:
    dlist = _decided_list(clerk)
    first, second = list(dlist.items.order_by("item_number"))
    with pytest.raises(InvalidState):  # not sent yet
        svc.destruction_list_record_answer(
            destruction_list=dlist,
            actor=clerk,
            answer=ArchivesAnswer.OBJECTION,
            answered_on=timezone.localdate(),
            note="x",
        )
    svc.destruction_list_send(destruction_list=dlist, actor=clerk, reference="ขก 72101/7")
    today = timezone.now().astimezone(BANGKOK).date()
    with pytest.raises(InvalidLetter):  # what did they object to?
        svc.destruction_list_record_answer(
            destruction_list=dlist, actor=clerk, answer=ArchivesAnswer.OBJECTION, answered_on=today
        )
    svc.destruction_list_record_answer(
        destruction_list=dlist,
        actor=clerk,
        answer=ArchivesAnswer.OBJECTION,
        answered_on=today,
        note="ลำดับที่ 2 มีคุณค่าทางประวัติศาสตร์ ให้เก็บไว้",
    )
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.OBJECTED
    with pytest.raises(InvalidState):
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)
    svc.destruction_item_decide(
        item=second, actor=clerk, decision="keep", keep_until_year=THIS_YEAR + 30
    )
    dlist.refresh_from_db()
    assert dlist.status == DestructionStatus.DECIDED
    svc.destruction_list_send(destruction_list=dlist, actor=clerk, reference="ขก 72101/8")
    dlist.refresh_from_db()
    assert dlist.archives_answer == "" and dlist.sent_reference == "ขก 72101/8"
    svc.destruction_list_record_answer(
        destruction_list=dlist, actor=clerk, answer=ArchivesAnswer.NO_OBJECTION, answered_on=today
    )
    svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)
    first.letter.refresh_from_db()
    second.letter.refresh_from_db()
    assert first.letter.status == LetterStatus.DESTROYED
    assert second.letter.status == LetterStatus.STORED
    actions = list(
        AuditEntry.objects.filter(action__startswith="retention.destruction_list_send").values_list(
            "data__reference", flat=True
        )
    )
    assert actions == ["ขก 72101/7", "ขก 72101/8"]


def test_destruction_rechecks_each_letter_at_the_last_moment(clerk: Any) -> None:
    dlist = _decided_list(clerk, letters=1)
    svc.destruction_list_send(destruction_list=dlist, actor=clerk, reference="ขก 72101/9")
    svc.destruction_list_record_answer(
        destruction_list=dlist,
        actor=clerk,
        answer=ArchivesAnswer.NO_OBJECTION,
        answered_on=timezone.now().astimezone(BANGKOK).date(),
    )
    item = dlist.items.get()
    # Someone made the letter permanent meanwhile (e.g. by a correction): it must not go.
    StorageRecord.objects.filter(letter_id=item.letter_id).update(keep_until_year=None)
    with pytest.raises(InvalidState):
        svc.destruction_list_destroy(destruction_list=dlist, actor=clerk)
    item.letter.refresh_from_db()
    assert item.letter.status == LetterStatus.STORED
    assert not AuditEntry.objects.filter(action="retention.destroy").exists()


def test_nothing_to_list(clerk: Any) -> None:
    stored_letter(clerk, finished_on=TWO_YEARS_AGO, retention_class=RetentionClass.PERMANENT)
    with pytest.raises(InvalidState):
        svc.destruction_list_create(year=LAST_YEAR, actor=clerk)
    with pytest.raises(InvalidState):
        svc.handover_list_create(year=LAST_YEAR, actor=clerk)


# --- handover of 20-year-old letters (form 21) --------------------------------------------


def test_handover_of_letters_twenty_years_old(in_alpha: Any, clerk: Any) -> None:
    old_ce = LAST_YEAR - 543 - 20  # made 20 years before the end of last year
    old = stored_letter(
        clerk,
        finished_on=date(old_ce, 5, 1),
        letter_date=date(old_ce, 4, 1),
        retention_class=RetentionClass.PERMANENT,
    )
    young = stored_letter(
        clerk,
        finished_on=date(old_ce + 1, 5, 1),
        letter_date=date(old_ce + 1, 1, 2),
        retention_class=RetentionClass.PERMANENT,
    )
    secret = stored_letter(
        clerk,
        finished_on=date(old_ce, 5, 1),
        letter_date=date(old_ce, 4, 1),
        retention_class=RetentionClass.PERMANENT,
        secrecy=Secrecy.CONFIDENTIAL,
    )
    unfinished = registered_letter(clerk, letter_date=date(old_ce, 4, 1))
    assert list(letters_due_for_handover(LAST_YEAR)) == [old]
    with pytest.raises(InvalidState):
        svc.handover_list_create(year=THIS_YEAR, actor=clerk)
    with pytest.raises(NotAllowed):
        svc.handover_list_create(year=LAST_YEAR, actor=staff(in_alpha, "o", unit="finance"))
    hlist = svc.handover_list_create(year=LAST_YEAR, actor=clerk)
    assert [(i.item_number, i.letter_id) for i in hlist.items.all()] == [(1, old.pk)]
    with pytest.raises(InvalidState):  # already listed
        svc.handover_list_create(year=LAST_YEAR, actor=clerk)
    at = timezone.now()
    svc.handover_list_complete(handover_list=hlist, actor=clerk, at=at)
    old.refresh_from_db()
    assert old.status == LetterStatus.HANDED_OVER
    hlist.refresh_from_db()
    assert hlist.handed_over_at == at
    with pytest.raises(InvalidState):
        svc.handover_list_complete(handover_list=hlist, actor=clerk)
    for letter in (young, secret, unfinished):
        letter.refresh_from_db()
        assert letter.status != LetterStatus.HANDED_OVER
    with translation.override("th"):
        texts = [item.text for item in letter_timeline(old)]
    assert texts[-1] == "ส่งมอบหอจดหมายเหตุแห่งชาติแล้ว"
