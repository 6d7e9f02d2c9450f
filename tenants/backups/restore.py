"""Restore a tenant from a backup: into a fresh schema, in place of the live one, or as a drill.

Every part is fetched and checked against the manifest's SHA-256 before any schema is touched.
The target schema is built by replaying the backup's DDL, loaded with ``COPY ... FROM STDIN`` in
one transaction, migrated forward when the backup is older than the code, and its stored files
written back; then rows and file hashes are compared with the manifest and the result recorded
in a ``RestoreRecord``. A restore never writes into the live schema: ``replace`` restores into a
work schema and, only once it verified, swaps the names in one transaction, keeping the old
schema renamed ``<schema>_replaced_<time>``.
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from tenants.backups.export import file_columns, tenant_app_labels
from tenants.backups.layout import SCHEMA_PART, BackupError, staged_path
from tenants.backups.locks import tenant_backup_lock
from tenants.backups.models import (
    BackupStatus,
    RestoreMode,
    RestoreRecord,
    RestoreStatus,
    TenantBackup,
)
from tenants.backups.packs import PackCache
from tenants.backups.regions import configured_regions, region_store
from tenants.backups.verify import (
    part_check,
    qualified,
    quote_ident,
    row_counts,
    rows_verification,
    schema_oid,
    schema_tables,
    stored_sha256,
)
from tenants.db import tenant_connection

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
RESTORABLE = (BackupStatus.COMPLETE, BackupStatus.PARTIAL, BackupStatus.STAGED)
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
FILE_WORKERS = 8  # stored files are I/O-bound (S3 or disk): fetch and write a few at a time


class RestoreFailed(BackupError):
    """The restore ran and failed; ``record`` holds what was found."""

    def __init__(self, message: str, record: RestoreRecord) -> None:
        super().__init__(message)
        self.record = record


def quiet(_message: str) -> None:
    pass


# --- where the backup's bytes come from ------------------------------------------------------


class BackupSource(Protocol):
    def get_to(self, key: str, local_path: Path) -> None: ...


class StagingSource:
    """The backup's local staging folder (present until every region has the backup)."""

    def __init__(self, backup: TenantBackup) -> None:
        self.backup = backup

    def get_to(self, key: str, local_path: Path) -> None:
        path = staged_path(self.backup, key)
        if not path.is_file():
            raise FileNotFoundError(f"{key} is not in the staging folder")
        Path(local_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, local_path)


class ChainSource:
    """Try each source in turn (staging folder first, then the regions)."""

    def __init__(self, sources: list[tuple[str, BackupSource]]) -> None:
        self.sources = sources

    def get_to(self, key: str, local_path: Path) -> None:
        errors = []
        for name, source in self.sources:
            try:
                source.get_to(key, local_path)
                return
            except Exception as exc:  # a region down or without the object: try the next one
                errors.append(f"{name}: {exc}")
        raise BackupError(
            f"ดึง {key} จากที่ใดไม่ได้ / cannot fetch {key} from any source: {'; '.join(errors)}"
        )


def open_backup_source(backup: TenantBackup, region: str | None = None) -> BackupSource:
    """Where to read the backup from: one named region, or the staging folder then every region."""
    if region is not None:
        return region_store(region)
    sources: list[tuple[str, BackupSource]] = []
    if backup.staging_path and Path(backup.staging_path).is_dir():
        sources.append(("staging", StagingSource(backup)))
    sources += [(name, region_store(name)) for name in configured_regions()]
    return ChainSource(sources)


# --- building the target schema --------------------------------------------------------------


def render_ddl(sql: str, source: str, target: str) -> str:
    """The DDL of ``source`` as DDL of ``target`` (as ``schema_template.render_for`` does)."""
    sql = sql.replace(f"CREATE SCHEMA {source};", f"CREATE SCHEMA {quote_ident(target)};")
    sql = sql.replace(
        f"CREATE SCHEMA {quote_ident(source)};", f"CREATE SCHEMA {quote_ident(target)};"
    )
    return re.sub(rf'(?<![\w"]){re.escape(source)}\.', f"{quote_ident(target)}.", sql)


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        return schema_oid(cursor, name) is not None


def drop_schema(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_ident(name)} CASCADE")


