"""Letters in and out: intake, registration with a number, cancellation, reservation (จองเลข)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.agency import current_agency
from registers.choices import (
    OUTGOING_REGISTERS,
    AttachmentRole,
    Channel,
    Direction,
    EntryStatus,
    LetterStatus,
    RegisterKind,
)
from registers.errors import DuplicateLetter, InvalidLetter, InvalidState
from registers.inputs import FileInput, LetterInput
from registers.models import (
    Enclosure,
    Letter,
    LetterAccess,
    LetterReference,
    NumberReservation,
    RegisterEntry,
)
from registers.search.indexing import letter_reindex
from registers.selectors.letters import letter_duplicates
from registers.selectors.settings import registry_settings
from registers.services.attachments import attachment_check, attachment_store
from registers.services.audit import audit_append
from registers.services.numbering import format_number, numbers_take, period_for, sequence_for


def letter_build(
    data: LetterInput, *, direction: str, status: str, actor: Any, default_retention: str
) -> Letter:
    """The letter's row from validated input, not yet saved (the mail ingest saves many)."""
    data.validate()
    return Letter(
        direction=direction,
        status=status,
        kind=data.kind,
        sub_kind=data.sub_kind,
        reference=data.reference.strip(),
        letter_date=data.letter_date,
        sender=data.sender.strip(),
        sender_email=data.sender_email,
        sender_org_code=data.sender_org_code,
        recipient=data.recipient.strip(),
        recipient_email=data.recipient_email,
        recipient_org_code=data.recipient_org_code,
        subject=data.subject.strip(),
        summary=data.summary,
        urgency=data.urgency,
        urgent_by=data.urgent_by,
        secrecy=data.secrecy,
        channel=data.channel,
        owner_unit_id=data.owner_unit_id,
        message_id=data.message_id,
        source_tenant=data.source_tenant,
        source_letter_id=data.source_letter_id,
        ecms_id=data.ecms_id,
        retention_class=data.retention_class or default_retention,
        retention_law=data.retention_law,
        retention_years=data.retention_years,
        created_by=actor,
    )


def letter_parts_build(
    letter: Letter, data: LetterInput
) -> tuple[list[LetterReference], list[Enclosure]]:
    """The letter's อ้างถึง and สิ่งที่ส่งมาด้วย rows, not yet saved (the mail ingest saves a
    batch's together)."""
    references = [
        LetterReference(
            letter=letter,
            position=i,
            reference=ref.reference,
            letter_date=ref.letter_date,
            subject=ref.subject,
        )
        for i, ref in enumerate(data.references)
    ]
    enclosures = [
        Enclosure(letter=letter, position=i, description=text)
        for i, text in enumerate(data.enclosures)
        if text.strip()
    ]
    return references, enclosures


def _letter_from_input(data: LetterInput, *, direction: str, status: str, actor: Any) -> Letter:
    default_retention = "" if data.retention_class else registry_settings().default_retention
    letter = letter_build(
        data, direction=direction, status=status, actor=actor, default_retention=default_retention
    )
    letter.save()
    references, enclosures = letter_parts_build(letter, data)
    LetterReference.objects.bulk_create(references)
    Enclosure.objects.bulk_create(enclosures)
    if letter.is_restricted and actor is not None:
        LetterAccess.objects.create(letter=letter, user=actor, granted_by=actor)
    return letter


def _store_files(letter: Letter, files: Sequence[FileInput], actor: Any) -> None:
    if files and letter.is_paper_only:
        raise InvalidLetter(_("หนังสือลับที่สุดเก็บไฟล์ในระบบไม่ได้"))
    checked = [(upload, attachment_check(upload)) for upload in files]  # all or nothing
    for index, (upload, content_type) in enumerate(checked):
        role = AttachmentRole.MAIN if index == 0 else AttachmentRole.ATTACHMENT
        # The caller reindexes once, after every file is stored.
        attachment_store(
            letter=letter,
            upload=upload,
            role=role,
            actor=actor,
            content_type=content_type,
            reindex=False,
        )


