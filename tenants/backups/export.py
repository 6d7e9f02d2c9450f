"""Stage one tenant's backup: a consistent snapshot of its schema and the files it references.

Not ``pg_dump -n``: its catalog reads grow with the number of schemas in the database. Here, in
ONE ``REPEATABLE READ READ ONLY`` transaction on a connection of its own, the schema's tables,
columns and sequences are found by the schema's oid, and every table is copied with
``COPY ... TO STDOUT`` (text format, gzip) straight into the backup's pack (``packs.py``), one
gzip member per table (manifest part ``<table>.copy.gz``). The schema DDL is the
``SchemaTemplate`` of the tenant's migration state when one matches (the usual case: no catalog
dump at all), else a ``pg_dump --schema-only`` of that one schema under the same snapshot.

The staging folder is written under a temporary name and renamed when complete, so a crash never
leaves a folder that looks staged but is not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gzip
import hashlib
import json
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from tenants.backups import packs
from tenants.backups.layout import (
    FORMAT_VERSION,
    MANIFEST,
    SCHEMA_PART,
    BackupError,
    backup_key_prefix,
    file_key,
    staging_root,
)
from tenants.backups.models import BackupRun, BackupStatus, TenantBackup
from tenants.backups.packs import PackWriter
from tenants.backups.verify import (
    CHUNK,
    SCHEMA_RELATIONS,
    qualified,
    quote_ident,
    schema_oid,
    schema_tables,
)
from tenants.db import tenant_connection
from tenants.models import Municipality, SchemaTemplate
from tenants.schema_template import _SESSION_LINE, _pg_dump_binary, template_schema_name

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
COMPRESS_LEVEL = 1  # the fastest level: CPU per tenant matters more than the last bytes


def _quiet(_message: str) -> None:
    pass


@dataclasses.dataclass(frozen=True)
class FileColumn:
    table: str
    column: str
    sha256_column: str | None
    size_column: str | None


@dataclasses.dataclass
class Snapshot:
    snapshot: str
    lsn: str
    server_version: str
    migration_state: list[list[str]]
    sequences: dict[str, int | None]
    parts: list[dict[str, Any]]
    ddl_sql: str
    ddl_source_schema: str
    ddl_origin: str
    # (storage path, recorded sha256 or None, recorded size or None)
    file_rows: list[tuple[str, str | None, int | None]]


def tenant_app_labels() -> set[str]:
    return {apps.get_app_config(app.rsplit(".", 1)[-1]).label for app in settings.TENANT_APPS}


def file_columns() -> list[FileColumn]:
    """Every FileField of the tenant apps, with the columns holding its SHA-256 and size."""
    found = []
    for label in sorted(tenant_app_labels()):
        for model in apps.get_app_config(label).get_models():
            names = {f.name: f for f in model._meta.concrete_fields}
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField):
                    sha = names.get("sha256")
                    size = names.get("size")
                    found.append(
                        FileColumn(
                            table=model._meta.db_table,
                            column=str(field.column),
                            sha256_column=sha.column if sha is not None else None,
                            size_column=size.column if size is not None else None,
                        )
                    )
    return found


def state_fingerprint(migration_state: list[list[str]]) -> str:
    """The fingerprint ``schema_template.migration_fingerprint`` gives a fully migrated code base
    whose tenant migrations are exactly the ones applied in this state."""
    labels = tenant_app_labels()
    names = sorted((app, name) for app, name in migration_state if app in labels)
    return hashlib.sha256(repr(names).encode()).hexdigest()


class _LineCounter:
    """COPY's text format writes one line per row (newlines in values are escaped)."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.lines = 0

    def write(self, data: bytes | str) -> int:
        if isinstance(data, str):
            data = data.encode()
        self.lines += data.count(b"\n")
        return int(self.target.write(data))


def _gzip_into(target: Any, fill: Callable[[Any], None]) -> int:
    """Gzip what ``fill(writer)`` writes into ``target``; returns the lines written."""
    with gzip.GzipFile(fileobj=target, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0) as gz:
        counter = _LineCounter(gz)
        fill(counter)
    return counter.lines


