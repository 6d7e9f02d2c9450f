"""B7: Thai full-text search over many letters in one tenant, two-word queries.

The letters are generated (tests.bench.corpus) and loaded with COPY by a pool of processes,
each building the search documents with the same function the application uses
(registers.search.terms.document_lexemes) and, in the same pass, the brute-force answer of every
sampled query (normalised substring match over the same texts). Then each query is run through
``letters_search`` (first page of 50, newest first, as the search page shows it) and through
the anchor, ``ILIKE '%w1%' AND ILIKE '%w2%'`` over the letter table's own text columns; recall
and precision are measured over the complete result set of ``letters_search``.
"""

from __future__ import annotations

import dataclasses
import io
import math
import multiprocessing
import random
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.bench.corpus import Corpus, FakeLetter
from tests.bench.harness import Row, Say, database_params, percentile, say, throwaway_tenant

TARGET_P95_MS = 100.0
TARGET_RECALL = 0.95
PAGE = 50
CHUNK = 25_000  # letters per worker task
FLUSH = 5_000  # letters per COPY transaction
CONFIDENTIAL_SHARE = 0.01
LETTER_COLUMNS = (
    "id", "direction", "kind", "sub_kind", "status", "reference", "letter_date", "sender",
    "sender_email", "sender_org_code", "recipient", "recipient_email", "recipient_org_code",
    "subject", "summary", "urgency", "secrecy", "channel", "message_id", "source_tenant",
    "ecms_id", "rejected_reason", "retention_class", "retention_law", "search_document",
    "created_at", "updated_at", "created_by_id", "owner_unit_id",
)  # fmt: skip
ENTRY_COLUMNS = (
    "register", "period", "number", "status", "registered_at", "reference", "remarks",
    "cancel_reason", "letter_id", "registered_by_id",
)  # fmt: skip
ATTACHMENT_COLUMNS = (
    "role", "file", "original_name", "content_type", "size", "sha256", "text", "created_at",
    "letter_id", "created_by_id",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class LoadPlan:
    schema: str
    params: dict[str, Any]
    seed: int
    total: int
    start: datetime
    span: timedelta
    clerk_id: int
    unit_ids: tuple[int, ...]
    prefix: str
    queries: tuple[tuple[str, str], ...]


@dataclasses.dataclass(frozen=True)
class Generated:
    id: int
    fake: FakeLetter
    direction: str
    status: str
    secrecy: str
    unit_id: int
    created_at: datetime
    entry: tuple[str, int, int, str] | None  # register, period, number, ที่
    text: str  # what the search document is built from


def generated(plan: LoadPlan, first_id: int, count: int) -> Iterator[Generated]:
    """Letters ``first_id`` .. ``first_id + count - 1``; the same plan always gives the same."""
    from thaiformat.dates import BANGKOK

    corpus = Corpus(seed=plan.seed * 1_000_003 + first_id)
    rng = corpus.rng
    for letter_id in range(first_id, first_id + count):
        fake = corpus.letter()
        created = plan.start + plan.span * ((letter_id - 1) / max(plan.total, 1))
        period = created.astimezone(BANGKOK).year + 543
        outgoing = rng.random() < 0.2
        if outgoing:
            reference = f"{plan.prefix}/{letter_id}"
            fake = dataclasses.replace(
                fake, reference=reference, sender=fake.recipient, recipient=fake.sender
            )
            entry: tuple[str, int, int, str] | None = ("send", period, letter_id, reference)
            status = "registered"
        else:
            roll = rng.random()
            status = "intake" if roll < 0.1 else ("done" if roll < 0.3 else "registered")
            entry = None if status == "intake" else ("receive", period, letter_id, "")
        secrecy = "confidential" if rng.random() < CONFIDENTIAL_SHARE else "normal"
        parts = fake.search_fields()
        if entry is not None:
            parts += [f"{entry[2]}/{entry[1]}", entry[3]]
        yield Generated(
            id=letter_id,
            fake=fake,
            direction="outgoing" if outgoing else "incoming",
            status=status,
            secrecy=secrecy,
            unit_id=rng.choice(plan.unit_ids),
            created_at=created,
            entry=entry,
            text="\n".join(part for part in parts if part),
        )


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _line(values: Sequence[Any]) -> str:
    return "\t".join(_copy_value(v) for v in values) + "\n"


def load_chunk(plan: LoadPlan, first_id: int, count: int) -> dict[int, list[int]]:
    """Generate and COPY one chunk; returns the brute-force matches {query index: [letter ids]}."""
    import psycopg2
    from psycopg2 import sql

    from registers.search.terms import document_lexemes, normalize, tsvector_literal

    truth: dict[int, list[int]] = {}
    connection = psycopg2.connect(**plan.params)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(plan.schema)))
        connection.commit()
        tables: dict[str, tuple[io.StringIO, Sequence[str]]] = {}

        def add(table: str, columns: Sequence[str], values: Sequence[Any]) -> None:
            buffer = tables.setdefault(table, (io.StringIO(), columns))[0]
            buffer.write(_line(values))

        def flush() -> None:
            with connection.cursor() as cursor:
                for table, (buffer, columns) in tables.items():
                    buffer.seek(0)
                    cursor.copy_expert(
                        sql.SQL("COPY {} ({}) FROM STDIN")
                        .format(
                            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                        )
                        .as_string(connection),
                        buffer,
                    )
            connection.commit()
            tables.clear()

        for index, g in enumerate(generated(plan, first_id, count), start=1):
            f = g.fake
            add(
                "registers_letter",
                LETTER_COLUMNS,
                (
                    g.id, g.direction, "external", "", g.status, f.reference, f.letter_date,
                    f.sender, "", "", f.recipient, "", "", f.subject, "", f.urgency, g.secrecy,
                    "email", "", "", "", "", "10y", "",
                    tsvector_literal(document_lexemes(g.text)),
                    g.created_at, g.created_at, plan.clerk_id, g.unit_id,
                ),
            )  # fmt: skip
            for position, (reference, subject) in enumerate(f.references):
                add(
                    "registers_letterreference",
                    ("letter_id", "position", "reference", "subject"),
                    (g.id, position, reference, subject),
                )
            for position, (description, quantity) in enumerate(f.enclosures):
                add(
                    "registers_enclosure",
                    ("letter_id", "position", "description", "quantity"),
                    (g.id, position, description, quantity),
                )
            if f.attachment_text:
                add(
                    "registers_attachment",
                    ATTACHMENT_COLUMNS,
                    (
                        "main", f"tenants/{plan.schema}/letters/bench/{g.id}.pdf", f"{g.id}.pdf",
                        "application/pdf", 50_000, "0" * 64, f.attachment_text, g.created_at,
                        g.id, plan.clerk_id,
                    ),
                )  # fmt: skip
            if g.entry is not None:
                register, period, number, reference = g.entry
                add(
                    "registers_registerentry",
                    ENTRY_COLUMNS,
                    (
                        register, period, number, "active", g.created_at, reference, "", "",
                        g.id, plan.clerk_id,
                    ),
                )  # fmt: skip
            if g.secrecy != "normal":
                add(
                    "registers_letteraccess",
                    ("letter_id", "user_id", "granted_by_id", "granted_at"),
                    (g.id, plan.clerk_id, plan.clerk_id, g.created_at),
                )
            else:
                text = normalize(g.text)
                for q, (first, second) in enumerate(plan.queries):
                    if first in text and second in text:
                        truth.setdefault(q, []).append(g.id)
            if index % FLUSH == 0:
                flush()
        flush()
    finally:
        connection.close()
    return truth


