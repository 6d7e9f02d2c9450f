"""Build each letter's search document (see registers.search.terms for what goes into it).

Everything a clerk may search by is in one ``simple`` tsvector per letter (GIN-indexed): the
subject, parties, ที่, summary, the letters it refers to, its enclosures, the text of its attached
PDFs, and the numbers and ที่ its register entries gave it.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from django.db import connection
from django.db.models import Prefetch, QuerySet

from registers.models import Attachment, Letter, RegisterEntry
from registers.search.terms import document_lexemes, documents_batch, normalize, segment

__all__ = [
    "letter_document_text",
    "letter_reindex",
    "letters_reindex",
    "normalize",
    "segment",
]

ProgressCallback = Callable[[int, int], None]


def letter_document_parts(letter: Letter) -> list[str]:
    """The searchable texts of a letter; use with the prefetches of ``_with_parts``."""
    parts = [letter.subject, letter.reference, letter.sender, letter.recipient, letter.summary]
    parts += [f"{r.reference} {r.subject}" for r in letter.references.all()]
    parts += [e.description for e in letter.enclosures.all()]
    parts += [a.text for a in letter.attachments.all() if a.text and a.removed_at is None]
    for entry in letter.entries.all():
        parts += [f"{entry.number}/{entry.period}", entry.reference]
    return [part for part in parts if part]


def letter_document_text(letter: Letter) -> str:
    return "\n".join(letter_document_parts(letter))


def letter_reindex(letter: Letter) -> None:
    """Recompute the letter's search document from what is stored now."""
    letter = _with_parts(Letter.objects.filter(pk=letter.pk)).get()
    lexemes = sorted(document_lexemes(letter_document_text(letter)))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registers_letter SET search_document = array_to_tsvector(%s::text[])"
            " WHERE id = %s",
            [lexemes, letter.pk],
        )


def _with_parts(queryset: QuerySet[Letter]) -> QuerySet[Letter]:
    return queryset.only(
        "id", "subject", "reference", "sender", "recipient", "summary"
    ).prefetch_related(
        "references",
        "enclosures",
        Prefetch(
            "attachments", queryset=Attachment.objects.only("letter_id", "text", "removed_at")
        ),
        Prefetch(
            "entries",
            queryset=RegisterEntry.objects.only("letter_id", "number", "period", "reference"),
        ),
    )


def _chunks(ids: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def letters_reindex(
    queryset: QuerySet[Letter] | None = None,
    *,
    batch_size: int = 500,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> int:
    """Rebuild the documents of ``queryset`` (default: every letter) in batches; returns the count.

    Each batch is read with its related rows in a few queries and written back with one UPDATE.
    With ``workers`` > 1 the word breaking runs in that many processes (it is the slow part),
    with a few batches in flight so that memory stays bounded.
    """
    base = queryset if queryset is not None else Letter.objects.all()
    ids = list(base.order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    done = 0

    def texts(chunk: Sequence[int]) -> list[tuple[int, str]]:
        letters = _with_parts(Letter.objects.filter(pk__in=chunk).order_by("pk"))
        return [(letter.pk, letter_document_text(letter)) for letter in letters]

    def written(vectors: Sequence[tuple[int, str]]) -> None:
        nonlocal done
        _write(vectors)
        done += len(vectors)
        if progress is not None:
            progress(done, total)

    chunks = _chunks(ids, batch_size)
    if workers <= 1:
        for chunk in chunks:
            written(documents_batch(texts(chunk)))
        return done
    # spawn, not fork: a forked child would share this process's database connection.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[list[tuple[int, str]]]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(documents_batch, texts(chunk)))
            if len(pending) >= 2 * workers:
                written(pending.popleft().result())
        while pending:
            written(pending.popleft().result())
    return done


def _write(vectors: Sequence[tuple[int, str]]) -> None:
    if not vectors:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE registers_letter AS letter SET search_document = batch.document::tsvector
            FROM unnest(%s::bigint[], %s::text[]) AS batch(id, document)
            WHERE letter.id = batch.id
            """,
            [[pk for pk, _ in vectors], [document for _, document in vectors]],
        )