def _place_gzip(pack: PackWriter, entry: dict[str, Any], fill: Callable[[Any], None]) -> None:
    """A gzip part in the pack; ``rows`` is the lines written (None for the DDL)."""
    lines = [0]

    def write(member: Any) -> None:
        lines[0] = _gzip_into(member, fill)

    pack.place(entry, write)
    if entry.get("rows", 0) is not None:
        entry["rows"] = lines[0]


def _snapshot_connection() -> Any:
    params = dict(tenant_connection.get_connection_params())
    params.pop("cursor_factory", None)
    conn = psycopg2.connect(**params)
    conn.set_session(
        isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True
    )
    return conn


def _columns(cursor: Any, oid: int) -> dict[str, list[str]]:
    """Copyable columns of each table, in order (generated columns are computed, not copied)."""
    cursor.execute(
        f"""
        SELECT c.relname, a.attname
          FROM pg_attribute a JOIN ({SCHEMA_RELATIONS}) c ON c.oid = a.attrelid
         WHERE c.relkind = 'r' AND a.attnum > 0
           AND NOT a.attisdropped AND a.attgenerated = ''
         ORDER BY c.relname, a.attnum
        """,  # noqa: S608
        [oid],
    )
    result: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        result.setdefault(table, []).append(column)
    return result


def _sequences(cursor: Any, schema: str, oid: int) -> dict[str, int | None]:
    cursor.execute(
        f"SELECT relname FROM ({SCHEMA_RELATIONS}) r WHERE relkind = 'S' ORDER BY relname",  # noqa: S608
        [oid],
    )
    names = [row[0] for row in cursor.fetchall()]
    if not names:
        return {}
    cursor.execute(
        " UNION ALL ".join(
            f"SELECT %s, last_value, is_called FROM {qualified(schema, n)}"  # noqa: S608
            for n in names
        ),
        names,
    )
    # A sequence never used keeps its start value: restore leaves it alone (None).
    return {name: int(last) if called else None for name, last, called in cursor.fetchall()}


def _ddl(cursor: Any, schema: str, migration_state: list[list[str]]) -> tuple[str, str, str]:
    """(sql, schema name used in it, origin) for the schema as of this migration state."""
    template = SchemaTemplate.objects.filter(fingerprint=state_fingerprint(migration_state)).first()
    if template is not None:
        return template.sql, template_schema_name(), "template"
    # Rare (a tenant not yet migrated to the code's state): dump this one schema's DDL under the
    # same snapshot, the way schema_template captures the template.
    cursor.execute("SELECT pg_export_snapshot()")
    snapshot_name = cursor.fetchone()[0]
    params = tenant_connection.settings_dict
    command = [
        _pg_dump_binary(tenant_connection.pg_version // 10000),
        "--schema-only",
        "--schema",
        schema,
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--snapshot",
        snapshot_name,
        "--dbname",
        params["NAME"],
        "--username",
        params.get("USER") or "postgres",
    ]
    if params.get("HOST"):
        command += ["--host", params["HOST"]]
    if params.get("PORT"):
        command += ["--port", str(params["PORT"])]
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(
            f"อ่านโครงสร้างสคีมา {schema} ไม่ได้ / pg_dump --schema-only of {schema} failed: "
            f"{result.stderr.strip()}"
        )
    lines = [line for line in result.stdout.splitlines() if not _SESSION_LINE.match(line)]
    return "\n".join(lines), schema, "pg_dump"


def _take_snapshot(schema: str, pack: PackWriter, progress: Progress) -> Snapshot:
    conn = _snapshot_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT pg_current_snapshot()::text, "
                "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text "
                "ELSE pg_current_wal_lsn()::text END, current_setting('server_version')"
            )
            snapshot, lsn, server_version = cursor.fetchone()
            oid = schema_oid(cursor, schema)
            if oid is None:
                raise BackupError(f"ไม่พบสคีมา {schema} / schema {schema} does not exist")
            tables = schema_tables(cursor, oid)
            columns = _columns(cursor, oid)
            cursor.execute(
                f"SELECT app, name FROM {qualified(schema, 'django_migrations')} "  # noqa: S608
                "ORDER BY id"
            )
            migration_state = [[app, name] for app, name in cursor.fetchall()]
            sequences = _sequences(cursor, schema, oid)
            parts: list[dict[str, Any]] = []
            for position, table in enumerate(tables, start=1):
                cols = columns.get(table, [])
                name = f"{table}.copy.gz"
                column_list = ", ".join(quote_ident(c) for c in cols)
                sql = f"COPY {qualified(schema, table)} ({column_list}) TO STDOUT"
                part: dict[str, Any] = {"name": name, "table": table, "columns": cols, "rows": 0}
                _place_gzip(pack, part, functools.partial(cursor.copy_expert, sql))
                parts.append(part)
                rows = part["rows"]
                progress(f"[{position}/{len(tables)}] {table}: {rows:,}")
            file_rows = _file_rows(cursor, schema, set(tables))
            ddl_sql, ddl_source, ddl_origin = _ddl(cursor, schema, migration_state)
        conn.rollback()
    finally:
        conn.close()
    return Snapshot(
        snapshot=snapshot,
        lsn=lsn,
        server_version=server_version,
        migration_state=migration_state,
        sequences=sequences,
        parts=parts,
        ddl_sql=ddl_sql,
        ddl_source_schema=ddl_source,
        ddl_origin=ddl_origin,
        file_rows=file_rows,
    )


