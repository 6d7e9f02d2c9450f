"""Letters that arrived by mail, many at once: into the intake queue, or registered at once.

The mail ingest hands over every letter that reached the municipality's central address while it
was writing the previous batch (a group commit: one transaction, a few statements per batch
instead of some forty per letter). It runs in the caller's transaction and schema, so the
letters, their files, their receipt numbers, the audit links and the receipt notices commit
together with the ingest's own record of the messages, or not at all.

What a clerk may wait for goes to a task after commit: the text of attached PDFs, the search
document and the receipt stamp (``registers.tasks.indexing``; a beat sweep finds any letter the
task missed, and ``stamp_missing_receipts`` any missing stamp).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.choices import AttachmentRole, Direction, LetterStatus, RegisterKind
from registers.errors import InvalidLetter
from registers.inputs import FileInput, LetterInput
from registers.models import (
    Attachment,
    Enclosure,
    Letter,
    LetterReference,
    RegisterEntry,
    RegistrySettings,
)
from registers.selectors.letters import letter_duplicates
from registers.selectors.settings import registry_settings
from registers.services.attachments import attachment_build, attachment_stored_hooks
from registers.services.audit import AuditLink, audit_append_many
from registers.services.letters import letter_build, letter_parts_build, receipts_acknowledge
from registers.services.numbering import numbers_take, period_for, sequence_for
from tenants.task_queue import tenant_task_after_commit

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Arrival:
    """One arrived letter. ``files``: uploads already checked (with their detected types), the
    main one first. ``register``: the municipality's policy allows registering it at once."""

    data: LetterInput
    files: Sequence[tuple[FileInput, str]] = ()
    register: bool = False


@dataclasses.dataclass(frozen=True)
class Arrived:
    letter: Letter
    entry: RegisterEntry | None


def letters_arrive(
    arrivals: Sequence[Arrival],
    *,
    actor: Any = None,
    at: datetime | None = None,
    options: RegistrySettings | None = None,
) -> list[Arrived]:
    """Create the letters (and register those allowed) in the caller's transaction, in order.

    ``actor`` registers; the intake items themselves have no actor (the mail brought them)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("arrivals are recorded inside the caller's transaction")
    if not arrivals:
        return []
    at = at or timezone.now()
    options = options or registry_settings()
    letters = [
        letter_build(
            arrival.data,
            direction=Direction.INCOMING,
            status=LetterStatus.INTAKE,
            actor=None,
            default_retention=options.default_retention,
        )
        for arrival in arrivals
    ]
    to_register = []
    for arrival, letter in zip(arrivals, letters, strict=True):
        if arrival.files and letter.is_paper_only:
            raise InvalidLetter(_("หนังสือลับที่สุดเก็บไฟล์ในระบบไม่ได้"))
        # A possible duplicate (same ที่, date and subject) waits for a clerk, as at the counter.
        if arrival.register and not letter_duplicates(letter).exists():
            letter.status = LetterStatus.REGISTERED  # written once, numbered below
            to_register.append(letter)
    Letter.objects.bulk_create(letters)
    _parts_create(arrivals, letters)
    _files_store(arrivals, letters)
    entries = _entries_receive(to_register, actor=actor, at=at, options=options)
    links = [
        AuditLink(
            "intake.create",
            None,
            letter,
            {"channel": letter.channel, "files": len(arrival.files)},
        )
        for arrival, letter in zip(arrivals, letters, strict=True)
    ]
    links += [
        AuditLink(
            "register.receive",
            actor,
            entry.letter,
            {
                "register": entry.register,
                "period": entry.period,
                "number": entry.number,
                "at": at.isoformat(),
                "duplicate_of": [],
            },
        )
        for entry in entries
    ]
    audit_append_many(links)
    receipts_acknowledge([(entry.letter, entry) for entry in entries if entry.letter])
    ids = [letter.pk for letter in letters]
    tenant_task_after_commit(
        "registers.tasks.indexing.letters_index_arrived", ids, what=f"the indexing of letters {ids}"
    )
    by_letter = {entry.letter_id: entry for entry in entries}
    return [Arrived(letter, by_letter.get(letter.pk)) for letter in letters]


def _parts_create(arrivals: Sequence[Arrival], letters: Sequence[Letter]) -> None:
    references: list[LetterReference] = []
    enclosures: list[Enclosure] = []
    for arrival, letter in zip(arrivals, letters, strict=True):
        more_references, more_enclosures = letter_parts_build(letter, arrival.data)
        references += more_references
        enclosures += more_enclosures
    if references:
        LetterReference.objects.bulk_create(references)
    if enclosures:
        Enclosure.objects.bulk_create(enclosures)


def _files_store(arrivals: Sequence[Arrival], letters: Sequence[Letter]) -> None:
    built: list[tuple[Attachment, bytes]] = []
    for arrival, letter in zip(arrivals, letters, strict=True):
        for index, (upload, content_type) in enumerate(arrival.files):
            attachment = attachment_build(
                letter=letter,
                upload=upload,
                content_type=content_type,
                role=AttachmentRole.MAIN if index == 0 else AttachmentRole.ATTACHMENT,
                extract_text=False,  # the indexing task reads the PDFs' text after commit
            )
            built.append((attachment, upload.content))
    if built:
        Attachment.objects.bulk_create([attachment for attachment, _content in built])
    for attachment, content in built:
        attachment_stored_hooks(attachment, content)


def _entries_receive(
    letters: Sequence[Letter], *, actor: Any, at: datetime, options: RegistrySettings
) -> list[RegisterEntry]:
    """The next receive numbers, in order, one statement for the counter and one insert."""
    if not letters:
        return []
    period = period_for(at, options.numbering_reset)
    sequence = sequence_for(RegisterKind.RECEIVE)
    numbers = numbers_take(sequence, period, count=len(letters))
    entries = RegisterEntry.objects.bulk_create(
        RegisterEntry(
            register=RegisterKind.RECEIVE,
            period=period,
            number=number,
            letter=letter,
            registered_at=at,
            registered_by=actor,
        )
        for letter, number in zip(letters, numbers, strict=True)
    )
    return entries


__all__ = ["Arrival", "Arrived", "letters_arrive"]