def _fetch_parts(
    source: BackupSource, manifest: dict[str, Any], folder: Path, show: Progress, packs: Path
) -> dict[str, Path]:
    """Every part, checked against its SHA-256 and size before anything is loaded."""
    local: dict[str, Path] = {}
    folder.mkdir(parents=True, exist_ok=True)
    reader = PackCache(source, packs)
    for entry in manifest["parts"]:
        path = folder / entry["name"]
        reader.get_to(entry, path)
        part_check(path, entry)
        local[entry["name"]] = path
    show(f"parts: {len(local)} fetched and checked")
    return local


def _load(
    *,
    target: str,
    manifest: dict[str, Any],
    parts: dict[str, Path],
    file_prefix: tuple[str, str] | None,
    show: Progress,
) -> dict[str, int]:
    """Create ``target`` and load every table, in one transaction; returns row counts."""
    with gzip.open(parts[SCHEMA_PART], "rt", encoding="utf-8") as handle:
        ddl = render_ddl(handle.read(), manifest["ddl"]["source_schema"], target)
    data_parts = [p for p in manifest["parts"] if p["name"] != SCHEMA_PART]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ddl)
        oid = schema_oid(cursor, target)
        if oid is None:
            raise BackupError(f"สร้างสคีมา {target} ไม่สำเร็จ / DDL did not create {target}")
        tables = schema_tables(cursor, oid)
        # The template's DDL carries seed rows (migration records, content types): the backup's
        # rows replace them.
        if tables:
            cursor.execute("TRUNCATE " + ", ".join(qualified(target, t) for t in tables))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        missing = sorted({p["table"] for p in data_parts} - set(tables))
        if missing:
            raise BackupError(
                f"โครงสร้างในข้อมูลสำรองไม่มีตาราง {', '.join(missing)} / "
                f"the backup's DDL lacks tables {', '.join(missing)}"
            )
        for position, part in enumerate(data_parts, start=1):
            columns = ", ".join(quote_ident(c) for c in part["columns"])
            with gzip.open(parts[part["name"]], "rb") as stream:
                cursor.copy_expert(
                    f"COPY {qualified(target, part['table'])} ({columns}) FROM STDIN", stream
                )
            if position % 10 == 0 or position == len(data_parts):
                show(f"[{position}/{len(data_parts)}] tables loaded")
        for name, value in manifest["sequences"].items():
            if value is None:
                cursor.execute(f"ALTER SEQUENCE {qualified(target, name)} RESTART")
            else:
                cursor.execute(
                    "SELECT setval(%s::regclass, %s, true)", [qualified(target, name), value]
                )
        if file_prefix is not None:
            _rewrite_file_paths(cursor, target, set(tables), *file_prefix)
    return row_counts(target, [p["table"] for p in data_parts])


def _rewrite_file_paths(cursor: Any, schema: str, tables: set[str], old: str, new: str) -> None:
    """Point the restored rows at the restored schema's own copy of each file."""
    for spec in file_columns():
        if spec.table not in tables:
            continue
        col = quote_ident(spec.column)
        cursor.execute(
            f"UPDATE {qualified(schema, spec.table)} SET {col} = %s || substr({col}, %s) "  # noqa: S608
            f"WHERE left({col}, %s) = %s",
            [new, len(old) + 1, len(old), old],
        )


def pending_migrations(migration_state: Iterable[Iterable[str]]) -> list[tuple[str, str]]:
    """Tenant-app migrations on disk that the backup's schema had not applied."""
    labels = tenant_app_labels()
    applied = {(app, name) for app, name in migration_state}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(key for key in loader.disk_migrations if key[0] in labels and key not in applied)


def _migrate_forward(schema: str, migration_state: list[list[str]], show: Progress) -> list[str]:
    pending = pending_migrations(migration_state)
    if not pending:
        return []
    show(f"migrating {schema} forward: {len(pending)} migration(s)")
    try:
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
    finally:
        tenant_connection.set_schema_to_public()
    return [f"{app}.{name}" for app, name in pending]


# --- stored files ----------------------------------------------------------------------------


@dataclasses.dataclass
class FilesResult:
    checked: int = 0
    restored: int = 0
    mismatched: list[str] = dataclasses.field(default_factory=list)
    written: list[str] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "restored": self.restored,
            "mismatched": self.mismatched,
        }


def _moved(path: str, prefix: tuple[str, str] | None) -> str:
    if prefix is not None and path.startswith(prefix[0]):
        return prefix[1] + path[len(prefix[0]) :]
    return path