def _file_rows(
    cursor: Any, schema: str, tables: set[str]
) -> list[tuple[str, str | None, int | None]]:
    rows: list[tuple[str, str | None, int | None]] = []
    for spec in file_columns():
        if spec.table not in tables:
            continue
        sha = quote_ident(spec.sha256_column) if spec.sha256_column else "NULL"
        size = quote_ident(spec.size_column) if spec.size_column else "NULL"
        col = quote_ident(spec.column)
        cursor.execute(
            f"SELECT {col}, {sha}, {size} FROM {qualified(schema, spec.table)} "  # noqa: S608
            f"WHERE {col} <> '' ORDER BY {col}"
        )
        rows.extend((str(p), s, int(n) if n is not None else None) for p, s, n in cursor.fetchall())
    return rows


# Where a file already backed up lives: its own object, or a piece of a pack.
_LOCATION = ("key", "sha256", "size", "offset", "pack_sha256")


def _previous_files(municipality: Municipality) -> dict[str, dict[str, Any]]:
    """path -> manifest entry in the tenant's latest complete backup: in every region already."""
    previous = (
        TenantBackup.objects.filter(municipality=municipality, status=BackupStatus.COMPLETE)
        .order_by("-created_at")
        .only("manifest")
        .first()
    )
    if previous is None:
        return {}
    return {f["path"]: f for f in previous.manifest.get("files", [])}


def _copy_hashing(path: str, target: Any) -> tuple[str, int]:
    """Copy a stored file into ``target``, hashing it on the way."""
    digest = hashlib.sha256()
    size = 0
    with default_storage.open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def _stage_file(path: str, folder: Path) -> tuple[str, int]:
    """A large file as an object of its own: ``files/<sha[:2]>/<sha>``."""
    temp = folder / "files" / f".{uuid.uuid4().hex}.tmp"
    temp.parent.mkdir(parents=True, exist_ok=True)
    with temp.open("wb") as target:
        sha, size = _copy_hashing(path, target)
        target.flush()
        os.fsync(target.fileno())
    final = folder / "files" / sha[:2] / sha
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, final)
    return sha, size


def _stage_new_file(
    municipality: Municipality, path: str, size_hint: int | None, folder: Path, pack: PackWriter
) -> dict[str, Any]:
    """A file new since the last backup: into the pack when small, else its own object."""
    size = size_hint if size_hint is not None else default_storage.size(path)
    if size > packs.PACK_FILE_MAX:
        sha, size = _stage_file(path, folder)
        return {"path": path, "key": file_key(municipality.slug, sha), "sha256": sha, "size": size}
    entry: dict[str, Any] = {"path": path}

    def copy(member: Any) -> None:
        _copy_hashing(path, member)

    pack.place(entry, copy)
    return entry


