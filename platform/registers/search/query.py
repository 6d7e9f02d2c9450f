"""ค้นหาหนังสือ: the letters a person may see that contain every word of a query, newest first.

Every word is looked up by its character trigrams (registers.search.terms), which PostgreSQL
answers from the GIN index on ``Letter.search_document``. What is slow is not finding the
matches but showing the newest 50 of them: GIN returns matches in no useful order, so a page
means fetching and sorting all of them, which is fine for a few thousand and takes seconds for
a hundred thousand. When matches are that common, walking the primary key backwards and
testing each letter finds a page after a few hundred letters. PostgreSQL cannot tell the two
cases apart (it multiplies the frequencies of a word's trigrams as if they were unrelated and
always expects a handful of matches), so ``letters_search`` decides: it counts the matches
among the newest ``PROBE_ROWS`` letters and writes the page's SQL so that PostgreSQL can only
do the cheaper thing (see ``_Matches`` and ``_LetterId``). Counting the queryset, or reading it
whole, always uses GIN.

GIN's own work is kept small by asking only for the three rarest trigrams of each word
(frequencies from PostgreSQL's statistics of the column) and by spelling out common
two-character words (terms.QueryWord).

Measured with tests/bench (B7): 1,000,000 letters, 200 two-word queries, on a shared 2-core
machine with PostgreSQL's default 128 MB of shared buffers; see the report in the benchmark.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.sql.compiler import SQLCompiler

from registers.choices import Secrecy
from registers.models import Letter, LetterAccess, RegisterEntry
from registers.search.terms import GramStats, QueryWord, join_tsquery, query_word, useful_words
from thaiformat.dates import BANGKOK, BE_OFFSET

PAGE = 50  # what a results page shows: the first pages are what the choice below optimises
PROBE_ROWS = 1000
# Below this many letters (about) GIN answers every query fast enough: no probe.
SMALL_TABLE = 5 * PROBE_ROWS
# Matches GIN may fetch and sort for a page without a probe first.
FEW_MATCHES = 2000
STATS_SECONDS = 600


def _paged(query: Any) -> bool:
    """A slice ordered newest first by ``letters_search`` (a results page)."""
    return query.high_mark is not None and any(
        isinstance(getattr(order, "expression", None), _LetterId) for order in query.order_by
    )


class _TsQuery(Expression):
    """The query as a tsquery literal: the GIN form, or on a walking page the test form."""

    output_field = SearchQueryField()

    def __init__(self, tsquery: str, gin_tsquery: str, *, walk: bool) -> None:
        super().__init__()
        self.tsquery, self.gin_tsquery, self.walk = tsquery, gin_tsquery, walk

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        walking = self.walk and _paged(compiler.query)
        return "%s::tsquery", (self.tsquery if walking else self.gin_tsquery,)


class _Matches(Func):
    """``search_document @@ tsquery``: from GIN, or (``walk``, on a page) by testing letters.

    With ``walk``, a page uses the function ``ts_match_vq`` instead of the operator; it is no
    indexable operator, so PostgreSQL tests the letters newest first along the primary key and
    stops at the page's end. Anything else (counting, the whole list) uses GIN.
    """

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, tsquery: str, *, walk: bool = False, gin_tsquery: str = "") -> None:
        super().__init__(F("search_document"), _TsQuery(tsquery, gin_tsquery or tsquery, walk=walk))
        self.walk = walk

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        if self.walk and _paged(compiler.query):
            template, arg_joiner = "ts_match_vq(%(expressions)s)", ", "
        return super().as_sql(compiler, connection, function, template, arg_joiner, **extra_context)


class _LetterId(Func):
    """The letter's id for ``ORDER BY``: plain on a walking page (so that the primary key gives
    the order), ``id + 0`` otherwise (so that PostgreSQL cannot walk it and uses GIN)."""

    output_field = IntegerField()

    def __init__(self, *, walk: bool) -> None:
        super().__init__(F("id"))
        self.walk = walk

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        walking = self.walk and compiler.query.high_mark is not None
        template = "%(expressions)s" if walking else "(%(expressions)s + 0)"
        return super().as_sql(compiler, connection, function, template, arg_joiner, **extra_context)


def matches(tsquery: str, *, walk: bool = False) -> _Matches:
    return _Matches(tsquery, walk=walk)


_stats_lock = threading.Lock()
_stats: dict[str, tuple[float, GramStats | None]] = {}


def gram_stats() -> GramStats | None:
    """This schema's most common lexemes and their shares (refreshed every STATS_SECONDS)."""
    schema = getattr(connection, "schema_name", "public")
    now = time.monotonic()
    with _stats_lock:
        cached = _stats.get(schema)
    if cached is not None and cached[0] > now:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT most_common_elems::text::text[], most_common_elem_freqs
            FROM pg_stats
            WHERE schemaname = current_schema() AND tablename = %s AND attname = %s
            """,
            [Letter._meta.db_table, "search_document"],
        )
        row = cursor.fetchone()
    stats = None
    if row is not None and row[0]:
        lexemes, shares = row[0], row[1]
        # After one share per element come the minimum, the maximum and the null share.
        stats = GramStats(dict(zip(lexemes, shares, strict=False)), min(shares[: len(lexemes)]))
    with _stats_lock:
        _stats[schema] = (now + STATS_SECONDS, stats)
    return stats


def _probe(letters: QuerySet[Letter], tsquery: str) -> int:
    """Matches among the newest PROBE_ROWS letters that meet the query's other conditions."""
    hits = (
        letters.order_by("-id")
        .annotate(hit=_Matches(tsquery, walk=True))
        .values_list("hit", flat=True)[:PROBE_ROWS]
    )
    return sum(1 for hit in hits if hit)


