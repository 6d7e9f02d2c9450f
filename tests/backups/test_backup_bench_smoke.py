"""B6 at a tiny size in the normal suite: the fleet is made, backed up to two moto regions, the
anchor measured, one tenant restored and compared (speed is not judged here).

Like tests/registers/test_bench_smoke.py it builds committed tenants (threads, pg_dump) and is
therefore not a django_db test: it unblocks the database and drops what it made.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench.harness import print_table, quiet

pytestmark = [pytest.mark.backups]


def test_b6_backs_up_the_fleet_and_restores_one_tenant_verified(
    django_db_setup: None, django_db_blocker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from tenants.backups.models import TenantBackup
    from tenants.models import Municipality
    from tests.bench import bench_backups

    with django_db_blocker.unblock():
        before = set(Municipality.objects.values_list("pk", flat=True))
        rows, figures = bench_backups.run(
            tenants=3, letters=6, file_kb=2, sample=2, jobs=2, workers=2, daily_letters=2, out=quiet
        )
        # Everything it made is gone again.
        assert set(Municipality.objects.values_list("pk", flat=True)) == before
        assert not TenantBackup.objects.exists()

    assert figures.files == 6
    assert len(figures.anchor_sample) == 2 and all(s > 0 for s in figures.anchor_sample)
    assert figures.ours_failed == 0
    assert figures.ours_complete_copies == 2 * 3  # every tenant in both regions
    assert figures.restore_verified
    assert figures.tables_compared > 20 and figures.tables_differing == []
    assert figures.files_compared == 6 + 2 and figures.files_differing == 0
    restore = next(row for row in rows if row.benchmark.startswith("B6 restore"))
    assert restore.passed  # verified, and well within 10 s at this size
    assert figures.first_failed == 0 and figures.first_seconds > 0
    print_table(rows)
    assert "B6 daily backup of 3 tenants" in capsys.readouterr().out
