"""B4: many clerks register incoming letters into one register at the same moment.

Each clerk is a process with its own database connection (as web workers are). Intake items
are made beforehand; at a barrier every clerk starts registering its share through the real
service, ``letter_register_incoming``. The anchor runs the very same service, rows and
transactions, with one difference: the number comes from a plain PostgreSQL sequence instead
of the register's counter row (no gapless numbering, no counter lock). A third run, reported
for the profile only, writes the same rows without the audit chain as well (its row inserted
plainly, no per-schema lock): what registration would cost with nothing serialised.

Afterwards the register is checked: numbers 1..N, each exactly once, every letter registered
once, and the audit chain intact. Each transaction's time is split (taking the number, which
includes waiting for the counter's row lock; the audit append, which includes its advisory
lock; the commit; how long the counter's row stays locked) so that the report can say what
limits throughput.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import queue
import statistics
import threading
import time
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from tests.bench.harness import Row, Say, say, throwaway_tenant

TARGET_RATIO = 0.7


@dataclasses.dataclass
class Timings:
    """Milliseconds per registration, measured inside the clerks."""

    total: list[float] = dataclasses.field(default_factory=list)
    take: list[float] = dataclasses.field(default_factory=list)
    audit: list[float] = dataclasses.field(default_factory=list)
    commit: list[float] = dataclasses.field(default_factory=list)
    held: list[float] = dataclasses.field(default_factory=list)  # number taken -> committed

    def merge(self, other: Timings) -> None:
        for field in dataclasses.fields(self):
            getattr(self, field.name).extend(getattr(other, field.name))

    def mean(self, name: str) -> float:
        values = getattr(self, name)
        return statistics.fmean(values) if values else 0.0


@dataclasses.dataclass
class RunFigures:
    letters: int
    seconds: float
    timings: Timings
    errors: list[str]

    @property
    def rate(self) -> float:
        return self.letters / self.seconds if self.seconds else 0.0


@dataclasses.dataclass
class NumberingFigures:
    clerks: int
    ours: RunFigures
    anchor: RunFigures
    duplicates: int
    missing: int
    registered_once: bool
    chain_ok: bool
    unchained: RunFigures | None = None

    @property
    def ratio(self) -> float:
        return self.ours.rate / self.anchor.rate if self.anchor.rate else 0.0


def make_intake(count: int, *, actor: Any, tag: str) -> list[int]:
    """``count`` intake items (รอลงรับ) with distinct ที่, as mail and scanning leave them."""
    from registers.models import Letter
    from tests.bench.corpus import Corpus

    corpus = Corpus(seed=ord(tag[0]))
    rows = []
    for i in range(count):
        fake = corpus.letter()
        rows.append(
            Letter(
                direction="incoming",
                status="intake",
                channel="email",
                reference=f"{fake.reference or 'ขก 0023.3'}-{tag}{i}",
                letter_date=date(2026, 11, 2) + timedelta(days=i % 20),
                sender=fake.sender,
                recipient=fake.recipient,
                subject=fake.subject,
                urgency=fake.urgency,
                created_by=actor,
            )
        )
    created = Letter.objects.bulk_create(rows, batch_size=2000)
    return [letter.pk for letter in created]


def register_with_service(letter_id: int, user: Any) -> None:
    from registers.models import Letter
    from registers.services.letters import letter_register_incoming

    letter_register_incoming(letter=Letter.objects.get(pk=letter_id), actor=user)


ANCHOR_SEQUENCE = "bench_anchor_number"
ANCHOR_AUDIT_SEQUENCE = "bench_anchor_audit"


def numbers_from_sequence(sequence: str, period: int, count: int = 1) -> range:
    """The anchor's stand-in for numbers_take: a plain sequence, nothing locked until commit."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [ANCHOR_SEQUENCE])
        (number,) = cursor.fetchone()
    return range(number, number + count)


def register_unchained(letter_id: int, user: Any) -> None:
    """For the profile: letter_register_incoming's rows and transaction, nothing serialised."""
    from django.db import connection, transaction
    from django.utils import timezone

    from registers.errors import InvalidState
    from registers.models import AuditEntry, Letter, RegisterEntry
    from registers.selectors.letters import letter_duplicates
    from registers.selectors.settings import registry_settings
    from registers.services.numbering import period_for

    at = timezone.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.status != "intake":
            raise InvalidState("not in intake")
        duplicates = list(letter_duplicates(letter).values_list("pk", flat=True))
        period = period_for(at, registry_settings().numbering_reset)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s), nextval(%s)", [ANCHOR_SEQUENCE, ANCHOR_AUDIT_SEQUENCE]
            )
            number, seq = cursor.fetchone()
        entry = RegisterEntry.objects.create(
            register="receive",
            period=period,
            number=number,
            letter=letter,
            registered_at=at,
            registered_by=user,
        )
        letter.status = "registered"
        letter.save(update_fields=["status", "updated_at"])
        data = {
            "register": entry.register,
            "period": period,
            "number": number,
            "at": at.isoformat(),
            "duplicate_of": duplicates,
        }
        AuditEntry.objects.create(
            seq=seq,
            created_at=timezone.now(),
            actor_id=user.pk,
            actor_name=str(user),
            action="register.receive",
            letter_id=letter.pk,
            data=data,
            prev_hash="",
            hash=hashlib.sha256(json.dumps([seq, data]).encode()).hexdigest(),
        )


