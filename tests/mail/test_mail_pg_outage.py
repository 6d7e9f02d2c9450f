"""PostgreSQL stopped in the middle of a stream of messages: nothing lost, nothing twice.

The real chain against a PRIVATE PostgreSQL cluster (initdb on a free port; the machine's shared
one is never stopped): a copy of the test database's public schema and the municipality's
schema, the ingest (``manage.py mail_ingest``) as its own process, a private Postfix reading the
same cluster. A government sender's DKIM-signed letters (a private BIND serves its key and DMARC
record) stream in; the database crashes halfway (``pg_ctl -m immediate``), stays down for some
seconds and comes back. Every letter must then be registered exactly once with its receipt
notice queued, and Postfix's log must show that the ingest answered 451, never a 5xx.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from mailhosting.models import MailDomain
from tests.mail.helpers_dns import authoritative_dns
from tests.mail.helpers_pgcluster import PrivatePostgres, private_postgres
from tests.mail.helpers_postfix import private_postfix
from tests.mail.helpers_stream import (
    SenderDomain,
    Submission,
    ingest_processes,
    letters,
    submit,
)

pytestmark = [pytest.mark.mail]

MESSAGES = 200
OUTAGE_SECONDS = 6


def _rows(pg: PrivatePostgres, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with pg.connect() as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    conn.close()
    return rows


def _registered(pg: PrivatePostgres, recipient: str) -> int:
    try:
        return int(
            _rows(
                pg,
                "SELECT count(*) FROM mailhosting_inboundmessage WHERE recipient = %s",
                [recipient],
            )[0][0]
        )
    except Exception:
        return -1  # down


def _wait(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


def test_postgresql_stopped_mid_stream_every_letter_is_registered_once(
    committed_tenant: Any, tmp_path: Path
) -> None:
    tenant = committed_tenant
    address = MailDomain.objects.get(municipality=tenant, is_primary=True).central_address
    sender = SenderDomain.make(f"outage{uuid.uuid4().hex[:6]}.go.th")
    run_id = uuid.uuid4().hex[:10]
    stream = letters(sender, address, MESSAGES, run_id=run_id)
    expected = {letter.message_id for letter in stream}

    with authoritative_dns() as named, private_postgres() as pg:
        named.serve({sender.name: sender.zone()})
        pg.copy_schemas(connection.settings_dict, ["public", tenant.schema_name])
        env = {"MAIL_DNS_NAMESERVERS": named.address, "CELERY_QUEUE": f"outage-{run_id}"}
        with (
            ingest_processes(database_url=pg.url, log=tmp_path / "ingest.log", env=env) as ingest,
            private_postfix(lmtp_port=ingest.port, database=pg.params) as postfix,
        ):
            submitted = Submission()

            def send() -> None:
                nonlocal submitted
                submitted = submit(
                    postfix.smtp_port, stream, sender=sender.address, to=address, clients=2
                )

            sender_thread = threading.Thread(target=send)
            sender_thread.start()
            # The database crashes while the stream is being delivered.
            assert _wait(lambda: _registered(pg, address) >= MESSAGES // 4, 90), (
                ingest.output()[-3000:] + postfix.log()[-3000:]
            )
            pg.stop("immediate")
            before_outage = postfix.log().count("status=sent")
            time.sleep(OUTAGE_SECONDS)
            pg.start()
            postfix.flush()
            all_in = _wait(lambda: _registered(pg, address) >= MESSAGES, 120)
            sender_thread.join(60)
            assert all_in, (
                f"{_registered(pg, address)} of {MESSAGES}\n"
                + ingest.output()[-3000:]
                + postfix.log()[-3000:]
            )
            time.sleep(2)  # a duplicate delivery would show up now
            log = postfix.log()

        assert submitted.sent == MESSAGES
        delivered = _rows(
            pg,
            "SELECT message_id, count(*), min(outcome), max(outcome), min(letter_id) "
            "FROM mailhosting_inboundmessage WHERE recipient = %s GROUP BY message_id",
            [address],
        )
        assert {row[0] for row in delivered} == expected  # none lost, none foreign
        assert [row for row in delivered if row[1] != 1] == []  # none twice
        assert {(row[2], row[3]) for row in delivered} == {("registered", "registered")}
        letter_ids = [row[4] for row in delivered]
        schema = tenant.schema_name
        query = (
            f'SELECT count(*), count(DISTINCT l.message_id) FROM "{schema}".registers_letter l '  # noqa: S608 (our schema)
            f'JOIN "{schema}".registers_registerentry e ON e.letter_id = l.id '
            "WHERE l.message_id = ANY(%s)"
        )
        in_register = _rows(pg, query, [sorted(expected)])
        assert in_register == [(MESSAGES, MESSAGES)]  # one register entry per letter
        acknowledgements = _rows(
            pg,
            "SELECT count(*), count(DISTINCT letter_id) FROM mailhosting_acknowledgement "
            "WHERE to_address = %s AND letter_id = ANY(%s)",
            [sender.address, letter_ids],
        )
        assert acknowledgements == [(MESSAGES, MESSAGES)]  # every receipt notice queued

    # During the outage the ingest answered 451 and Postfix kept the letters; nothing bounced.
    deferred = [line for line in log.splitlines() if "status=deferred" in line]
    assert any(re.search(r"said: 451 4\.3\.0", line) for line in deferred), log[-3000:]
    assert "status=bounced" not in log
    assert not re.search(r"said: 5\d\d", log)
    assert before_outage < MESSAGES  # the outage really was in the middle of the stream
    print(
        f"{MESSAGES} letters, database down {OUTAGE_SECONDS} s after {before_outage} deliveries; "
        f"{len(deferred)} deferrals; {submitted.retries} submission retries"
    )
