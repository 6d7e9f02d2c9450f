"""B8's letter part at a tiny size: its checks must hold (speed is not judged here)."""

from __future__ import annotations

import pytest

from tests.bench.harness import print_table, quiet

pytestmark = [pytest.mark.letters]


def test_b8_renders_two_page_letters_that_read_back(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.bench import bench_letters

    rows, figures = bench_letters.run(letters=3, out=quiet)
    assert figures.pages == [2, 2, 2]
    assert figures.text_ok and figures.image_ok
    assert len(figures.seconds) == 3 and all(s > 0 for s in figures.seconds)
    print_table(rows)
    assert "B8 letter (2 pages) p50" in capsys.readouterr().out