def intake_create(
    *, data: LetterInput, files: Sequence[FileInput] = (), actor: Any = None
) -> Letter:
    """Put an arrived letter into the intake queue (รอลงรับ). The first file is the main one."""
    with transaction.atomic():
        letter = _letter_from_input(
            data, direction=Direction.INCOMING, status=LetterStatus.INTAKE, actor=actor
        )
        _store_files(letter, files, actor)
        letter_reindex(letter)
        audit_append(
            action="intake.create",
            actor=actor,
            letter=letter,
            data={"channel": letter.channel, "files": len(files)},
        )
    return letter


def intake_reject(*, letter: Letter, actor: Any, reason: str) -> Letter:
    """Decline an intake item (sent to the wrong agency, spam); it stays on record."""
    if not reason.strip():
        raise InvalidLetter(_("โปรดระบุเหตุผลที่ไม่รับ"))
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status != LetterStatus.INTAKE:
            raise InvalidState(_("หนังสือนี้ไม่ได้อยู่ในรายการรอลงรับ"))
        letter.status = LetterStatus.REJECTED
        letter.rejected_reason = reason.strip()
        letter.save(update_fields=["status", "rejected_reason", "updated_at"])
        audit_append(action="intake.reject", actor=actor, letter=letter, data={"reason": reason})
    return letter


def _new_entry(
    *, register: str, letter: Letter | None, actor: Any, at: datetime, reference_for: bool
) -> RegisterEntry:
    options = registry_settings()
    period = period_for(at, options.numbering_reset)
    sequence = sequence_for(register, circular_own_sequence=options.circular_own_sequence)
    (number,) = numbers_take(sequence, period)
    reference = ""
    if reference_for:
        reference = format_number(register, number, period, current_agency().letter_code_prefix)
    return RegisterEntry.objects.create(
        register=register,
        period=period,
        number=number,
        letter=letter,
        registered_at=at,
        registered_by=actor,
        reference=reference,
    )


def letter_register_incoming(
    *, letter: Letter, actor: Any, allow_duplicate: bool = False, at: datetime | None = None
) -> RegisterEntry:
    """ลงรับ: give the next receive number (เลขรับ) with date and time, in one transaction."""
    at = at or timezone.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.direction != Direction.INCOMING or letter.status != LetterStatus.INTAKE:
            raise InvalidState(_("หนังสือนี้ลงรับแล้ว หรือไม่ได้อยู่ในรายการรอลงรับ"))
        duplicates = list(letter_duplicates(letter).values_list("pk", flat=True))
        if duplicates and not allow_duplicate:
            raise DuplicateLetter(
                _("มีหนังสือที่ เรื่อง และลงวันที่เดียวกันอยู่แล้ว (%(count)s ฉบับ)"),
                duplicates=duplicates,
                count=len(duplicates),
            )
        entry = _new_entry(
            register=RegisterKind.RECEIVE, letter=letter, actor=actor, at=at, reference_for=False
        )
        letter.status = LetterStatus.REGISTERED
        letter.save(update_fields=["status", "updated_at"])
        audit_append(
            action="register.receive",
            actor=actor,
            letter=letter,
            data={
                "register": entry.register,
                "period": entry.period,
                "number": entry.number,
                "at": at.isoformat(),
                "duplicate_of": duplicates,
            },
        )
        _acknowledge_receipt(letter, entry)
    from registers.services.stamping import receipt_stamp_after_commit

    receipt_stamp_after_commit(entry=entry, actor=actor)  # ตรารับ, once the number is committed
    return entry


def _acknowledge_receipt(letter: Letter, entry: RegisterEntry) -> None:
    receipts_acknowledge([(letter, entry)])


