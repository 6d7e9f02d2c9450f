"""B5: mail ingest. A stream of letters through Postfix -> LMTP -> registered and acknowledged.

Set-up: a municipality onboarded with the real service; a private PostgreSQL cluster
(``tests.mail.helpers_pgcluster``) holding a copy of the control plane and its schema (so
that the database can be stopped without touching the machine's); a government sender whose
DKIM key and DMARC record a private BIND serves, so that the municipality's default policy
registers every letter at once and queues its receipt notice (แจ้งผลการรับ); ``messages``
letters of about 50 KB each (Thai subject, one PDF), DKIM-signed, generated before timing.

Anchor, in the same run: the same Postfix configuration delivering the same stream to
Postfix's own ``smtp-sink`` (LMTP, accepts everything). Both runs are timed the same way: from
the first submission (4 SMTP clients) until the last letter is delivered (the sink: Postfix
logged it sent; ours: the letter is registered with its notice queued, read from the
database).

Then the same again with a new stream and PostgreSQL stopped (``pg_ctl -m fast``) for
``outage_seconds`` once half of it is registered. Both runs must end with every Message-ID
registered exactly once and a notice queued for each.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.harness import Row, Say, say, throwaway_tenant

TARGET_RATIO = 0.5
SUBMIT_CLIENTS = 4
# The same for the anchor and for us: the platform's own main.cf (infra/postfix, which allows
# 50 LMTP deliveries at once to the ingest), with LMTP connections reused (Postfix's default,
# written out).
POSTFIX_TUNING = "lmtp_connection_cache_on_demand = yes\n"


@dataclasses.dataclass
class StreamRun:
    label: str
    messages: int
    seconds: float = 0.0
    submit_seconds: float = 0.0
    submit_retries: int = 0
    registered: int = 0  # distinct Message-IDs registered (ours) or delivered (the sink)
    duplicates: int = 0
    acknowledged: int = 0
    deferred_451: int = 0
    permanent_errors: int = 0
    outage_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def lost(self) -> int:
        return self.messages - self.registered


@dataclasses.dataclass
class MailFigures:
    messages: int
    message_bytes: int = 0
    generate_seconds: float = 0.0
    ingest_processes: int = 1
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sink: StreamRun | None = None
    ours: StreamRun | None = None
    outage: StreamRun | None = None

    @property
    def ratio(self) -> float:
        if not (self.sink and self.ours and self.sink.rate):
            return 0.0
        return self.ours.rate / self.sink.rate


def _wait(check: Callable[[], bool], timeout: float, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


_REGISTERED = (
    " FROM mailhosting_inboundmessage m"
    " LEFT JOIN mailhosting_acknowledgement a ON a.letter_id = m.letter_id"
    " AND a.municipality_id = m.municipality_id"
    " WHERE m.recipient = %s AND m.outcome = 'registered'"
)


def _count(pg: Any, sql: str, params: list[Any]) -> tuple[int, ...] | None:
    """One row of counts from the private cluster, or None while it is down."""
    try:
        conn = pg.connect()
    except Exception:
        return None
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return tuple(int(value) for value in cursor.fetchone())
    except Exception:
        return None
    finally:
        conn.close()


def _counts(pg: Any, recipient: str, message_ids: Sequence[str]) -> tuple[int, int, int]:
    """(distinct Message-IDs registered, duplicate rows, notices queued), or (-1, 0, 0) if the
    database is down."""
    found = _count(
        pg,
        "SELECT count(DISTINCT m.message_id), count(*) - count(DISTINCT m.message_id),"
        " count(a.id)" + _REGISTERED + " AND m.message_id = ANY(%s)",
        [recipient, list(message_ids)],
    )
    return (found[0], found[1], found[2]) if found else (-1, 0, 0)


def _progress(pg: Any, recipient: str, since: datetime) -> tuple[int, int]:
    """(letters registered, notices queued) for the recipient since ``since``: a cheap count for
    polling while the stream runs (the exact check by Message-ID, ``_counts``, sends ten
    thousand ids to the server and would load the machine being measured twice a second)."""
    found = _count(
        pg,
        "SELECT count(*), count(a.id)" + _REGISTERED + " AND m.received_at >= %s",
        [recipient, since],
    )
    return (found[0], found[1]) if found else (-1, 0)


def _postfix_outcomes(log: str, run: StreamRun) -> None:
    for line in log.splitlines():
        if "status=deferred" in line and "said: 451" in line:
            run.deferred_451 += 1
        if "status=bounced" in line or " said: 5" in line:
            run.permanent_errors += 1


def _sink_run(pg: Any, stream: Sequence[Any], sender: str, to: str, out: Say) -> StreamRun:
    from tests.mail.helpers_postfix import private_postfix
    from tests.mail.helpers_stream import smtp_sink, submit

    run = StreamRun("smtp-sink", len(stream))
    with (
        smtp_sink() as sink_port,
        private_postfix(lmtp_port=sink_port, database=pg.params, extra=POSTFIX_TUNING) as postfix,
    ):
        started = time.perf_counter()
        submitted = submit(postfix.smtp_port, stream, sender=sender, to=to, clients=SUBMIT_CLIENTS)
        done = _wait(lambda: postfix.log().count("status=sent") >= len(stream), 3600, 0.1)
        run.seconds = time.perf_counter() - started
        log = postfix.log()
    run.submit_seconds, run.submit_retries = submitted.seconds, submitted.retries
    run.registered = log.count("status=sent") if done else 0
    _postfix_outcomes(log, run)
    out(f"B5 anchor: {len(stream)} to smtp-sink in {run.seconds:.1f} s ({run.rate:.0f}/s)")
    return run


def _ingest_run(
    pg: Any,
    stream: Sequence[Any],
    *,
    label: str,
    sender: str,
    to: str,
    env: dict[str, str],
    workdir: Path,
    processes: int,
    outage_seconds: float,
    out: Say,
) -> StreamRun:
    from tests.mail.helpers_postfix import private_postfix
    from tests.mail.helpers_stream import Submission, ingest_processes, submit

    run = StreamRun(label, len(stream))
    ids = [letter.message_id for letter in stream]
    counts = (0, 0, 0)

    since = datetime.now(UTC)

    def complete() -> bool:
        nonlocal counts
        progress = _progress(pg, to, since)
        if progress[0] < len(stream) or progress[1] < len(stream):
            return False
        found = _counts(pg, to, ids)
        if found[0] >= 0:
            counts = found
        return counts[0] >= len(stream) and counts[2] >= len(stream)

    with (
        ingest_processes(
            database_url=pg.url, log=workdir / f"{label}.log", processes=processes, env=env
        ) as ingest,
        private_postfix(lmtp_port=ingest.port, database=pg.params, extra=POSTFIX_TUNING) as postfix,
    ):
        submitted = Submission()

        def send() -> None:
            nonlocal submitted
            submitted = submit(
                postfix.smtp_port, stream, sender=sender, to=to, clients=SUBMIT_CLIENTS
            )

        started = time.perf_counter()
        sender_thread = threading.Thread(target=send)
        sender_thread.start()
        if outage_seconds:
            _wait(lambda: _progress(pg, to, since)[0] >= len(stream) // 2, 3600, 0.5)
            down = time.perf_counter()
            pg.stop("fast")
            out(f"B5 {label}: PostgreSQL stopped after {time.perf_counter() - started:.1f} s")
            time.sleep(outage_seconds)
            pg.start()
            run.outage_seconds = time.perf_counter() - down
            postfix.flush()
        finished = _wait(complete, 3600, 0.5)
        run.seconds = time.perf_counter() - started
        sender_thread.join()
        time.sleep(2)  # a late duplicate would show up now
        complete()
        log = postfix.log()
        if not finished:
            out(f"B5 {label}: incomplete {counts}\n{ingest.output()[-2000:]}\n{log[-2000:]}")
    run.submit_seconds, run.submit_retries = submitted.seconds, submitted.retries
    run.registered, run.duplicates, run.acknowledged = counts
    _postfix_outcomes(log, run)
    out(
        f"B5 {label}: {run.registered} registered, {run.acknowledged} notices queued, "
        f"{run.duplicates} duplicates in {run.seconds:.1f} s ({run.rate:.1f}/s); "
        f"{run.deferred_451} deferrals with 451"
    )
    return run


def run(
    *,
    messages: int,
    outage_seconds: float = 30.0,
    processes: int = 1,
    workers: int = 2,
    out: Say = say,
) -> tuple[list[Row], MailFigures]:
    from django.conf import settings
    from django.db import connection

    from mailhosting.models import MailDomain
    from tests.mail.helpers_dns import authoritative_dns
    from tests.mail.helpers_pgcluster import private_postgres
    from tests.mail.helpers_stream import SenderDomain, letters

    figures = MailFigures(messages=messages, ingest_processes=processes)
    run_id = uuid.uuid4().hex[:10]
    queue = f"bench-mail-{run_id}"
    with (
        throwaway_tenant("mail", out) as tenant,
        tempfile.TemporaryDirectory(prefix="bench-mail-") as tmp,
    ):
        to = MailDomain.objects.get(municipality=tenant, is_primary=True).central_address
        sender = SenderDomain.make(f"changwat{run_id[:6]}.go.th")
        started = time.perf_counter()
        stream = letters(sender, to, messages, run_id=f"{run_id}a", workers=workers)
        second = letters(sender, to, messages, run_id=f"{run_id}b", workers=workers)
        figures.generate_seconds = time.perf_counter() - started
        figures.message_bytes = sum(len(letter.raw) for letter in stream) // messages
        out(
            f"B5: {2 * messages} signed letters of {figures.message_bytes} bytes made in "
            f"{figures.generate_seconds:.1f} s"
        )
        try:
            with authoritative_dns() as named, private_postgres() as pg:
                named.serve({sender.name: sender.zone()})
                seconds = pg.copy_schemas(connection.settings_dict, ["public", tenant.schema_name])
                out(f"B5: private PostgreSQL on {pg.port}, schemas copied in {seconds:.1f} s")
                env = {"MAIL_DNS_NAMESERVERS": named.address, "CELERY_QUEUE": queue}
                figures.load_before = os.getloadavg()
                figures.sink = _sink_run(pg, stream, sender.address, to, out)
                common: dict[str, Any] = {
                    "sender": sender.address,
                    "to": to,
                    "env": env,
                    "workdir": Path(tmp),
                    "processes": processes,
                    "out": out,
                }
                figures.ours = _ingest_run(pg, stream, label="ingest", outage_seconds=0, **common)
                figures.load_after = os.getloadavg()
                if outage_seconds:
                    figures.outage = _ingest_run(
                        pg, second, label="outage", outage_seconds=outage_seconds, **common
                    )
        finally:
            _forget_queue(queue)
            shutil.rmtree(Path(settings.MEDIA_ROOT) / "tenants" / tenant.schema_name, True)
    return _rows(figures), figures


def _forget_queue(queue: str) -> None:
    """The notices' send tasks went to a queue of this run only; no worker reads it."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(queue)
    client.close()