def _text_filter(
    letters: QuerySet[Letter], words: list[QueryWord]
) -> tuple[QuerySet[Letter], bool]:
    """``letters`` narrowed to those containing every word, and whether pages walk.

    With m matches among the newest PROBE_ROWS letters, walking tests about
    PAGE * PROBE_ROWS / m letters for a page, and GIN fetches about m * newest / PROBE_ROWS
    matches: both are row reads of about the same cost, equal at
    m = PROBE_ROWS * sqrt(PAGE / newest) (7 for a million letters).
    """
    tsquery = join_tsquery(words)
    newest = Letter.objects.aggregate(newest=Max("id"))["newest"] or 0  # about the table's size
    upper = min(w.frequency if w.frequency is not None else 1.0 for w in words)
    walk = (
        newest >= SMALL_TABLE
        and upper * newest > FEW_MATCHES
        and _probe(letters, tsquery) >= PROBE_ROWS * math.sqrt(PAGE / newest)
    )
    gin_tsquery = join_tsquery(words, gin=True)
    return letters.filter(_Matches(tsquery, walk=walk, gin_tsquery=gin_tsquery)), walk


def visible_letters(user: Any, letters: QuerySet[Letter] | None = None) -> QuerySet[Letter]:
    """registers.selectors.letters.letters_visible_to without its join and DISTINCT.

    Same rule (tests/registers/test_search.py checks they agree), written with a subquery so
    that a search can stop at the first page instead of de-duplicating every match first.
    """
    role_ids = list(user.roles.values_list("pk", flat=True))
    named = LetterAccess.objects.filter(Q(user=user) | Q(role__in=role_ids)).values("letter_id")
    base = letters if letters is not None else Letter.objects.all()
    return base.filter(Q(secrecy=Secrecy.NORMAL) | Q(created_by=user) | Q(pk__in=named))


def _be_year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime(year - BE_OFFSET, 1, 1, tzinfo=BANGKOK)
    return start, start.replace(year=start.year + 1)


def letters_search(
    *,
    user: Any,
    query: str = "",
    register: str | None = None,
    year: int | None = None,
    urgency: str | None = None,
    unit_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Letter]:
    """Letters ``user`` may see that contain every word of ``query`` (as a substring), newest first.

    ``register``: letters with an entry in that register. ``year`` (BE): the period of such an
    entry, or, for a letter with no entry, the Bangkok year it was created in. Newest first is
    the order letters were entered (their id), which follows ``created_at``. Looks at the
    newest letters once (see the module's note) when the query has words.
    """
    letters = visible_letters(user)
    entries = RegisterEntry.objects.filter(letter=OuterRef("pk"))
    if register:
        entries = entries.filter(register=register)
        letters = letters.filter(Exists(entries))
    if year is not None:
        start, end = _be_year_bounds(year)
        in_year = Q(Exists(entries.filter(period=year)))
        if not register:
            in_year |= Q(~Exists(entries), created_at__gte=start, created_at__lt=end)
        letters = letters.filter(in_year)
    if urgency:
        letters = letters.filter(urgency=urgency)
    if unit_id is not None:
        letters = letters.filter(owner_unit_id=unit_id)
    if status:
        letters = letters.filter(status=status)
    walk = True  # without words, the primary key gives the newest letters directly
    words = useful_words(query)
    if words:
        stats = gram_stats()
        letters, walk = _text_filter(letters, [query_word(w, stats) for w in words])
    return letters.defer("search_document").order_by(_LetterId(walk=walk).desc())
