"""What every benchmark shares: the database it runs in, throwaway tenants, the result table.

The command line (``infra/dev/bench``) runs in its own database, ``<DATABASE_URL's name>_bench``,
made and migrated on first use; the smoke test runs the same code in the test database.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
Say = Callable[[str], None]


def say(message: str) -> None:
    """Progress goes to stderr; the result table alone goes to stdout."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def quiet(_message: str) -> None:
    pass


def configure_cli() -> None:
    """Django for a benchmark run from the command line, in the benchmark database."""
    for path in (str(REPO), str(REPO / "platform")):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    url = os.environ.get("BENCH_DATABASE_URL") or _bench_url(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/saraban")
    )
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"] = url
    # One connection per thread or process, held for the whole run.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
    _create_database(url)
    import django

    django.setup()


def _bench_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "saraban"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def _create_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


def prepare_database(out: Say = say) -> None:
    """Shared tables, the public tenant and the tenant schema template (each only if missing)."""
    from django.core.management import call_command
    from django.db import connection

    from tenants import services
    from tenants.schema_template import build_template

    out("migrating the shared schema of the benchmark database")
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    services.public_tenant_ensure()
    build_template()
    connection.set_schema_to_public()


@contextlib.contextmanager
def throwaway_tenant(label: str, out: Say = say) -> Iterator[Any]:
    """A municipality onboarded with the real service; its schema is dropped afterwards."""
    from django.db import connection

    from tenants import services
    from tenants.models import Municipality
    from tenants.validation import OnboardingRequest

    slug = f"{label}{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    services.onboard_municipality(
        OnboardingRequest(
            name_th="เทศบาลตำบลทดสอบสมรรถนะ",
            name_en="Benchmark Subdistrict Municipality",
            organisation_type="subdistrict_municipality",
            province="ขอนแก่น",
            district="เมืองขอนแก่น",
            slug=slug,
            letter_code_prefix="ขก 72101",
            officer_name="นายทดสอบ สมรรถนะ",
            officer_phone="043 111 222",
            admin_email=f"admin@{slug}.example",
            admin_name="ผู้ดูแล ทดสอบ",
        )
    )
    tenant = Municipality.objects.get(slug=slug)
    out(f"tenant {tenant.schema_name} onboarded in {time.perf_counter() - started:.2f} s")
    try:
        yield tenant
    finally:
        from django.db import connections

        from tests.cleanup import delete_with_dependants

        for alias in connections:
            connections[alias].close()
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        delete_with_dependants(Municipality.objects.filter(pk=tenant.pk))
        out(f"tenant {tenant.schema_name} dropped")


def database_params() -> dict[str, Any]:
    """psycopg2 keyword arguments of Django's default database (for worker processes)."""
    from django.db import connection

    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    return {key: value for key, value in params.items() if value}


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the result table."""

    benchmark: str
    ours: str
    anchor: str
    ratio: str
    target: str
    passed: bool
    notes: str = ""


def print_table(rows: Sequence[Row], file: Any = None) -> None:
    header = ("benchmark", "ours", "anchor (same run)", "ratio", "target", "result", "notes")
    lines = [
        (r.benchmark, r.ours, r.anchor, r.ratio, r.target, "PASS" if r.passed else "FAIL", r.notes)
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def fmt(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(fmt(header), file=file or sys.stdout)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=file or sys.stdout)
    for line in lines:
        print(fmt(line), file=file or sys.stdout)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (p95 of 200 values is the 190th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.4999)))
    return ordered[rank - 1]