def restore_files(
    *,
    source: BackupSource,
    entries: list[dict[str, Any]],
    folder: Path,
    prefix: tuple[str, str] | None,
    storage: Storage = default_storage,
    show: Progress = quiet,
    result: FilesResult | None = None,
    packs: Path | None = None,
) -> FilesResult:
    """Write each file back to storage (at its path, moved to ``prefix``) unless already there
    with the right bytes, then read it back and compare its SHA-256 with the manifest. Packs
    are fetched once into ``packs`` (default ``folder/packs``)."""
    result = result if result is not None else FilesResult()
    folder.mkdir(parents=True, exist_ok=True)
    reader = PackCache(source, packs or folder / "packs")

    def one(entry: dict[str, Any]) -> tuple[str, bool, bool]:
        path = _moved(entry["path"], prefix)
        expected = (entry["sha256"], entry["size"])
        current = stored_sha256(storage, path)
        if current == expected:
            return path, False, True
        local = folder / uuid.uuid4().hex
        reader.get_to(entry, local)
        part_check(local, entry)
        if current is not None:
            storage.delete(path)
        with local.open("rb") as handle:
            saved = storage.save(path, File(handle))
        local.unlink()
        result.written.append(path)  # at once: a failure later still cleans it up
        if saved != path:
            raise BackupError(f"เก็บไฟล์ {path} ไม่ได้ / storage saved {path} as {saved}")
        return path, True, stored_sha256(storage, path) == expected

    with ThreadPoolExecutor(max_workers=FILE_WORKERS) as pool:
        for path, written, matches in pool.map(one, entries):
            result.checked += 1
            if written:
                result.restored += 1
            if not matches:
                result.mismatched.append(path)
    show(f"files: {result.checked:,} checked, {result.restored:,} written")
    return result


def delete_files(paths: list[str], prefix_folder: str, storage: Storage = default_storage) -> None:
    for path in paths:
        storage.delete(path)
    if isinstance(storage, FileSystemStorage):
        shutil.rmtree(storage.path(prefix_folder), ignore_errors=True)


# --- the services ----------------------------------------------------------------------------


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d%H%M%S")


def _derived_name(base: str, suffix: str) -> str:
    return f"{base[: 63 - len(suffix)]}{suffix}"


def _check_new_schema(name: str) -> None:
    from tenants.models import Municipality

    if not SCHEMA_NAME.match(name) or name.startswith("pg_") or name == "public":
        raise BackupError(f"ชื่อสคีมา {name!r} ใช้ไม่ได้ / invalid schema name {name!r}")
    if schema_exists(name) or Municipality.objects.filter(schema_name=name).exists():
        raise BackupError(f"สคีมา {name} มีอยู่แล้ว / schema {name} already exists")


def _work_folder() -> Path:
    root = Path(settings.VAR_DIR) / "backups" / "restore"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="restore-", dir=root))


def backup_restore(
    *,
    backup: TenantBackup,
    mode: str,
    target_schema: str | None = None,
    actor: str,
    reason: str,
    confirm: bool = False,
    region: str | None = None,
    progress: Progress | None = None,
) -> RestoreRecord:
    """Restore ``backup`` (modes fresh, replace, drill) and verify it; raises ``RestoreFailed``
    (with the record) when the restore or its verification fails."""
    record = restore_run(
        backup=backup,
        mode=mode,
        target_schema=target_schema,
        actor=actor,
        reason=reason,
        confirm=confirm,
        region=region,
        show=progress or quiet,
    )
    if record.status != RestoreStatus.SUCCEEDED:
        raise RestoreFailed(record.error, record)
    return record