def receipts_acknowledge(registered: Sequence[tuple[Letter, RegisterEntry]]) -> None:
    """แจ้งผลการรับ: a letter that came by e-mail gets its receipt notice, queued in the same
    transaction as its number (clause 29: the receiver notifies the result of every receipt).

    Mail is a control-plane service; this is the registers' one call into it. A letter another
    municipality of this platform handed over directly gets its answer directly: the receipt
    number goes into the sender's recipient row, no mail needed."""
    from registers.selectors.dispatch import receipt_of_letter

    notices = []
    for letter, entry in registered:
        if letter.source_tenant and letter.source_letter_id:
            from mailhosting.outbound import receipt_flow_back

            receipt = receipt_of_letter(letter.pk)
            if receipt and receipt_flow_back(
                source_tenant=letter.source_tenant,
                source_letter_id=letter.source_letter_id,
                message_id=letter.message_id,
                number=receipt[0],
                registered_at=receipt[1],
                receiver_address=letter.recipient_email,
            ):
                continue
        if letter.channel not in (Channel.EMAIL, Channel.PLATFORM) or not letter.sender_email:
            continue
        notices.append((letter, entry))
    if not notices:
        return
    from django.db import connection

    from mailhosting.acknowledgements import ReceiptNotice, acknowledgements_queue

    acknowledgements_queue(
        municipality=connection.tenant,  # type: ignore[attr-defined]
        notices=[
            ReceiptNotice(
                letter_id=letter.pk,
                to_address=letter.sender_email,
                receipt_number=str(entry.number),
                registered_at=entry.registered_at,
                subject=letter.subject,
                sender_reference=letter.reference,
                in_reply_to=letter.message_id if letter.message_id.startswith("<") else "",
            )
            for letter, entry in notices
        ],
    )


def letter_create_outgoing(
    *, data: LetterInput, files: Sequence[FileInput] = (), actor: Any
) -> Letter:
    """A letter this municipality sends, as a draft until it gets its number."""
    with transaction.atomic():
        letter = _letter_from_input(
            data, direction=Direction.OUTGOING, status=LetterStatus.DRAFT, actor=actor
        )
        _store_files(letter, files, actor)
        letter_reindex(letter)
        audit_append(action="outgoing.create", actor=actor, letter=letter, data={})
    return letter


def letter_register_outgoing(
    *,
    letter: Letter,
    register: str = RegisterKind.SEND,
    actor: Any,
    reserved_entry: RegisterEntry | None = None,
    at: datetime | None = None,
) -> RegisterEntry:
    """ออกเลข: number an outgoing letter in the send, circular, order or announcement register.

    Its ที่ becomes ``<prefix>/<n>``, ``<prefix>/ว <n>`` or ``<n>/<BE year>``. With
    ``reserved_entry`` the letter takes a number reserved earlier instead of a new one.
    """
    if register not in OUTGOING_REGISTERS:
        raise InvalidState(_("ทะเบียนนี้ใช้ออกเลขหนังสือส่งไม่ได้"))
    at = at or timezone.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.direction != Direction.OUTGOING or letter.status != LetterStatus.DRAFT:
            raise InvalidState(_("หนังสือนี้ออกเลขแล้ว หรือไม่ใช่ร่างหนังสือส่ง"))
        if reserved_entry is not None:
            entry = RegisterEntry.objects.select_for_update().get(pk=reserved_entry.pk)
            if entry.status != EntryStatus.RESERVED or entry.register != register:
                raise InvalidState(_("เลขที่เลือกไม่ได้จองไว้ในทะเบียนนี้ หรือถูกใช้ไปแล้ว"))
            entry.status = EntryStatus.ACTIVE
            entry.letter = letter
            entry.reference = format_number(
                register, entry.number, entry.period, current_agency().letter_code_prefix
            )
            entry.save(update_fields=["status", "letter", "reference"])
        else:
            entry = _new_entry(
                register=register, letter=letter, actor=actor, at=at, reference_for=True
            )
        letter.reference = entry.reference
        letter.status = LetterStatus.REGISTERED
        if letter.letter_date is None:
            letter.letter_date = timezone.localdate(at)
        letter.save(update_fields=["reference", "status", "letter_date", "updated_at"])
        letter_reindex(letter)
        audit_append(
            action=f"register.{register}",
            actor=actor,
            letter=letter,
            data={
                "register": register,
                "period": entry.period,
                "number": entry.number,
                "reference": entry.reference,
                "reserved": reserved_entry is not None,
            },
        )
    return entry


