"""The benchmarks of tests/bench at a tiny size: their checks must hold (speed is not judged).

They build their own throwaway tenants with committed rows (B4 forks clerk processes), so they
are not django_db tests: like the committed_tenant fixture, they unblock the database and drop
what they made.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench.harness import print_table, quiet

pytestmark = [pytest.mark.registers]


def test_b4_numbering_gives_every_number_once(
    django_db_setup: None,
    django_db_blocker: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.bench import bench_numbering

    monkeypatch.setenv("SARABAN_BENCH_THREADS", "1")  # see bench_numbering.run_clerks

    with django_db_blocker.unblock():
        rows, figures = bench_numbering.run(clerks=4, letters=60, out=quiet)
    assert not figures.ours.errors and not figures.anchor.errors
    assert (figures.duplicates, figures.missing) == (0, 0)
    assert figures.registered_once and figures.chain_ok
    assert len(figures.ours.timings.total) == len(figures.anchor.timings.total) == 60
    # The instrumented service really ran, with the counter and (anchor) with a sequence.
    assert len(figures.ours.timings.take) == len(figures.anchor.timings.take) == 60
    assert figures.unchained is not None and not figures.unchained.errors
    assert rows[1].passed
    print_table(rows)
    assert "B4 numbering throughput" in capsys.readouterr().out


def test_b7_search_recall_against_brute_force(
    django_db_setup: None, django_db_blocker: Any
) -> None:
    from tests.bench import bench_search

    with django_db_blocker.unblock():
        rows, figures = bench_search.run(
            letters=400, queries=12, workers=1, check_documents=40, out=quiet
        )
    assert figures.documents_checked == 40 and figures.documents_differing == 0
    assert len(figures.recall) == len(figures.ours_ms) == len(figures.anchor_ms) == 12
    assert figures.recall_macro >= bench_search.TARGET_RECALL, figures.missed
    assert min(figures.precision) > 0.5
    assert rows[1].passed


def test_b8_register_pdf_reads_back(
    django_db_setup: None, django_db_blocker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The register as a clerk requests it, in a fresh process: pages, text and image hold."""
    from tests.bench import bench_register

    with django_db_blocker.unblock():
        rows, figures = bench_register.run(rows=60, runs=1, out=quiet)
    assert figures.text_ok and figures.sheet_ok and figures.image_ok
    assert len(figures.seconds) == 1 and figures.seconds[0] > 0 and figures.typst[0] > 0
    assert 5 <= figures.pages[0] <= 30
    assert "CHECKS FAILED" not in rows[0].notes
    print_table(rows)
    assert "B8 register (60 rows" in capsys.readouterr().out