def restore_run(
    *,
    backup: TenantBackup,
    mode: str,
    target_schema: str | None,
    actor: str,
    reason: str,
    confirm: bool,
    region: str | None,
    show: Progress,
) -> RestoreRecord:
    if mode not in (RestoreMode.FRESH, RestoreMode.REPLACE, RestoreMode.DRILL):
        raise BackupError(f"ไม่รู้จักวิธีกู้คืน {mode} / unknown restore mode {mode}")
    if backup.status not in RESTORABLE:
        raise BackupError(
            f"ข้อมูลสำรอง #{backup.pk} อยู่ในสถานะ {backup.status} กู้คืนไม่ได้ / "
            f"backup #{backup.pk} is {backup.status}, not restorable"
        )
    municipality = backup.municipality
    live = municipality.schema_name
    if mode == RestoreMode.REPLACE:
        if not confirm:
            raise BackupError(
                "การแทนที่ข้อมูลที่ใช้งานอยู่ต้องยืนยันก่อน / replacing the live schema needs "
                "an explicit confirmation (confirm=True, --yes)"
            )
        work = _derived_name(live, f"_restore_{_stamp()}")
    elif mode == RestoreMode.DRILL:
        work = target_schema or f"drill_{backup.pk}_{_stamp()}"
    else:
        work = target_schema or _derived_name(live, f"_restored_{_stamp()}")
    _check_new_schema(work)
    if not reason.strip() and mode != RestoreMode.DRILL:
        raise BackupError("โปรดระบุเหตุผล / a reason is required")

    manifest = backup.manifest
    old_schema = manifest["tenant"]["schema_name"]
    # Files follow their schema: a fresh or drill schema gets its own copy under its own prefix;
    # replace keeps the live paths (the restored schema takes the live name).
    final_schema = live if mode == RestoreMode.REPLACE else work
    prefix = (f"tenants/{old_schema}/", f"tenants/{final_schema}/")
    moved = prefix if prefix[0] != prefix[1] else None

    record = RestoreRecord.objects.create(
        municipality=municipality,
        backup=backup,
        mode=mode,
        target_schema=final_schema,
        actor=actor,
        reason=reason,
    )
    folder = _work_folder()
    created = False
    files = FilesResult()
    verification: dict[str, Any] = {"schema_built": work}
    # Not while a backup job of this tenant runs (retention could delete what we read).
    with tenant_backup_lock(municipality.pk):
        try:
            show(f"restore #{record.pk}: backup #{backup.pk} -> {work}")
            source = open_backup_source(backup, region)
            parts = _fetch_parts(source, manifest, folder / "parts", show, folder / "packs")
            created = True
            counts = _load(
                target=work, manifest=manifest, parts=parts, file_prefix=moved, show=show
            )
            expected = {
                p["table"]: p["rows"] for p in manifest["parts"] if p["name"] != SCHEMA_PART
            }
            verification.update(rows_verification(expected, counts))
            verification["migrated"] = _migrate_forward(work, manifest["migration_state"], show)
            restore_files(
                source=source,
                entries=manifest["files"],
                folder=folder / "files",
                prefix=moved,
                show=show,
                result=files,
                packs=folder / "packs",
            )
            verification["files"] = files.as_dict()
            problems = _problems(verification)
            if problems:
                raise BackupError(problems)
            if mode == RestoreMode.REPLACE:
                record.previous_schema = _swap(live=live, work=work)
                show(f"{work} -> {live}; the old schema is kept as {record.previous_schema or '-'}")
            verification["ok"] = True
            record.status = RestoreStatus.SUCCEEDED
        except Exception as exc:
            logger.exception("restore #%s of %s failed", record.pk, live)
            verification["ok"] = False
            record.status = RestoreStatus.FAILED
            record.error = str(exc)[:4000]
            if created:
                drop_schema(work)  # never the live schema: ``work`` is always a new name
            if moved is not None:
                delete_files(files.written, prefix[1])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if mode == RestoreMode.DRILL and record.status == RestoreStatus.SUCCEEDED:
            drop_schema(work)
            delete_files(files.written, prefix[1])
            verification["scratch_dropped"] = True
    record.verification = verification
    record.finished_at = timezone.now()
    record.save()
    show(f"restore #{record.pk}: {record.status}")
    return record


def _problems(verification: dict[str, Any]) -> str:
    problems = []
    for name in verification.get("tables_mismatched", []):
        table = verification["tables"][name]
        problems.append(f"{name}: expected {table['expected']} rows, found {table['actual']}")
    for path in verification.get("files", {}).get("mismatched", []):
        problems.append(f"{path}: SHA-256 differs")
    if not problems:
        return ""
    return "ตรวจสอบไม่ผ่าน / verification failed: " + "; ".join(problems)