def _rows(figures: MailFigures) -> list[Row]:
    rows: list[Row] = []
    sink, ours, outage = figures.sink, figures.ours, figures.outage
    if sink is None or ours is None:
        return rows
    load = "load " + "/".join(f"{value:.1f}" for value in figures.load_before)
    exact = ours.lost == 0 and ours.duplicates == 0 and ours.acknowledged == ours.messages
    rows.append(
        Row(
            benchmark=f"B5 mail ingest, {figures.messages} letters",
            ours=f"{ours.rate:.1f}/s",
            anchor=f"{sink.rate:.1f}/s",
            ratio=f"{figures.ratio:.2f}x",
            target=f">= {TARGET_RATIO}x, 0 lost, 0 twice",
            passed=figures.ratio >= TARGET_RATIO and exact and sink.lost == 0,
            notes=f"{ours.lost} lost, {ours.duplicates} twice, "
            f"{ours.acknowledged} notices; {figures.ingest_processes} ingest proc; {load}",
        )
    )
    if outage is not None:
        ratio = outage.rate / sink.rate if sink.rate else 0.0
        exact = (
            outage.lost == 0
            and outage.duplicates == 0
            and outage.acknowledged == outage.messages
            and outage.permanent_errors == 0
        )
        rows.append(
            Row(
                benchmark=f"B5 with PostgreSQL down {outage.outage_seconds:.0f} s",
                ours=f"{outage.rate:.1f}/s",
                anchor=f"{sink.rate:.1f}/s",
                ratio=f"{ratio:.2f}x",
                target="0 lost, 0 twice, no 5xx",
                passed=exact,
                notes=f"{outage.lost} lost, {outage.duplicates} twice, "
                f"{outage.deferred_451} deferred with 451, {outage.permanent_errors} 5xx",
            )
        )
    return rows