def entry_cancel(*, entry: RegisterEntry, actor: Any, reason: str) -> RegisterEntry:
    """ยกเลิกเลข: the entry keeps its number, marked cancelled with who, when and why."""
    if not reason.strip():
        raise InvalidLetter(_("โปรดระบุเหตุผลที่ยกเลิก"))
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == EntryStatus.CANCELLED:
            raise InvalidState(_("รายการนี้ถูกยกเลิกแล้ว"))
        entry.status = EntryStatus.CANCELLED
        entry.cancelled_at = timezone.now()
        entry.cancelled_by = actor
        entry.cancel_reason = reason.strip()
        entry.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        letter = entry.letter
        if letter is not None:
            # The letter may be registered again under a new number.
            letter.status = (
                LetterStatus.INTAKE
                if letter.direction == Direction.INCOMING
                else LetterStatus.DRAFT
            )
            if letter.direction == Direction.OUTGOING:
                letter.reference = ""
            letter.save(update_fields=["status", "reference", "updated_at"])
        audit_append(
            action="register.cancel",
            actor=actor,
            letter=letter,
            data={
                "register": entry.register,
                "period": entry.period,
                "number": entry.number,
                "reason": entry.cancel_reason,
            },
        )
    return entry


def numbers_reserve(
    *,
    register: str,
    count: int,
    purpose: str,
    actor: Any,
    for_unit_id: int | None = None,
    at: datetime | None = None,
) -> NumberReservation:
    """จองเลข: set aside ``count`` consecutive numbers; each gets a reserved entry at once."""
    if register not in OUTGOING_REGISTERS:
        raise InvalidState(_("จองเลขได้เฉพาะทะเบียนหนังสือส่ง หนังสือเวียน คำสั่ง และประกาศ"))
    if not 1 <= count <= 500:
        raise InvalidLetter(_("จำนวนเลขที่จองต้องอยู่ระหว่าง 1 ถึง 500"))
    if not purpose.strip():
        raise InvalidLetter(_("โปรดระบุวัตถุประสงค์ของการจองเลข"))
    at = at or timezone.now()
    with transaction.atomic():
        options = registry_settings()
        period = period_for(at, options.numbering_reset)
        sequence = sequence_for(register, circular_own_sequence=options.circular_own_sequence)
        numbers = numbers_take(sequence, period, count)
        reservation = NumberReservation.objects.create(
            register=register,
            period=period,
            first_number=numbers[0],
            last_number=numbers[-1],
            purpose=purpose.strip(),
            for_unit_id=for_unit_id,
            reserved_by=actor,
            reserved_at=at,
        )
        RegisterEntry.objects.bulk_create(
            RegisterEntry(
                register=register,
                period=period,
                number=number,
                status=EntryStatus.RESERVED,
                registered_at=at,
                registered_by=actor,
                reservation=reservation,
                remarks=purpose.strip(),
            )
            for number in numbers
        )
        audit_append(
            action="register.reserve",
            actor=actor,
            data={
                "register": register,
                "period": period,
                "first": numbers[0],
                "last": numbers[-1],
                "purpose": purpose.strip(),
            },
        )
    return reservation


def letter_grant_access(
    *, letter: Letter, actor: Any, user_ids: Sequence[int] = (), role_ids: Sequence[int] = ()
) -> None:
    """Name the people and roles who may see a ลับ / ลับมาก letter."""
    with transaction.atomic():
        for user_id in user_ids:
            LetterAccess.objects.get_or_create(
                letter=letter, user_id=user_id, defaults={"granted_by": actor}
            )
        for role_id in role_ids:
            LetterAccess.objects.get_or_create(
                letter=letter, role_id=role_id, defaults={"granted_by": actor}
            )
        audit_append(
            action="letter.grant_access",
            actor=actor,
            letter=letter,
            data={"users": list(user_ids), "roles": list(role_ids)},
        )