def _swap(*, live: str, work: str) -> str:
    """Put ``work`` in place of ``live`` in one transaction; the old one is kept renamed."""
    kept = _derived_name(live, f"_replaced_{_stamp()}")
    with transaction.atomic(), connection.cursor() as cursor:
        if schema_oid(cursor, live) is None:
            kept = ""  # the live schema was lost: nothing to keep
        else:
            cursor.execute(f"ALTER SCHEMA {quote_ident(live)} RENAME TO {quote_ident(kept)}")
        cursor.execute(f"ALTER SCHEMA {quote_ident(work)} RENAME TO {quote_ident(live)}")
    return kept


def latest_restorable(municipality: Any) -> TenantBackup | None:
    """The newest complete backup, else the newest one that can still be restored."""
    backups = TenantBackup.objects.filter(municipality=municipality).order_by("-created_at")
    return (
        backups.filter(status=BackupStatus.COMPLETE).first()
        or backups.filter(status__in=RESTORABLE).first()
    )


# --- one letter's files ----------------------------------------------------------------------


def _copy_field(value: str) -> str | None:
    """One field of COPY's text format, unescaped (None for NULL)."""
    if value == r"\N":
        return None
    if "\\" not in value:
        return value
    escapes = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
    out = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
                continue
            octal = re.match(r"[0-7]{1,3}", value[i + 1 :])
            if octal:
                out.append(chr(int(octal.group(), 8)))
                i += 1 + len(octal.group())
                continue
            out.append(nxt)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def letter_file_paths(part: Path, columns: list[str], letter_id: int) -> set[str]:
    """Storage paths of one letter's attachments, read from the backup's attachment table."""
    letter_at = columns.index("letter_id")
    file_at = columns.index("file")
    paths = set()
    with gzip.open(part, "rt", encoding="utf-8") as stream:
        for line in stream:
            fields = line.rstrip("\n").split("\t")
            if _copy_field(fields[letter_at]) == str(letter_id):
                path = _copy_field(fields[file_at])
                if path:
                    paths.add(path)
    return paths


def backup_restore_letter_files(
    *,
    backup: TenantBackup,
    letter_id: int,
    actor: str,
    reason: str,
    region: str | None = None,
    progress: Progress | None = None,
) -> RestoreRecord:
    """Write back only one letter's stored files (those missing or damaged) at their paths."""
    from registers.models import Attachment

    show = progress or quiet
    if backup.status not in RESTORABLE:
        raise BackupError(f"ข้อมูลสำรอง #{backup.pk} กู้คืนไม่ได้ / backup #{backup.pk} is not restorable")
    table = Attachment._meta.db_table
    record = RestoreRecord.objects.create(
        municipality=backup.municipality,
        backup=backup,
        mode=RestoreMode.LETTER_FILES,
        target_schema=backup.municipality.schema_name,
        actor=actor,
        reason=reason,
    )
    folder = _work_folder()
    verification: dict[str, Any] = {"letter_id": letter_id}
    with tenant_backup_lock(backup.municipality_id):
        try:
            source = open_backup_source(backup, region)
            part = next((p for p in backup.manifest["parts"] if p.get("table") == table), None)
            if part is None:
                raise BackupError(f"ข้อมูลสำรองไม่มีตาราง {table} / the backup has no {table}")
            local = folder / part["name"]
            PackCache(source, folder / "packs").get_to(part, local)
            part_check(local, part)
            paths = letter_file_paths(local, part["columns"], letter_id)
            entries = [f for f in backup.manifest["files"] if f["path"] in paths]
            if not entries:
                raise BackupError(
                    f"ไม่พบไฟล์ของหนังสือ {letter_id} ในข้อมูลสำรองนี้ / "
                    f"letter {letter_id} has no files in this backup"
                )
            files = restore_files(
                source=source,
                entries=entries,
                folder=folder / "files",
                prefix=None,
                show=show,
                packs=folder / "packs",
            )
            verification["files"] = files.as_dict()
            verification["paths"] = sorted(paths)
            problems = _problems(verification)
            if problems:
                raise BackupError(problems)
            verification["ok"] = True
            record.status = RestoreStatus.SUCCEEDED
        except Exception as exc:
            logger.exception("restore of letter %s files failed", letter_id)
            verification["ok"] = False
            record.status = RestoreStatus.FAILED
            record.error = str(exc)[:4000]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    record.verification = verification
    record.finished_at = timezone.now()
    record.save()
    if record.status != RestoreStatus.SUCCEEDED:
        raise RestoreFailed(record.error, record)
    return record
