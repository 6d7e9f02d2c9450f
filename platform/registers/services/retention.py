"""Storage, retention and destruction, as the regulation lays them out (clauses 52-70).

- Storing (forms 19/20): a finished letter gets an item number of the BE year it is stored in and
  a "เก็บถึง พ.ศ." year: retention counts from the year after the matter was finished, so a matter
  finished in 2569 kept 10 years is kept until the end of 2579.
- Destruction (form 25): after a year ends, the letters whose retention ended go on a list; a
  committee (a chair and at least two members) decides item by item; the list goes to the
  National Archives; only after they raise no objection (or do not answer within 60 days) are
  the files removed. The letter's metadata stays, marked destroyed. An objection sends the list
  back to the committee, which revises and sends it again.
- Handover (form 21): letters 20 years old go to the National Archives.
Every step is in the audit trail, per letter where a letter changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleCode
from registers.choices import (
    RETENTION_YEARS,
    ArchivesAnswer,
    CommitteeRole,
    DestructionDecision,
    DestructionStatus,
    LetterStatus,
    RetentionClass,
)
from registers.errors import InvalidLetter, InvalidState, NotAllowed
from registers.models import (
    Attachment,
    AuditEntry,
    DestructionCommitteeMember,
    DestructionItem,
    DestructionList,
    HandoverItem,
    HandoverList,
    Letter,
    StorageRecord,
)
from registers.search.indexing import letter_reindex
from registers.selectors.letters import letter_visible
from registers.selectors.retention import letters_due_for_destruction, letters_due_for_handover
from registers.services.audit import audit_append
from registers.services.numbering import numbers_take, period_for
from thaiformat.dates import BANGKOK, be_year, format_thai_date

STORAGE_SEQUENCE = "storage"
STORING_ROLES = (RoleCode.CENTRAL_CLERK, RoleCode.UNIT_CLERK, RoleCode.TENANT_ADMIN)
# Destruction and handover are the central registry's work.
ARCHIVING_ROLES = (RoleCode.CENTRAL_CLERK, RoleCode.TENANT_ADMIN)
ARCHIVES_SILENCE_DAYS = 60
COMMITTEE_MIN_MEMBERS = 2
EDITABLE_LIST_STATUSES = (
    DestructionStatus.DRAFT,
    DestructionStatus.DECIDED,
    DestructionStatus.OBJECTED,
)
# First key of pg_advisory_xact_lock(int, int): one list is made at a time per schema.
_LIST_LOCK = 72_002


def _require_role(actor: Any, codes: tuple[str, ...]) -> None:
    if actor is None or not actor.roles.filter(code__in=codes).exists():
        raise NotAllowed(_("ท่านไม่มีสิทธิ์ดำเนินการเก็บรักษาและทำลายหนังสือ"))


def _lock_lists() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [_LIST_LOCK])


def _current_be_year() -> int:
    return be_year(timezone.now())


def _require_year_ended(year: int) -> None:
    if year >= _current_be_year():
        raise InvalidState(_("จัดทำบัญชีได้เมื่อสิ้นปี พ.ศ. %(year)s แล้วเท่านั้น"), year=year)


def _finished_on(letter: Letter, fallback: datetime) -> date:
    """When the matter was finished: the last closing in the trail, else the moment of storing."""
    closed = (
        AuditEntry.objects.filter(letter=letter, action="routing.close")
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    )
    return (closed or fallback).astimezone(BANGKOK).date()


def retention_keep_until(letter: Letter, finished_on: date) -> int | None:
    """The last BE year of keeping; None for permanent (ห้ามทำลาย)."""
    if letter.retention_class == RetentionClass.PERMANENT:
        return None
    if letter.retention_class == RetentionClass.OTHER_LAW:
        years = letter.retention_years
        if not years:
            raise InvalidLetter(_("โปรดระบุจำนวนปีที่ต้องเก็บตามกฎหมายที่กำหนด"))
    else:
        years = RETENTION_YEARS[letter.retention_class]
        assert years is not None
    return be_year(finished_on) + years


def letter_store(
    *,
    letter: Letter,
    actor: Any,
    file_code: str = "",
    remarks: str = "",
    at: datetime | None = None,
    finished_on: date | None = None,
) -> StorageRecord:
    """ส่งเก็บ: a finished letter enters the storage register (forms 19 and 20).

    ``finished_on`` overrides the completion date (old paper files entered later); by default
    it is the day the matter was closed.
    """
    _require_role(actor, STORING_ROLES)
    at = at or timezone.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if not letter_visible(actor, letter):
            raise NotAllowed(_("ท่านไม่มีสิทธิ์เข้าถึงหนังสือนี้"))
        if letter.status != LetterStatus.DONE:
            raise InvalidState(_("เก็บได้เฉพาะหนังสือที่ดำเนินการเสร็จแล้ว"))
        finished_on = finished_on or _finished_on(letter, at)
        if finished_on > at.astimezone(BANGKOK).date():
            raise InvalidLetter(_("วันที่ดำเนินการเสร็จต้องไม่หลังวันที่เก็บ"))
        keep_until_year = retention_keep_until(letter, finished_on)
        period = period_for(at)
        (item_number,) = numbers_take(STORAGE_SEQUENCE, period)
        record = StorageRecord.objects.create(
            letter=letter,
            period=period,
            item_number=item_number,
            file_code=file_code.strip(),
            keep_until_year=keep_until_year,
            remarks=remarks.strip(),
            stored_at=at,
            stored_by=actor,
        )
        letter.status = LetterStatus.STORED
        letter.save(update_fields=["status", "updated_at"])
        audit_append(
            action="retention.store",
            actor=actor,
            letter=letter,
            data={
                "period": period,
                "item_number": item_number,
                "file_code": record.file_code,
                "retention_class": letter.retention_class,
                "finished_on": finished_on,
                "keep_until_year": keep_until_year,
                "remarks": record.remarks,
                "at": at.isoformat(),
            },
        )
    return record


# --- destruction (form 25) -----------------------------------------------------------------


def destruction_list_create(*, year: int, actor: Any) -> DestructionList:
    """บัญชีหนังสือขอทำลาย for BE ``year`` (made after it ends): every stored letter whose
    retention ended by then, not permanent and not on a list in progress; items 1..n."""
    _require_role(actor, ARCHIVING_ROLES)
    _require_year_ended(year)
    with transaction.atomic():
        _lock_lists()
        letters = list(letters_due_for_destruction(year))
        if not letters:
            raise InvalidState(
                _("ไม่มีหนังสือที่ครบอายุการเก็บภายในปี พ.ศ. %(year)s ที่ยังไม่อยู่ในบัญชี"),
                year=year,
            )
        destruction_list = DestructionList.objects.create(year=year, created_by=actor)
        items = DestructionItem.objects.bulk_create(
            DestructionItem(destruction_list=destruction_list, letter=letter, item_number=n)
            for n, letter in enumerate(letters, start=1)
        )
        audit_append(
            action="retention.destruction_list_create",
            actor=actor,
            data={
                "list": destruction_list.pk,
                "year": year,
                "letters": [letter.pk for letter in letters],
            },
        )
        for item, letter in zip(items, letters, strict=True):
            audit_append(
                action="retention.destruction_listed",
                actor=actor,
                letter=letter,
                data={"list": destruction_list.pk, "year": year, "item_number": item.item_number},
            )
    return destruction_list


def _locked_list(destruction_list: DestructionList) -> DestructionList:
    return DestructionList.objects.select_for_update().get(pk=destruction_list.pk)


def _require_editable(destruction_list: DestructionList) -> None:
    if destruction_list.status not in EDITABLE_LIST_STATUSES:
        raise InvalidState(
            _("บัญชีนี้อยู่ในสถานะ %(status)s แก้ไขไม่ได้"),
            status=destruction_list.get_status_display(),
        )


def _committee_complete(destruction_list: DestructionList) -> bool:
    roles = list(destruction_list.committee.values_list("role", flat=True))
    return (
        roles.count(CommitteeRole.CHAIR) == 1
        and roles.count(CommitteeRole.MEMBER) >= COMMITTEE_MIN_MEMBERS
    )


def destruction_committee_set(
    *,
    destruction_list: DestructionList,
    actor: Any,
    chair: tuple[str, str],
    members: list[tuple[str, str]],
) -> list[DestructionCommitteeMember]:
    """คณะกรรมการทำลายหนังสือ: a chair and at least two members, as (name, position). Replaces
    the committee recorded before (until the list is sent)."""
    _require_role(actor, ARCHIVING_ROLES)
    people = [(name.strip(), position.strip()) for name, position in [chair, *members]]
    if not people[0][0]:
        raise InvalidLetter(_("โปรดระบุชื่อประธานกรรมการ"))
    if any(not name for name, _position in people[1:]):
        raise InvalidLetter(_("โปรดระบุชื่อกรรมการให้ครบทุกคน"))
    if len(people) - 1 < COMMITTEE_MIN_MEMBERS:
        raise InvalidLetter(_("คณะกรรมการต้องมีประธานและกรรมการอย่างน้อยสองคน"))
    names = [name for name, _position in people]
    if len(set(names)) != len(names):
        raise InvalidLetter(_("รายชื่อคณะกรรมการซ้ำกัน"))
    with transaction.atomic():
        destruction_list = _locked_list(destruction_list)
        _require_editable(destruction_list)
        destruction_list.committee.all().delete()
        committee = DestructionCommitteeMember.objects.bulk_create(
            DestructionCommitteeMember(
                destruction_list=destruction_list,
                role=CommitteeRole.CHAIR if index == 0 else CommitteeRole.MEMBER,
                name=name,
                position=position,
            )
            for index, (name, position) in enumerate(people)
        )
        audit_append(
            action="retention.committee_set",
            actor=actor,
            data={
                "list": destruction_list.pk,
                "year": destruction_list.year,
                "chair": list(people[0]),
                "members": [list(person) for person in people[1:]],
            },
        )
    return committee


def destruction_item_decide(
    *,
    item: DestructionItem,
    actor: Any,
    decision: str,
    keep_until_year: int | None = None,
    remarks: str = "",
) -> DestructionItem:
    """การพิจารณา of the committee for one item: destroy, or keep until a later BE year.
    When no item is left pending, the list is DECIDED."""
    _require_role(actor, ARCHIVING_ROLES)
    if decision not in (DestructionDecision.DESTROY, DestructionDecision.KEEP):
        raise InvalidLetter(_("ผลการพิจารณาต้องเป็นทำลาย หรือไม่ทำลายและขยายเวลาเก็บ"))
    with transaction.atomic():
        destruction_list = _locked_list(item.destruction_list)
        _require_editable(destruction_list)
        if not _committee_complete(destruction_list):
            raise InvalidState(_("โปรดแต่งตั้งคณะกรรมการทำลายหนังสือก่อนพิจารณา"))
        item = DestructionItem.objects.select_for_update().get(pk=item.pk)
        if decision == DestructionDecision.KEEP:
            if keep_until_year is None or keep_until_year <= destruction_list.year:
                raise InvalidLetter(
                    _("หนังสือที่ไม่ทำลายต้องระบุปีที่ขยายเวลาเก็บถึง หลังปี พ.ศ. %(year)s"),
                    year=destruction_list.year,
                )
        elif keep_until_year is not None:
            raise InvalidLetter(_("หนังสือที่ให้ทำลายไม่ต้องระบุปีที่เก็บถึง"))
        item.decision = decision
        item.keep_until_year = keep_until_year
        item.remarks = remarks.strip()
        item.decided_at = timezone.now()
        item.decided_by = actor
        item.save(
            update_fields=["decision", "keep_until_year", "remarks", "decided_at", "decided_by"]
        )
        audit_append(
            action="retention.decide",
            actor=actor,
            letter=item.letter,
            data={
                "list": destruction_list.pk,
                "year": destruction_list.year,
                "item_number": item.item_number,
                "decision": decision,
                "keep_until_year": keep_until_year,
                "remarks": item.remarks,
            },
        )
        pending = destruction_list.items.filter(decision=DestructionDecision.PENDING).exists()
        if not pending and destruction_list.status != DestructionStatus.DECIDED:
            destruction_list.status = DestructionStatus.DECIDED
            destruction_list.save(update_fields=["status"])
    return item


def destruction_list_send(
    *, destruction_list: DestructionList, actor: Any, reference: str, at: datetime | None = None
) -> DestructionList:
    """Send the decided list to the National Archives (กรมศิลปากร) under letter ``reference``."""
    _require_role(actor, ARCHIVING_ROLES)
    if not reference.strip():
        raise InvalidLetter(_("โปรดระบุที่ของหนังสือนำส่งบัญชี"))
    with transaction.atomic():
        destruction_list = _locked_list(destruction_list)
        if destruction_list.status not in (DestructionStatus.DECIDED, DestructionStatus.OBJECTED):
            raise InvalidState(
                _("ส่งบัญชีได้เมื่อคณะกรรมการพิจารณาครบทุกรายการแล้วเท่านั้น (สถานะ %(status)s)"),
                status=destruction_list.get_status_display(),
            )
        if not _committee_complete(destruction_list):
            raise InvalidState(_("โปรดแต่งตั้งคณะกรรมการทำลายหนังสือก่อนส่งบัญชี"))
        if destruction_list.items.filter(decision=DestructionDecision.PENDING).exists():
            raise InvalidState(_("ยังมีรายการที่คณะกรรมการยังไม่พิจารณา"))
        destruction_list.status = DestructionStatus.SENT_TO_ARCHIVES
        destruction_list.sent_at = at or timezone.now()
        destruction_list.sent_reference = reference.strip()
        destruction_list.archives_answer = ""
        destruction_list.archives_answered_at = None
        destruction_list.archives_note = ""
        destruction_list.save(
            update_fields=[
                "status",
                "sent_at",
                "sent_reference",
                "archives_answer",
                "archives_answered_at",
                "archives_note",
            ]
        )
        audit_append(
            action="retention.destruction_list_send",
            actor=actor,
            data={
                "list": destruction_list.pk,
                "year": destruction_list.year,
                "reference": destruction_list.sent_reference,
                "at": destruction_list.sent_at.isoformat(),
            },
        )
    return destruction_list


def destruction_list_record_answer(
    *,
    destruction_list: DestructionList,
    actor: Any,
    answer: str,
    answered_on: date,
    note: str = "",
) -> DestructionList:
    """The National Archives' answer. Silence counts as consent only once 60 days have passed
    since the list was sent; an objection returns the list to the committee."""
    _require_role(actor, ARCHIVING_ROLES)
    if answer not in ArchivesAnswer.values:
        raise InvalidLetter(_("คำตอบของหอจดหมายเหตุไม่ถูกต้อง: %(value)s"), value=answer)
    if answer == ArchivesAnswer.OBJECTION and not note.strip():
        raise InvalidLetter(_("โปรดบันทึกรายละเอียดที่หอจดหมายเหตุทักท้วง"))
    with transaction.atomic():
        destruction_list = _locked_list(destruction_list)
        if destruction_list.status != DestructionStatus.SENT_TO_ARCHIVES:
            raise InvalidState(_("บันทึกคำตอบได้เฉพาะบัญชีที่ส่งหอจดหมายเหตุแล้วและยังไม่มีคำตอบ"))
        assert destruction_list.sent_at is not None
        sent_on = destruction_list.sent_at.astimezone(BANGKOK).date()
        today = timezone.now().astimezone(BANGKOK).date()
        if answered_on < sent_on or answered_on > today:
            raise InvalidLetter(_("วันที่ตอบต้องอยู่ระหว่างวันที่ส่งบัญชีและวันนี้"))
        silence_ends = sent_on + timedelta(days=ARCHIVES_SILENCE_DAYS)
        if answer == ArchivesAnswer.NO_ANSWER_60_DAYS and answered_on < silence_ends:
            raise InvalidState(
                _("ยังไม่ครบ 60 วันนับแต่วันส่งบัญชี (ครบวันที่ %(date)s)"),
                date=format_thai_date(silence_ends),
            )
        destruction_list.archives_answer = answer
        destruction_list.archives_answered_at = answered_on
        destruction_list.archives_note = note.strip()
        destruction_list.status = (
            DestructionStatus.OBJECTED
            if answer == ArchivesAnswer.OBJECTION
            else DestructionStatus.APPROVED
        )
        destruction_list.save(
            update_fields=["archives_answer", "archives_answered_at", "archives_note", "status"]
        )
        audit_append(
            action="retention.archives_answer",
            actor=actor,
            data={
                "list": destruction_list.pk,
                "year": destruction_list.year,
                "answer": answer,
                "answered_on": answered_on,
                "note": destruction_list.archives_note,
            },
        )
    return destruction_list


def destruction_list_destroy(*, destruction_list: DestructionList, actor: Any) -> DestructionList:
    """Carry out an approved list: remove the files of items decided DESTROY (the letters stay
    as records, DESTROYED) and give items decided KEEP their new year.

    Files are deleted from storage only after the transaction commits, so a failure leaves
    every file in place.
    """
    _require_role(actor, ARCHIVING_ROLES)
    with transaction.atomic():
        destruction_list = _locked_list(destruction_list)
        if destruction_list.status != DestructionStatus.APPROVED:
            raise InvalidState(
                _("ทำลายได้เฉพาะบัญชีที่หอจดหมายเหตุแห่งชาติไม่ทักท้วงแล้ว (สถานะ %(status)s)"),
                status=destruction_list.get_status_display(),
            )
        items = list(destruction_list.items.order_by("item_number"))
        letters = {
            letter.pk: letter
            for letter in Letter.objects.select_for_update().filter(
                pk__in=[item.letter_id for item in items]
            )
        }
        records = {
            record.letter_id: record
            for record in StorageRecord.objects.select_for_update().filter(
                letter_id__in=list(letters)
            )
        }
        for item in items:
            _require_destroyable(
                item, letters[item.letter_id], records.get(item.letter_id), destruction_list.year
            )
        now = timezone.now()
        to_delete: list[str] = []
        destroyed = kept = 0
        for item in items:
            letter = letters[item.letter_id]
            record = records[item.letter_id]
            if item.decision == DestructionDecision.KEEP:
                record.keep_until_year = item.keep_until_year
                record.save(update_fields=["keep_until_year"])
                kept += 1
                audit_append(
                    action="retention.keep",
                    actor=actor,
                    letter=letter,
                    data={
                        "list": destruction_list.pk,
                        "year": destruction_list.year,
                        "item_number": item.item_number,
                        "keep_until_year": item.keep_until_year,
                    },
                )
                continue
            files = list(letter.attachments.filter(removed_at__isnull=True).order_by("pk"))
            to_delete += [attachment.file.name for attachment in files if attachment.file.name]
            Attachment.objects.filter(pk__in=[a.pk for a in files]).update(removed_at=now, text="")
            letter.status = LetterStatus.DESTROYED
            letter.save(update_fields=["status", "updated_at"])
            letter_reindex(letter)
            destroyed += 1
            audit_append(
                action="retention.destroy",
                actor=actor,
                letter=letter,
                data={
                    "list": destruction_list.pk,
                    "year": destruction_list.year,
                    "item_number": item.item_number,
                    "sent_reference": destruction_list.sent_reference,
                    "archives_answer": destruction_list.archives_answer,
                    "files": [
                        {"id": a.pk, "name": a.original_name, "sha256": a.sha256} for a in files
                    ],
                },
            )
        destruction_list.status = DestructionStatus.DESTROYED
        destruction_list.destroyed_at = now
        destruction_list.destroyed_by = actor
        destruction_list.save(update_fields=["status", "destroyed_at", "destroyed_by"])
        audit_append(
            action="retention.destruction_list_destroy",
            actor=actor,
            data={
                "list": destruction_list.pk,
                "year": destruction_list.year,
                "destroyed": destroyed,
                "kept": kept,
            },
        )
        transaction.on_commit(lambda: _delete_stored_files(to_delete))
    return destruction_list


def _require_destroyable(
    item: DestructionItem, letter: Letter, record: StorageRecord | None, year: int
) -> None:
    """Re-check each item at the moment of destruction: nothing changed since it was listed."""
    if item.decision == DestructionDecision.PENDING:
        raise InvalidState(_("ยังมีรายการที่คณะกรรมการยังไม่พิจารณา"))
    if letter.status != LetterStatus.STORED or record is None:
        raise InvalidState(_("หนังสือลำดับที่ %(item)s ไม่ได้อยู่ในที่เก็บแล้ว"), item=item.item_number)
    if item.decision == DestructionDecision.DESTROY and (
        record.keep_until_year is None or record.keep_until_year > year
    ):
        raise InvalidState(
            _("หนังสือลำดับที่ %(item)s ยังไม่ครบอายุการเก็บ หรือเป็นหนังสือห้ามทำลาย"),
            item=item.item_number,
        )


def _delete_stored_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


# --- handover of 20-year-old letters (form 21) ---------------------------------------------


def handover_list_create(*, year: int, actor: Any) -> HandoverList:
    """บัญชีส่งมอบหนังสือครบ 20 ปี for BE ``year`` (made after it ends, handed over by January)."""
    _require_role(actor, ARCHIVING_ROLES)
    _require_year_ended(year)
    with transaction.atomic():
        _lock_lists()
        letters = list(letters_due_for_handover(year))
        if not letters:
            raise InvalidState(_("ไม่มีหนังสือครบ 20 ปีภายในปี พ.ศ. %(year)s ที่ยังไม่ได้ส่งมอบ"), year=year)
        handover_list = HandoverList.objects.create(year=year, created_by=actor)
        items = HandoverItem.objects.bulk_create(
            HandoverItem(handover_list=handover_list, letter=letter, item_number=n)
            for n, letter in enumerate(letters, start=1)
        )
        audit_append(
            action="retention.handover_list_create",
            actor=actor,
            data={
                "list": handover_list.pk,
                "year": year,
                "letters": [letter.pk for letter in letters],
            },
        )
        for item, letter in zip(items, letters, strict=True):
            audit_append(
                action="retention.handover_listed",
                actor=actor,
                letter=letter,
                data={"list": handover_list.pk, "year": year, "item_number": item.item_number},
            )
    return handover_list


def handover_list_complete(
    *, handover_list: HandoverList, actor: Any, at: datetime | None = None
) -> HandoverList:
    """The letters were handed over: they leave the stored set, marked HANDED_OVER."""
    _require_role(actor, ARCHIVING_ROLES)
    with transaction.atomic():
        handover_list = HandoverList.objects.select_for_update().get(pk=handover_list.pk)
        if handover_list.handed_over_at is not None:
            raise InvalidState(_("บัญชีนี้ส่งมอบแล้ว"))
        items = list(handover_list.items.order_by("item_number"))
        letters = {
            letter.pk: letter
            for letter in Letter.objects.select_for_update().filter(
                pk__in=[item.letter_id for item in items]
            )
        }
        for item in items:
            if letters[item.letter_id].status != LetterStatus.STORED:
                raise InvalidState(_("หนังสือลำดับที่ %(item)s ไม่ได้อยู่ในที่เก็บแล้ว"), item=item.item_number)
        handover_list.handed_over_at = at or timezone.now()
        handover_list.save(update_fields=["handed_over_at"])
        Letter.objects.filter(pk__in=list(letters)).update(
            status=LetterStatus.HANDED_OVER, updated_at=timezone.now()
        )
        for item in items:
            audit_append(
                action="retention.handed_over",
                actor=actor,
                letter=letters[item.letter_id],
                data={
                    "list": handover_list.pk,
                    "year": handover_list.year,
                    "item_number": item.item_number,
                },
            )
        audit_append(
            action="retention.handover_list_complete",
            actor=actor,
            data={
                "list": handover_list.pk,
                "year": handover_list.year,
                "at": handover_list.handed_over_at.isoformat(),
                "letters": len(items),
            },
        )
    return handover_list
