"""Make arrived letters findable: read their PDFs' text, build their search documents, stamp
their receipts. Idempotent: a letter already indexed is indexed again from what is stored, a
stamp already made is kept (``letter_stamp_receipt``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from registers.choices import EntryStatus, RegisterKind
from registers.models import Attachment, Letter, RegisterEntry
from registers.pdf.text import pdf_text
from registers.search.indexing import letter_reindex
from registers.services.attachments import PDF
from registers.services.stamping import letter_stamp_receipt

logger = logging.getLogger(__name__)


def letters_unindexed_ids(limit: int) -> list[int]:
    """Letters that have no search document yet (a partial index keeps this cheap)."""
    return list(
        Letter.objects.filter(search_document__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _texts_extract(letter_ids: Sequence[int]) -> None:
    originals = Attachment.objects.filter(
        letter_id__in=letter_ids,
        content_type=PDF,
        derived_from__isnull=True,
        removed_at__isnull=True,
        text="",
    )
    for attachment in originals:
        text = pdf_text(attachment.open_bytes())
        if text:
            Attachment.objects.filter(pk=attachment.pk).update(text=text)


def letters_index(letter_ids: Sequence[int], *, stamp: bool) -> int:
    """Index (and with ``stamp``, stamp) each letter; one letter's failure is logged and left
    to the sweeps, the others go on."""
    done = 0
    for letter in Letter.objects.filter(pk__in=letter_ids).only("pk"):
        try:
            _texts_extract([letter.pk])
            letter_reindex(letter)
            done += 1
        except Exception:
            logger.exception("indexing letter %s failed; the sweep will retry", letter.pk)
            continue
        if not stamp:
            continue
        entries = RegisterEntry.objects.filter(
            letter_id=letter.pk, register=RegisterKind.RECEIVE, status=EntryStatus.ACTIVE
        )
        for entry in entries:
            try:
                letter_stamp_receipt(entry=entry)
            except Exception:
                logger.exception("receipt stamp of entry %s failed; the sweep will retry", entry.pk)
    return done
