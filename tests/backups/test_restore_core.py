"""Restores: into a fresh schema (identical rows, identical files), an older backup migrated
forward, replacing the live schema only when confirmed, one letter's files, the drill, and a
corrupted part refused."""

from __future__ import annotations

import gzip
import hashlib
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from tenants.db import tenant_connection
from tests.backups.conftest import add_letters

pytestmark = [pytest.mark.backups]


def _tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 1",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def _dump(schema: str, table: str) -> list[bytes]:
    """Every row of a table as COPY writes it, sorted (row order on disk may differ)."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(f'COPY "{schema}"."{table}" TO STDOUT', buffer)
    return sorted(buffer.getvalue().splitlines())


def _schema_exists(name: str) -> bool:
    return name in _all_schemas()


def _all_schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return bytes(handle.read())


def _query(schema: str, query: str) -> list[tuple[Any, ...]]:
    """``query`` with ``{s}`` standing for the quoted schema (names made by the test)."""
    with connection.cursor() as cursor:
        cursor.execute(query.format(s=f'"{schema}"'))
        return list(cursor.fetchall())


def _file_rows(schema: str) -> list[tuple[int, str, str]]:
    rows = _query(schema, "SELECT id, file, sha256 FROM {s}.registers_attachment ORDER BY id")
    return [(int(i), str(f), str(s)) for i, f, s in rows]


def test_restore_into_a_fresh_schema_is_identical_row_for_row_and_byte_for_byte(
    make_tenant: Any, local_regions: Path, restored_schemas: list[str]
) -> None:
    from tenants.backups.models import RestoreMode, RestoreStatus
    from tenants.backups.services import backup_restore, backup_stage

    tenant = make_tenant(letters=4)
    live = tenant.schema_name
    backup = backup_stage(municipality=tenant)
    target = f"{live}_copy"
    restored_schemas.append(target)
    before = {t: _dump(live, t) for t in _tables(live)}

    started = time.monotonic()
    record = backup_restore(
        backup=backup,
        mode=RestoreMode.FRESH,
        target_schema=target,
        actor="vendor:test",
        reason="ตรวจสอบการกู้คืน",
    )
    elapsed = time.monotonic() - started

    assert record.status == RestoreStatus.SUCCEEDED and record.error == ""
    assert record.target_schema == target and record.finished_at is not None
    verification = record.verification
    assert verification["ok"] is True and verification["tables_mismatched"] == []
    assert verification["tables"]["registers_letter"] == {"expected": 4, "actual": 4}
    assert verification["files"]["checked"] == len(backup.manifest["files"])
    assert verification["files"]["restored"] == len(backup.manifest["files"])
    assert verification["files"]["mismatched"] == []
    assert verification["migrated"] == []
    assert elapsed < 10

    # Every table identical; the files point at the restored schema's own copies.
    assert _tables(target) == sorted(before)
    old_prefix, new_prefix = f"tenants/{live}/".encode(), f"tenants/{target}/".encode()
    for table, rows in before.items():
        expected = sorted(row.replace(old_prefix, new_prefix) for row in rows)
        assert _dump(target, table) == expected, table
    live_files = _file_rows(live)
    restored_files = _file_rows(target)
    assert len(restored_files) == len(live_files) > 0
    for (pk, old_path, sha), (pk2, new_path, sha2) in zip(live_files, restored_files, strict=True):
        assert (pk, sha) == (pk2, sha2)
        assert new_path == f"tenants/{target}/" + old_path[len(f"tenants/{live}/") :]
        assert _stored(new_path) == _stored(old_path)
        assert hashlib.sha256(_stored(new_path)).hexdigest() == sha
    # Sequences continue after the restored rows.
    (last,) = _query(target, "SELECT last_value FROM {s}.registers_letter_id_seq")
    assert last[0] == backup.manifest["sequences"]["registers_letter_id_seq"]
    # The live schema was never touched.
    assert {t: _dump(live, t) for t in _tables(live)} == before


def test_an_older_backup_is_migrated_forward(
    make_tenant: Any, local_regions: Path, restored_schemas: list[str]
) -> None:
    """A backup taken before the latest registers migration: its DDL is that older state (a
    pg_dump of the schema, as no template matches), and the restore migrates it forward."""
    from django.core.management import call_command

    from tenants.backups.models import RestoreMode
    from tenants.backups.services import backup_restore, backup_stage

    tenant = make_tenant(letters=2)
    live = tenant.schema_name
    call_command(
        "migrate_schemas",
        "registers",
        "0002_audit_append_only",
        tenant=True,
        schema_name=live,
        interactive=False,
        verbosity=0,
    )
    tenant_connection.set_schema_to_public()
    assert "registers_reminderrun" not in _tables(live)
    try:
        backup = backup_stage(municipality=tenant)
    finally:
        call_command(
            "migrate_schemas", tenant=True, schema_name=live, interactive=False, verbosity=0
        )
        tenant_connection.set_schema_to_public()
    assert ["registers", "0003_reminder_run"] not in backup.manifest["migration_state"]
    assert backup.manifest["ddl"]["origin"] == "pg_dump"
    target = f"{live}_old"
    restored_schemas.append(target)

    record = backup_restore(
        backup=backup, mode=RestoreMode.FRESH, target_schema=target, actor="t", reason="เก่า"
    )

    # Every registers migration after 0002 is applied to the restored schema, in order (with
    # the later apps that depend on registers, e.g. letters and signing, migrated after them).
    migrated = record.verification["migrated"]
    registers_steps = [name for name in migrated if name.startswith("registers.")]
    assert registers_steps[0] == "registers.0003_reminder_run"
    assert registers_steps == sorted(registers_steps)
    assert record.verification["tables"]["registers_letter"] == {"expected": 2, "actual": 2}
    assert "registers_reminderrun" in _tables(target)
    recorded = _query(
        target,
        "SELECT count(*) FROM {s}.django_migrations "
        "WHERE app = 'registers' AND name = '0003_reminder_run'",
    )
    assert recorded == [(1,)]
    assert _tables(target) == _tables(live)


def test_replace_is_refused_without_confirmation_and_keeps_the_old_schema_with_it(
    make_tenant: Any, local_regions: Path, restored_schemas: list[str]
) -> None:
    from registers.models import Letter
    from tenants.backups.layout import BackupError
    from tenants.backups.models import RestoreMode, RestoreRecord, RestoreStatus
    from tenants.backups.services import backup_restore, backup_stage

    tenant = make_tenant(letters=2)
    live = tenant.schema_name
    backup = backup_stage(municipality=tenant)
    add_letters(tenant, 1, prefix="หลังสำรอง ")  # a change after the backup
    schemas = _all_schemas()

    with pytest.raises(BackupError, match="confirm"):
        backup_restore(backup=backup, mode=RestoreMode.REPLACE, actor="t", reason="ลอง")
    assert _all_schemas() == schemas and not RestoreRecord.objects.exists()
    with tenant:
        assert Letter.objects.count() == 3

    record = backup_restore(
        backup=backup, mode=RestoreMode.REPLACE, actor="vendor:test", reason="ข้อมูลเสีย", confirm=True
    )
    restored_schemas.append(record.previous_schema)

    assert record.status == RestoreStatus.SUCCEEDED and record.target_schema == live
    assert record.previous_schema.startswith(f"{live}_replaced_")
    assert _all_schemas() == schemas | {record.previous_schema}
    with tenant:
        assert Letter.objects.count() == 2  # the backup's state
        for path, sha in Letter.objects.values_list("attachments__file", "attachments__sha256"):
            assert hashlib.sha256(_stored(path)).hexdigest() == sha
    kept = _query(record.previous_schema, "SELECT count(*) FROM {s}.registers_letter")
    assert kept == [(3,)]  # the replaced data is kept, not dropped


def test_one_letters_files_alone(make_tenant: Any, local_regions: Path) -> None:
    from registers.models import Attachment
    from tenants.backups.models import RestoreMode
    from tenants.backups.services import backup_restore_letter_files, backup_stage

    tenant = make_tenant(letters=2)
    backup = backup_stage(municipality=tenant)
    with tenant:
        first, second = sorted({a.letter_id for a in Attachment.objects.all()})
        lost = list(Attachment.objects.filter(letter_id=first).values_list("file", "sha256"))
        kept = list(Attachment.objects.filter(letter_id=second).values_list("file", flat=True))
    for path, _sha in lost:
        default_storage.delete(path)
    default_storage.delete(kept[0])  # another letter's file, not asked for

    record = backup_restore_letter_files(
        backup=backup, letter_id=first, actor="vendor:test", reason="ไฟล์หาย"
    )

    assert record.mode == RestoreMode.LETTER_FILES and record.target_schema == tenant.schema_name
    assert record.verification["files"] == {
        "checked": len(lost),
        "restored": len(lost),
        "mismatched": [],
    }
    for path, sha in lost:
        assert hashlib.sha256(_stored(path)).hexdigest() == sha
    assert not default_storage.exists(kept[0])


def test_the_drill_restores_verifies_records_and_drops_its_scratch_schema(
    make_tenant: Any, local_regions: Path
) -> None:
    from tenants.backups.models import RestoreMode, RestoreRecord, RestoreStatus
    from tenants.backups.services import backup_stage, restore_drill_run

    tenant = make_tenant(letters=2)
    backup = backup_stage(municipality=tenant)
    schemas = _all_schemas()

    record = restore_drill_run()

    assert record is not None and record.municipality_id == tenant.pk
    assert record.backup_id == backup.pk and record.mode == RestoreMode.DRILL
    assert record.status == RestoreStatus.SUCCEEDED
    assert record.verification["ok"] and record.verification["scratch_dropped"]
    assert record.verification["files"]["checked"] == len(backup.manifest["files"])
    assert record.target_schema.startswith(f"drill_{backup.pk}_")
    assert _all_schemas() == schemas
    location = Path(default_storage.location)  # type: ignore[attr-defined]
    assert not (location / "tenants" / record.target_schema).exists()
    assert list(RestoreRecord.objects.filter(mode=RestoreMode.DRILL)) == [record]


def test_a_corrupted_part_fails_verification_with_a_clear_error(
    make_tenant: Any, local_regions: Path
) -> None:
    from tenants.backups.layout import staged_path
    from tenants.backups.models import RestoreMode, RestoreRecord, RestoreStatus
    from tenants.backups.restore import RestoreFailed
    from tenants.backups.services import backup_restore, backup_stage

    tenant = make_tenant(letters=1)
    backup = backup_stage(municipality=tenant)
    entry = next(p for p in backup.manifest["parts"] if p["name"] == "registers_letter.copy.gz")
    pack = staged_path(backup, entry["key"])
    data = bytearray(pack.read_bytes())
    data[entry["offset"] + entry["size"] // 2] ^= 0xFF  # inside this part, in its pack
    pack.write_bytes(bytes(data))
    schemas = _all_schemas()
    target = f"{tenant.schema_name}_bad"

    with pytest.raises(RestoreFailed, match=r"registers_letter\.copy\.gz is corrupted") as caught:
        backup_restore(
            backup=backup, mode=RestoreMode.FRESH, target_schema=target, actor="t", reason="x"
        )

    record = RestoreRecord.objects.get(pk=caught.value.record.pk)
    assert record.status == RestoreStatus.FAILED and "SHA-256" in record.error
    assert record.verification["ok"] is False
    assert _all_schemas() == schemas  # nothing was built


def test_a_corrupted_file_fails_the_restore_and_leaves_nothing_behind(
    make_tenant: Any, local_regions: Path
) -> None:
    from tenants.backups.layout import staged_path
    from tenants.backups.models import RestoreMode, RestoreStatus
    from tenants.backups.restore import RestoreFailed
    from tenants.backups.services import backup_restore, backup_stage

    tenant = make_tenant(letters=3)
    backup = backup_stage(municipality=tenant)
    entry = backup.manifest["files"][-1]
    staged = staged_path(backup, entry["key"])
    data = bytearray(staged.read_bytes())
    data[entry.get("offset", 0)] ^= 0xFF  # one byte of this file, inside its pack
    staged.write_bytes(bytes(data))
    schemas = _all_schemas()
    target = f"{tenant.schema_name}_badfile"

    with pytest.raises(RestoreFailed, match="is corrupted") as caught:
        backup_restore(
            backup=backup, mode=RestoreMode.FRESH, target_schema=target, actor="t", reason="x"
        )

    assert caught.value.record.status == RestoreStatus.FAILED
    assert entry["path"] in caught.value.record.error
    assert _all_schemas() == schemas
    location = Path(default_storage.location)  # type: ignore[attr-defined]
    assert not (location / "tenants" / target).exists()


def test_a_restore_reads_from_a_region_once_the_staging_folder_is_gone(
    make_tenant: Any, local_regions: Path, restored_schemas: list[str]
) -> None:
    import shutil

    from tenants.backups.layout import staged_path
    from tenants.backups.models import RestoreMode
    from tenants.backups.packs import object_sha256
    from tenants.backups.regions import region_store
    from tenants.backups.services import backup_restore, backup_stage

    tenant = make_tenant(letters=2)
    backup = backup_stage(municipality=tenant)
    store = region_store("secondary")
    for entry in backup.manifest["parts"] + backup.manifest["files"]:
        sha = object_sha256(entry)  # a pack's pieces share its key
        store.put_file(staged_path(backup, entry["key"]), entry["key"], sha)
    shutil.rmtree(backup.staging_path)
    target = f"{tenant.schema_name}_region"
    restored_schemas.append(target)

    record = backup_restore(
        backup=backup, mode=RestoreMode.FRESH, target_schema=target, actor="t", reason="ภูมิภาค"
    )

    assert record.verification["ok"] and record.verification["files"]["mismatched"] == []
    assert record.verification["tables"]["registers_letter"]["actual"] == 2
    schema = next(p for p in backup.manifest["parts"] if p["name"] == "schema.sql.gz")
    with (store.root / schema["key"]).open("rb") as f:  # type: ignore[attr-defined]
        f.seek(schema["offset"])
        assert "CREATE TABLE" in gzip.decompress(f.read(schema["size"])).decode()


def test_a_later_backup_restores_unchanged_files_from_the_regions(
    make_tenant: Any, local_regions: Path, restored_schemas: list[str]
) -> None:
    """The second backup stages only the new letter's files; once uploaded and its staging
    folder gone, its restore reads every part and file from the regions."""
    from tenants.backups.models import BackupStatus, RestoreMode
    from tenants.backups.services import backup_restore, backup_stage
    from tenants.backups.upload import backup_upload

    tenant = make_tenant(letters=2)
    first = backup_upload(backup=backup_stage(municipality=tenant))
    add_letters(tenant, 1, prefix="ใหม่ ")
    second = backup_upload(backup=backup_stage(municipality=tenant))
    assert first.status == second.status == BackupStatus.COMPLETE
    assert second.staging_path == ""
    assert any(not f["staged"] for f in second.manifest["files"])
    target = f"{tenant.schema_name}_later"
    restored_schemas.append(target)

    record = backup_restore(
        backup=second, mode=RestoreMode.FRESH, target_schema=target, actor="t", reason="ล่าสุด"
    )

    assert record.verification["tables"]["registers_letter"] == {"expected": 3, "actual": 3}
    assert record.verification["files"]["restored"] == len(second.manifest["files"])
    for _pk, path, sha in _file_rows(target):
        assert hashlib.sha256(_stored(path)).hexdigest() == sha


def test_restore_tenant_command(
    make_tenant: Any, local_regions: Path, restored_schemas: list[str]
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tenants.backups.services import backup_stage

    tenant = make_tenant(letters=1)
    backup = backup_stage(municipality=tenant)
    target = f"{tenant.schema_name}_cli"
    restored_schemas.append(target)

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_tenant", tenant.slug, "--replace", stdout=StringIO())
    out = StringIO()
    call_command("restore_tenant", tenant.slug, "--into", target, stdout=out)

    text = out.getvalue()
    assert f"from backup #{backup.pk}" in text
    assert "parts: " in text and "checked" in text
    assert "กู้คืนสำเร็จและตรวจสอบแล้ว / restored and verified" in text
    assert _schema_exists(target)


def test_large_files_stand_alone_and_full_packs_roll_over_and_restore(
    make_tenant: Any, local_regions: Path, restored_schemas: list[str], monkeypatch: Any
) -> None:
    """Files above PACK_FILE_MAX are objects of their own; a pack that reaches PACK_TARGET is
    closed and the next begun. A restore from a region reads both kinds, byte for byte."""
    from registers.models import Attachment
    from tenants.backups import packs
    from tenants.backups.fleet import backup_tenant_run
    from tenants.backups.layout import file_key
    from tenants.backups.models import BackupStatus, RestoreMode
    from tenants.backups.services import backup_restore

    tenant = make_tenant(letters=3)
    with tenant:
        largest = max(Attachment.objects.values_list("size", flat=True))
    monkeypatch.setattr(packs, "PACK_FILE_MAX", largest - 1)  # the largest stands alone
    monkeypatch.setattr(packs, "PACK_TARGET", 1)  # every piece fills a pack
    backup = backup_tenant_run(municipality=tenant)
    assert backup.status == BackupStatus.COMPLETE

    files = backup.manifest["files"]
    alone = [f for f in files if f["size"] >= largest]
    assert alone and len(alone) < len(files)
    for entry in files:
        assert ("offset" in entry) == (entry not in alone)
        if entry in alone:
            assert entry["key"] == file_key(tenant.slug, entry["sha256"])
    parts = backup.manifest["parts"]
    # One piece per pack: each pack is that piece's bytes (empty tables share one: same bytes).
    assert len({p["key"] for p in parts}) > 1
    assert all(p["offset"] == 0 and p["pack_sha256"] == p["sha256"] for p in parts)
    target = f"{tenant.schema_name}_large"
    restored_schemas.append(target)

    record = backup_restore(
        backup=backup,
        mode=RestoreMode.FRESH,
        target_schema=target,
        actor="t",
        reason="ไฟล์ใหญ่",
        region="secondary",
    )

    assert record.verification["ok"]
    assert record.verification["files"]["mismatched"] == []
    location = Path(default_storage.location)  # type: ignore[attr-defined]
    for entry in files:
        moved = entry["path"].replace(f"tenants/{tenant.schema_name}/", f"tenants/{target}/", 1)
        original = (location / entry["path"]).read_bytes()
        assert (location / moved).read_bytes() == original
