"""Checks of a backup's pieces and of a restored schema: SHA-256 and size of every part and
file, and row counts per table."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage
from django.db import connection

from tenants.backups.layout import BackupError

CHUNK = 1024 * 1024


def sha256_stream(stream: Any) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as stream:
        return sha256_stream(stream)


def stored_sha256(storage: Storage, name: str) -> tuple[str, int] | None:
    """SHA-256 and size of a file in storage, or None when it is not there."""
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as stream:
        return sha256_stream(stream)


def part_check(path: Path, entry: dict[str, Any]) -> None:
    """Refuse a part (or file) whose bytes are not the ones the manifest recorded."""
    sha, size = sha256_file(path)
    if sha != entry["sha256"] or size != entry["size"]:
        name = entry.get("name") or entry.get("path") or entry["key"]
        raise BackupError(
            f"{name} เสียหาย: SHA-256/ขนาดไม่ตรงกับบัญชีรายการ / {name} is corrupted: "
            f"expected sha256 {entry['sha256']} ({entry['size']} bytes), "
            f"got {sha} ({size} bytes)"
        )


def schema_oid(cursor: Any, schema: str) -> int | None:
    cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
    row = cursor.fetchone()
    return int(row[0]) if row else None


# The relations of one schema, reached through pg_depend's index on the referenced object:
# pg_class has no index on relnamespace, so filtering it by schema reads the whole catalog, which
# grows with every tenant (1,000 schemas hold some 200,000 relations). Every relation made in a
# schema records a dependency on it, so this finds exactly the same rows.
SCHEMA_RELATIONS = """
    SELECT c.oid, c.relname, c.relkind
      FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
     WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %s
       AND d.classid = 'pg_class'::regclass
"""


def schema_tables(cursor: Any, oid: int) -> list[str]:
    """Ordinary tables of one schema, found by its oid (cheap whatever the number of schemas)."""
    cursor.execute(
        f"SELECT relname FROM ({SCHEMA_RELATIONS}) r WHERE relkind = 'r' ORDER BY relname",  # noqa: S608
        [oid],
    )
    return [row[0] for row in cursor.fetchall()]


def row_counts(schema: str, tables: list[str]) -> dict[str, int]:
    """Row count of each table (one query); a missing table counts -1."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        oid = schema_oid(cursor, schema)
        present = set(schema_tables(cursor, oid)) if oid is not None else set()
        selects = [
            f"SELECT %s, count(*) FROM {qualified(schema, t)}"  # noqa: S608
            for t in tables
            if t in present
        ]
        if selects:
            cursor.execute(" UNION ALL ".join(selects), [t for t in tables if t in present])
            counts.update({name: int(count) for name, count in cursor.fetchall()})
    return {t: counts.get(t, -1) for t in tables}


def rows_verification(expected: dict[str, int], actual: dict[str, int]) -> dict[str, Any]:
    tables = {
        name: {"expected": rows, "actual": actual.get(name, -1)} for name, rows in expected.items()
    }
    mismatched = sorted(n for n, t in tables.items() if t["expected"] != t["actual"])
    return {"tables": tables, "tables_mismatched": mismatched}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"
