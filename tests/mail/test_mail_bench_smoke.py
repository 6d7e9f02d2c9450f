"""B5 at a tiny size in the normal suite: a stream through Postfix to smtp-sink and to the
ingest, then again with the private PostgreSQL stopped; every letter registered once with its
notice queued (speed is not judged here).

Like tests/backups/test_backup_bench_smoke.py it commits a throwaway tenant (other processes
read it) and is therefore not a django_db test: it unblocks the database and drops what it made.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench.harness import print_table, quiet

pytestmark = [pytest.mark.mail]


def test_b5_streams_through_postfix_to_the_sink_and_into_the_register(
    django_db_setup: None, django_db_blocker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from tenants.models import Municipality
    from tests.bench import bench_mail

    with django_db_blocker.unblock():
        before = set(Municipality.objects.values_list("pk", flat=True))
        rows, figures = bench_mail.run(
            messages=12, outage_seconds=2, processes=2, workers=1, out=quiet
        )
        assert set(Municipality.objects.values_list("pk", flat=True)) == before

    assert figures.message_bytes > 45_000
    assert figures.sink is not None and figures.sink.registered == 12 and figures.sink.rate > 0
    for stream in (figures.ours, figures.outage):
        assert stream is not None
        assert (stream.registered, stream.duplicates, stream.acknowledged) == (12, 0, 12)
        assert stream.permanent_errors == 0
    assert figures.outage is not None and figures.outage.outage_seconds >= 2
    assert all(row.passed for row in rows[1:])  # the outage row: exact, no 5xx
    print_table(rows)
    assert "B5 mail ingest, 12 letters" in capsys.readouterr().out