def _files(
    municipality: Municipality,
    rows: list[tuple[str, str | None, int | None]],
    folder: Path,
    pack: PackWriter,
    progress: Progress,
) -> tuple[list[dict[str, Any]], list[str]]:
    known = _previous_files(municipality)
    entries: list[dict[str, Any]] = []
    warnings: list[str] = []
    staged = 0
    seen: set[str] = set()
    for path, recorded_sha, recorded_size in rows:
        if path in seen:  # two rows may share one stored file
            continue
        seen.add(path)
        previous = known.get(path)
        if previous is not None and recorded_sha is not None and previous["sha256"] == recorded_sha:
            entry = {"path": path, **{k: previous[k] for k in _LOCATION if k in previous}}
            entry["staged"] = False
        else:
            try:
                entry = _stage_new_file(municipality, path, recorded_size, folder, pack)
            except Exception as exc:  # any storage error: list it, back up the rest
                warnings.append(f"missing file {path}: {exc}")
                continue
            entry["staged"] = True
            staged += 1
            if recorded_sha is not None and entry["sha256"] != recorded_sha:
                warnings.append(
                    f"file {path}: stored sha256 {entry['sha256']} != recorded {recorded_sha}"
                )
        entries.append(entry)
    progress(f"files: {len(entries):,} ({staged:,} new)")
    return entries, warnings


def backup_stage(
    *,
    municipality: Municipality,
    run: BackupRun | None = None,
    progress: Progress | None = None,
) -> TenantBackup:
    """Snapshot one tenant into ``<SARABAN_VAR_DIR>/backups/staging/<id>/``; status "staged".

    On failure the backup is recorded as failed (with the error) and the error raised.
    """
    show = progress or _quiet
    if municipality.schema_name == "public":
        raise BackupError("สคีมา public ไม่ใช่หน่วยงาน / the public schema is not a tenant")
    backup = TenantBackup.objects.create(
        municipality=municipality, run=run, format_version=FORMAT_VERSION
    )
    backup.key_prefix = backup_key_prefix(municipality.slug, backup.created_at, backup.pk)
    root = staging_root()
    final = root / str(backup.pk)
    temp = root / f".{backup.pk}.{uuid.uuid4().hex}.tmp"
    try:
        temp.mkdir(parents=True)
        pack = PackWriter(temp, municipality.slug)
        try:
            snap = _take_snapshot(municipality.schema_name, pack, show)
            ddl_part: dict[str, Any] = {"name": SCHEMA_PART, "rows": None}
            _place_gzip(pack, ddl_part, lambda out: out.write(snap.ddl_sql.encode()))
            files, warnings = _files(municipality, snap.file_rows, temp, pack, show)
            pack.close()
        finally:
            pack.abort()
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "backup_id": backup.pk,
            "tenant": {
                "id": municipality.pk,
                "slug": municipality.slug,
                "schema_name": municipality.schema_name,
                "name_th": municipality.name_th,
            },
            "created_at": backup.created_at.astimezone(dt.UTC).isoformat(),
            "key_prefix": backup.key_prefix,
            "snapshot": {"txid_snapshot": snap.snapshot, "lsn": snap.lsn},
            "server_version": snap.server_version,
            "migration_state": snap.migration_state,
            "ddl": {"source_schema": snap.ddl_source_schema, "origin": snap.ddl_origin},
            "parts": [ddl_part, *snap.parts],
            "files": files,
            "sequences": snap.sequences,
            "warnings": warnings,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        with (temp / MANIFEST).open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temp, final)  # atomic: the folder appears complete or not at all
        _fsync_dir(root)
    except BaseException as exc:
        shutil.rmtree(temp, ignore_errors=True)
        backup.status = BackupStatus.FAILED
        backup.error = str(exc)[:4000]
        backup.finished_at = timezone.now()
        backup.save(update_fields=["key_prefix", "status", "error", "finished_at"])
        logger.exception("backup of %s failed", municipality.schema_name)
        raise
    staged_bytes = sum(p["size"] for p in manifest["parts"]) + sum(
        f["size"] for f in files if f["staged"]
    )
    backup.manifest = manifest
    backup.manifest_sha256 = hashlib.sha256(data).hexdigest()
    backup.size_bytes = staged_bytes + len(data)
    backup.staging_path = str(final)
    backup.status = BackupStatus.STAGED
    backup.error = "\n".join(warnings)[:4000]
    backup.finished_at = timezone.now()
    backup.save()
    show(f"staged: {final} ({backup.size_bytes:,} bytes)")
    return backup


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
