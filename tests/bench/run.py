"""Run the benchmarks and print one table (``infra/dev/bench`` is the documented way in).

    python -m tests.bench.run [--smoke] [--only B4,B6,B7] [--b4-clerks N] [--b4-letters N]
                              [--b7-letters N] [--b7-queries N] [--workers N]
                              [--b6-tenants N] [--b6-letters N] [--b6-sample N] [--b6-jobs N]

Sizes default to the full ones of docs (50 clerks x 10,000 letters; 1,000,000 letters and 200
queries) and may also come from the environment: BENCH_B4_CLERKS, BENCH_B4_LETTERS,
BENCH_B7_LETTERS, BENCH_B7_QUERIES, BENCH_WORKERS. B6 (backups): 1,000 tenants x 500 letters,
pg_dump -n over 20 of them, 4 jobs; BENCH_B6_TENANTS, BENCH_B6_LETTERS, BENCH_B6_SAMPLE,
BENCH_B6_JOBS. B5 (mail ingest): 10,000 letters, PostgreSQL down 30 s in the second stream,
2 ingest processes; BENCH_B5_MESSAGES, BENCH_B5_OUTAGE, BENCH_B5_PROCESSES. B8 (letters): 50
two-page letters rendered (p50); BENCH_B8_LETTERS; and the year's receive register (5,000 rows)
as PDF, median of 3 fresh processes; BENCH_B8_REGISTER_ROWS, BENCH_B8_REGISTER_RUNS
(BENCH_B8_REGISTER_KEEP=<file> keeps the first PDF).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

SMOKE = {"b4_clerks": 4, "b4_letters": 200, "b7_letters": 3_000, "b7_queries": 20}
FULL = {"b4_clerks": 50, "b4_letters": 10_000, "b7_letters": 1_000_000, "b7_queries": 200}
# B6 backups: tenants x letters (one stored file each), pg_dump -n sample size, parallel jobs.
SMOKE.update({"b6_tenants": 4, "b6_letters": 20, "b6_sample": 2, "b6_jobs": 2})
FULL.update({"b6_tenants": 1_000, "b6_letters": 500, "b6_sample": 20, "b6_jobs": 4})
# B5 mail ingest: letters per stream, seconds PostgreSQL is down, ingest processes.
SMOKE.update({"b5_messages": 30, "b5_outage": 3, "b5_processes": 2})
FULL.update({"b5_messages": 10_000, "b5_outage": 30, "b5_processes": 2})
# B8 letters: two-page external letters rendered (and signed when a signer is set up).
SMOKE.update({"b8_letters": 3, "b8_register_rows": 60, "b8_register_runs": 1})
FULL.update({"b8_letters": 50, "b8_register_rows": 5_000, "b8_register_runs": 3})


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="infra/dev/bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (a minute)")
    parser.add_argument(
        "--only", default="B4,B5,B6,B7,B8", help="comma-separated: B4, B5, B6, B7, B8"
    )
    for key in FULL:
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None, help="processes for data generation")
    args = parser.parse_args(argv)
    sizes = dict(SMOKE if args.smoke else FULL)
    for key in sizes:
        sizes[key] = _env_int(f"BENCH_{key.upper()}", sizes[key])
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    workers = args.workers or _env_int("BENCH_WORKERS", os.cpu_count() or 1)
    only = {name.strip().upper() for name in args.only.split(",") if name.strip()}

    from tests.bench.harness import configure_cli, prepare_database, print_table, say

    configure_cli()
    prepare_database()
    rows = []
    started = time.perf_counter()
    if "B4" in only:
        from tests.bench import bench_numbering

        b4_rows, _ = bench_numbering.run(clerks=sizes["b4_clerks"], letters=sizes["b4_letters"])
        rows += b4_rows
    if "B5" in only:
        from tests.bench import bench_mail

        b5_rows, _ = bench_mail.run(
            messages=sizes["b5_messages"],
            outage_seconds=sizes["b5_outage"],
            processes=sizes["b5_processes"],
            workers=workers,
        )
        rows += b5_rows
    if "B6" in only:
        from tests.bench import bench_backups

        b6_rows, _ = bench_backups.run(
            tenants=sizes["b6_tenants"],
            letters=sizes["b6_letters"],
            sample=sizes["b6_sample"],
            jobs=sizes["b6_jobs"],
            workers=workers,
        )
        rows += b6_rows
    if "B8" in only:
        from tests.bench import bench_letters

        with bench_letters.test_pki_signer() as sign:
            b8_rows, _ = bench_letters.run(letters=sizes["b8_letters"], sign=sign)
        rows += b8_rows
        from tests.bench import bench_register

        b8_register_rows, _ = bench_register.run(
            rows=sizes["b8_register_rows"], runs=sizes["b8_register_runs"]
        )
        rows += b8_register_rows
    if "B7" in only:
        from tests.bench import bench_search

        b7_rows, figures = bench_search.run(
            letters=sizes["b7_letters"], queries=sizes["b7_queries"], workers=workers
        )
        rows += b7_rows
        for query, expected, found in figures.missed[:10]:
            say(f"B7 missed: {query!r}: {found} of {expected}")
    say(f"all benchmarks took {time.perf_counter() - started:.0f} s")
    print_table(rows)
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