def _instrument(timings: Timings, *, sequence_numbers: bool) -> None:
    """Time the number, the audit append and the commit of each registration (this process)."""
    from django.db import connections

    from registers.services import letters as letter_services

    marks: dict[str, float] = {}
    take = numbers_from_sequence if sequence_numbers else letter_services.numbers_take
    append = letter_services.audit_append
    wrapper = connections["default"]
    commit = wrapper.commit

    def timed_take(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = take(*args, **kwargs)
        marks["taken"] = time.perf_counter()
        timings.take.append((marks["taken"] - start) * 1000)
        return result

    def timed_append(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = append(*args, **kwargs)
        timings.audit.append((time.perf_counter() - start) * 1000)
        return result

    def timed_commit() -> None:
        start = time.perf_counter()
        commit()
        end = time.perf_counter()
        timings.commit.append((end - start) * 1000)
        if "taken" in marks:
            timings.held.append((end - marks.pop("taken")) * 1000)

    letter_services.numbers_take = timed_take  # type: ignore[assignment]
    letter_services.audit_append = timed_append  # type: ignore[assignment]
    wrapper.commit = timed_commit  # type: ignore[method-assign]


SERVICE, SEQUENCE, UNCHAINED = "service", "sequence", "unchained"


def _clerk(
    tenant: Any,
    user_id: int,
    letter_ids: Sequence[int],
    mode: str,
    barrier: Any,
    results: Any,
) -> None:
    """One clerk (a forked process): wait for the others, register its letters, report."""
    from django.db import connections

    from accounts.models import User

    timings = Timings()
    errors: list[str] = []
    try:
        with tenant:
            user = User.objects.get(pk=user_id)
            if not _threaded():  # threads share one instrumentation, set up by run_clerks
                _instrument(timings, sequence_numbers=mode == SEQUENCE)
            register = register_unchained if mode == UNCHAINED else register_with_service
            barrier.wait()
            for letter_id in letter_ids:
                start = time.perf_counter()
                try:
                    register(letter_id, user)
                except Exception as exc:  # reported to the parent, which fails the run
                    errors.append(f"{letter_id}: {type(exc).__name__}: {exc}")
                timings.total.append((time.perf_counter() - start) * 1000)
    except Exception as exc:
        errors.append(f"clerk {user_id}: {type(exc).__name__}: {exc}")
        barrier.abort()
    finally:
        connections.close_all()
        results.put((dataclasses.asdict(timings), errors))


def _threaded() -> bool:
    return os.environ.get("SARABAN_BENCH_THREADS") == "1"


def run_clerks(
    tenant: Any, user_ids: Sequence[int], letter_ids: Sequence[int], *, mode: str
) -> RunFigures:
    from django.db import connections

    clerks = len(user_ids)
    processes: list[Any]
    shared = Timings()
    restore: Any = None
    if _threaded():
        # Inside the test suite: forking a pytest process that has run Playwright (or other
        # threads) can hang the child, so the smoke size uses threads, each with its own
        # connection. The real benchmark keeps separate processes (no GIL between clerks).
        barrier: Any = threading.Barrier(clerks + 1)
        results: Any = queue.Queue()
        from registers.services import letters as letter_services

        saved = (letter_services.numbers_take, letter_services.audit_append)

        def restore() -> None:
            letter_services.numbers_take, letter_services.audit_append = saved
            connections["default"].__dict__.pop("commit", None)

        _instrument(shared, sequence_numbers=mode == SEQUENCE)
        processes = [
            threading.Thread(
                target=_clerk,
                args=(tenant, user_id, letter_ids[i::clerks], mode, barrier, results),
            )
            for i, user_id in enumerate(user_ids)
        ]
    else:
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(clerks + 1)
        results = context.Queue()
        connections.close_all()  # never fork a process holding an open connection
        processes = [
            context.Process(
                target=_clerk,
                args=(tenant, user_id, letter_ids[i::clerks], mode, barrier, results),
            )
            for i, user_id in enumerate(user_ids)
        ]
    for process in processes:
        process.start()
    barrier.wait(timeout=300)
    started = time.perf_counter()
    timings = Timings()
    errors: list[str] = []
    for _ in processes:
        data, clerk_errors = results.get(timeout=3600)
        timings.merge(Timings(**data))
        errors += clerk_errors
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    if restore is not None:
        restore()
        timings.take, timings.audit = shared.take, shared.audit
    return RunFigures(len(letter_ids), seconds, timings, errors)


def check_register(letter_ids: Sequence[int]) -> tuple[int, int, bool]:
    """(duplicate numbers, missing numbers, every letter registered exactly once)."""
    from django.db.models import Count

    from registers.models import RegisterEntry

    entries = RegisterEntry.objects.filter(register="receive", letter_id__in=letter_ids)
    numbers = list(entries.values_list("number", flat=True))
    duplicates = len(numbers) - len(set(numbers))
    missing = len(set(range(1, len(letter_ids) + 1)) - set(numbers))
    per_letter = entries.values("letter_id").annotate(n=Count("id")).filter(n=1).count()
    return duplicates, missing, per_letter == len(letter_ids) == len(numbers)


def run(
    *, clerks: int = 50, letters: int = 10_000, unchained: bool = True, out: Say = say
) -> tuple[list[Row], NumberingFigures]:
    from django.db import connection

    from accounts.services import user_create_staff
    from registers.services.audit import audit_verify

    with throwaway_tenant("bnumber", out) as tenant:
        with tenant:
            users = [
                user_create_staff(
                    username=f"clerk{i}",
                    email=f"clerk{i}@bench.example",
                    role_codes=("central_clerk",),
                )
                for i in range(clerks)
            ]
            user_ids = [user.pk for user in users]
            runs = 3 if unchained else 2
            out(f"B4: making {runs * letters:,} intake items")
            batches = [make_intake(letters, actor=users[0], tag=tag) for tag in "sau"[:runs]]
            with connection.cursor() as cursor:
                # The anchors' numbers stay clear of the register's 1..N.
                cursor.execute(f"CREATE SEQUENCE {ANCHOR_SEQUENCE} START 10000001")
                cursor.execute(f"CREATE SEQUENCE {ANCHOR_AUDIT_SEQUENCE} START 20000001")
                cursor.execute("VACUUM ANALYZE registers_letter")
        out(f"B4: {clerks} clerks register {letters:,} letters with letter_register_incoming")
        ours = run_clerks(tenant, user_ids, batches[0], mode=SERVICE)
        with tenant:
            duplicates, missing, once = check_register(batches[0])
        out(f"B4: {ours.rate:.0f}/s; anchor: the same service, numbers from a sequence")
        anchor = run_clerks(tenant, user_ids, batches[1], mode=SEQUENCE)
        with tenant:
            chain = audit_verify()  # both runs appended to the chain
        profile = None
        if unchained:
            out(f"B4: {anchor.rate:.0f}/s; profile: the same rows without the audit chain")
            profile = run_clerks(tenant, user_ids, batches[2], mode=UNCHAINED)
    figures = NumberingFigures(
        clerks, ours, anchor, duplicates, missing, once, chain.ok, unchained=profile
    )
    return rows_for(figures), figures


def rows_for(f: NumberingFigures) -> list[Row]:
    t, a = f.ours.timings, f.anchor.timings
    correct = (f.duplicates == 0 and f.missing == 0 and f.registered_once and f.chain_ok) and not (
        f.ours.errors or f.anchor.errors
    )
    rows = [
        Row(
            "B4 numbering throughput",
            f"{f.ours.rate:.0f} letters/s",
            f"{f.anchor.rate:.0f} letters/s",
            f"{f.ratio:.2f}",
            f">= {TARGET_RATIO}",
            f.ratio >= TARGET_RATIO,
            f"{f.clerks} clerks, {f.ours.letters:,} letters; ms per registration "
            f"{t.mean('total'):.1f} (anchor {a.mean('total'):.1f}); number+lock wait "
            f"{t.mean('take'):.1f} ({a.mean('take'):.1f}), audit append {t.mean('audit'):.1f} "
            f"({a.mean('audit'):.1f}), commit {t.mean('commit'):.1f} ({a.mean('commit'):.1f}); "
            f"counter row locked {t.mean('held'):.1f} ms",
        ),
        Row(
            "B4 numbering correctness",
            f"{f.duplicates} duplicate, {f.missing} missing",
            "-",
            "-",
            "0 and 0, each letter once, chain intact",
            correct,
            f"errors: {len(f.ours.errors)} ours, {len(f.anchor.errors)} anchor; "
            f"audit chain {'intact' if f.chain_ok else 'BROKEN'}",
        ),
    ]
    if f.unchained is not None:
        u = f.unchained
        rows.append(
            Row(
                "B4 profile: no audit chain either",
                f"{u.rate:.0f} letters/s",
                f"{f.anchor.rate:.0f} letters/s",
                f"{u.rate / f.anchor.rate:.2f}" if f.anchor.rate else "-",
                "(reported only)",
                not u.errors,
                f"same rows, numbers from a sequence, audit row without chain or lock; "
                f"{u.timings.mean('total'):.1f} ms per registration, commit "
                f"{u.timings.mean('commit'):.1f} ms",
            )
        )
    return rows