def _load_task(args: tuple[LoadPlan, int, int]) -> dict[int, list[int]]:
    return load_chunk(*args)


def sample_queries(plan: LoadPlan, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Two different words of one letter, for ``count`` letters drawn from the first chunk."""
    from registers.search.terms import segment

    pool = [g for g in generated(plan, 1, min(plan.total, CHUNK, 5_000)) if g.secrecy == "normal"]
    queries: list[tuple[str, str]] = []
    while len(queries) < count:
        # What a clerk reads on the letter (not the register lines the document also holds).
        text = "\n".join(field for field in rng.choice(pool).fake.search_fields() if field)
        words = list(dict.fromkeys(w for w in segment(text) if len(w) >= 2))
        if len(words) >= 2:
            first, second = rng.sample(words, 2)
            queries.append((first, second))
    return queries


def load(plan: LoadPlan, workers: int, out: Say) -> dict[int, set[int]]:
    """All letters of ``plan`` into its tenant; the GIN index is built once at the end."""
    from django.db import connection

    tasks = [
        (plan, first, min(CHUNK, plan.total - first + 1))
        for first in range(1, plan.total + 1, CHUNK)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = 'letter_search'",
            [plan.schema],
        )
        (index_sql,) = cursor.fetchone() or (None,)
        if index_sql:
            cursor.execute(f'DROP INDEX "{plan.schema}".letter_search')
    truth: dict[int, set[int]] = {}
    started = time.perf_counter()
    if workers > 1 and len(tasks) > 1:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for done, part in enumerate(pool.map(_load_task, tasks), start=1):
                for q, ids in part.items():
                    truth.setdefault(q, set()).update(ids)
                loaded = min(done * CHUNK, plan.total)
                rate = loaded / (time.perf_counter() - started)
                out(f"  loaded {loaded:,}/{plan.total:,} letters ({rate:,.0f}/s)")
    else:
        for task in tasks:
            for q, ids in _load_task(task).items():
                truth.setdefault(q, set()).update(ids)
    out(f"  generated and copied in {time.perf_counter() - started:.1f} s; indexing")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        if index_sql:
            cursor.execute(index_sql)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registers_letter', 'id'), %s)", [plan.total]
        )
        for table in (
            "registers_letter", "registers_registerentry", "registers_letterreference",
            "registers_enclosure", "registers_attachment", "registers_letteraccess",
        ):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("RESET maintenance_work_mem")
    return truth


def compare_documents(letter_ids: Sequence[int]) -> tuple[int, int]:
    """How many of these letters have a stored document other than the application would build."""
    from django.db import connection

    from registers.models import Letter
    from registers.search.indexing import _with_parts, letter_document_text
    from registers.search.terms import document_lexemes

    differing = 0
    for letter in _with_parts(Letter.objects.filter(pk__in=letter_ids)):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tsvector_to_array(search_document) FROM registers_letter WHERE id = %s",
                [letter.pk],
            )
            (stored,) = cursor.fetchone()
        if set(stored) != document_lexemes(letter_document_text(letter)):
            differing += 1
    return len(letter_ids), differing


def _ilike(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def anchor_page(user: Any, first: str, second: str) -> list[Any]:
    """The naive search: ILIKE over the letter's own text columns, newest first."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from registers.search.query import visible_letters

    text = "concat_ws(' ', subject, reference, sender, recipient, summary)"
    matches = RawSQL(  # noqa: S611 (the words are parameters)
        f"{text} ILIKE %s AND {text} ILIKE %s",
        [_ilike(first), _ilike(second)],
        output_field=BooleanField(),
    )
    return list(
        visible_letters(user).filter(matches).defer("search_document").order_by("-id")[:PAGE]
    )


@dataclasses.dataclass
class SearchFigures:
    letters: int
    queries: int
    load_seconds: float
    ours_ms: list[float]
    anchor_ms: list[float]
    recall: list[float]
    precision: list[float]
    missed: list[tuple[str, int, int]]
    documents_checked: int = 0
    documents_differing: int = 0

    @property
    def recall_macro(self) -> float:
        return sum(self.recall) / len(self.recall) if self.recall else float("nan")


def run(
    *,
    letters: int = 1_000_000,
    queries: int = 200,
    workers: int = 2,
    anchor_queries: int | None = None,
    seed: int = 2569,
    check_documents: int = 0,
    out: Say = say,
) -> tuple[list[Row], SearchFigures]:
    from accounts.models import OrgUnit
    from accounts.services import user_create_staff

    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    with throwaway_tenant("bsearch", out) as tenant:
        with tenant:
            clerk = user_create_staff(
                username="bench-clerk", email="clerk@bench.example", role_codes=("central_clerk",)
            )
            officer = user_create_staff(
                username="bench-officer", email="officer@bench.example", role_codes=("officer",)
            )
            unit_ids = tuple(OrgUnit.objects.order_by("pk").values_list("pk", flat=True))
        plan = LoadPlan(
            schema=tenant.schema_name,
            params=database_params(),
            seed=seed,
            total=letters,
            start=datetime(2022, 10, 1, 2, 0, tzinfo=UTC),
            span=timedelta(days=5 * 365),
            clerk_id=clerk.pk,
            unit_ids=unit_ids,
            prefix=tenant.letter_code_prefix,
            queries=(),
        )
        sampled = sample_queries(plan, queries + 10, rng)
        warmup, measured = sampled[:10], sampled[10:]
        plan = dataclasses.replace(plan, queries=tuple(measured))
        out(f"B7: generating {letters:,} letters with {workers} worker(s)")
        started = time.perf_counter()
        with tenant:
            truth = load(plan, workers, out)
        load_seconds = time.perf_counter() - started
        out(f"B7: data ready in {load_seconds:.1f} s; running {len(measured)} queries")
        figures = SearchFigures(letters, len(measured), load_seconds, [], [], [], [], [])
        with tenant:
            if check_documents:
                sample = rng.sample(range(1, letters + 1), check_documents)
                figures.documents_checked, figures.documents_differing = compare_documents(sample)
            measure(figures, officer, warmup, measured, truth, anchor_queries, out)
    return rows_for(figures), figures


def measure(
    figures: SearchFigures,
    user: Any,
    warmup: Sequence[tuple[str, str]],
    measured: Sequence[tuple[str, str]],
    truth: dict[int, set[int]],
    anchor_queries: int | None,
    out: Say,
) -> None:
    """Time the first page of each query (ours and the anchor), then recall and precision."""
    from registers.search.query import letters_search

    for first, second in warmup:
        list(letters_search(user=user, query=f"{first} {second}")[:PAGE])
    for q, (first, second) in enumerate(measured):
        t0 = time.perf_counter()
        list(letters_search(user=user, query=f"{first} {second}")[:PAGE])
        figures.ours_ms.append((time.perf_counter() - t0) * 1000)
        if anchor_queries is None or q < anchor_queries:
            t0 = time.perf_counter()
            anchor_page(user, first, second)
            figures.anchor_ms.append((time.perf_counter() - t0) * 1000)
    out("B7: recall against the brute-force substring match")
    for q, (first, second) in enumerate(measured):
        expected = truth.get(q, set())
        found = set(
            letters_search(user=user, query=f"{first} {second}").values_list("pk", flat=True)
        )
        hit = len(found & expected)
        figures.recall.append(hit / len(expected) if expected else 1.0)
        figures.precision.append(hit / len(found) if found else 1.0)
        if hit < len(expected):
            figures.missed.append((f"{first} {second}", len(expected), hit))


def rows_for(f: SearchFigures) -> list[Row]:
    ours_p95 = percentile(f.ours_ms, 0.95)
    anchor_p95 = percentile(f.anchor_ms, 0.95)
    micro_precision = sum(f.precision) / len(f.precision) if f.precision else math.nan
    return [
        Row(
            "B7 search p95, first page of 50",
            f"{ours_p95:.1f} ms",
            f"{anchor_p95:.1f} ms",
            f"{anchor_p95 / ours_p95:.1f}x faster",
            f"<= {TARGET_P95_MS:.0f} ms",
            ours_p95 <= TARGET_P95_MS,
            f"{f.letters:,} letters, {f.queries} two-word queries; p50 ours "
            f"{percentile(f.ours_ms, 0.5):.1f} ms, anchor {percentile(f.anchor_ms, 0.5):.1f} ms",
        ),
        Row(
            "B7 search recall",
            f"{f.recall_macro:.4f}",
            "-",
            "-",
            f">= {TARGET_RECALL}",
            f.recall_macro >= TARGET_RECALL,
            f"vs brute-force substring match; precision {micro_precision:.4f}; "
            f"data generated and loaded in {f.load_seconds:.0f} s",
        ),
    ]
