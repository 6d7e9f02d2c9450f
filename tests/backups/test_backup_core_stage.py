"""Staging a tenant's backup: consistent parts with their SHA-256, size and rows, the files it
references, the migration state and sequences, and an atomic staging folder."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.backups.conftest import add_letters

pytestmark = [pytest.mark.backups]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _piece(path: Path, entry: dict[str, Any]) -> bytes:
    """An entry's bytes out of its pack (format 2) in the staging folder."""
    with path.open("rb") as handle:
        handle.seek(entry["offset"])
        return handle.read(entry["size"])


def test_stage_writes_every_part_with_its_hash_size_and_rows(
    make_tenant: Any, local_regions: Path
) -> None:
    from registers.models import Attachment, Letter
    from tenants.backups.layout import staged_path, staging_root
    from tenants.backups.models import BackupStatus
    from tenants.backups.services import backup_stage

    tenant = make_tenant(letters=3)
    with tenant:
        attachments = {a.file.name: a for a in Attachment.objects.all()}
        letters = Letter.objects.count()
    assert letters == 3 and len(attachments) >= 3

    lines: list[str] = []
    backup = backup_stage(municipality=tenant, progress=lines.append)

    assert backup.status == BackupStatus.STAGED and backup.error == ""
    folder = Path(backup.staging_path)
    assert folder == staging_root() / str(backup.pk)
    # Written under a temporary name, then renamed: nothing else is left in the staging root.
    assert [p.name for p in staging_root().iterdir()] == [str(backup.pk)]
    manifest_bytes = (folder / "manifest.json").read_bytes()
    assert hashlib.sha256(manifest_bytes).hexdigest() == backup.manifest_sha256
    manifest = json.loads(manifest_bytes)
    assert manifest == backup.manifest
    assert manifest["format_version"] == 2
    assert manifest["tenant"] == {
        "id": tenant.pk,
        "slug": tenant.slug,
        "schema_name": tenant.schema_name,
        "name_th": tenant.name_th,
    }
    assert backup.key_prefix.startswith(f"tenants/{tenant.slug}/backups/")
    assert backup.key_prefix.endswith(f"-{backup.pk}/")
    assert manifest["server_version"] and manifest["snapshot"]["txid_snapshot"]

    parts = {p["name"]: p for p in manifest["parts"]}
    # Every part, and the small new files, are pieces of one pack named by its SHA-256.
    (pack_key,) = {p["key"] for p in manifest["parts"]}
    pack = staged_path(backup, pack_key)
    assert pack.parent.parent == folder / "files"
    assert pack_key == f"tenants/{tenant.slug}/files/{_sha(pack)[:2]}/{_sha(pack)}"
    for part in manifest["parts"]:
        assert part["pack_sha256"] == _sha(pack)
        piece = _piece(pack, part)
        assert hashlib.sha256(piece).hexdigest() == part["sha256"] and len(piece) == part["size"]
    assert parts["registers_letter.copy.gz"]["rows"] == 3
    assert parts["registers_attachment.copy.gz"]["rows"] == len(attachments)
    assert parts["schema.sql.gz"]["rows"] is None
    # The rows counted are the lines COPY wrote.
    text = gzip.decompress(_piece(pack, parts["registers_letter.copy.gz"])).decode()
    assert text.count("\n") == 3 and "หนังสือทดสอบการสำรองข้อมูล ฉบับที่ 2" in text
    # The DDL of a tenant at the code's migration state is the schema template's.
    assert manifest["ddl"]["origin"] == "template"
    assert ["registers", "0003_reminder_run"] in manifest["migration_state"]
    assert manifest["sequences"]["registers_letter_id_seq"] >= 3

    files = {f["path"]: f for f in manifest["files"]}
    assert set(files) == set(attachments)
    for path, attachment in attachments.items():
        entry = files[path]
        assert entry["sha256"] == attachment.sha256 and entry["size"] == attachment.size
        assert entry["key"] == pack_key and entry["staged"] is True
        assert hashlib.sha256(_piece(pack, entry)).hexdigest() == attachment.sha256
    assert any("registers_letter: 3" in line for line in lines)


def test_a_later_backup_stages_only_the_files_new_since_the_last_complete_one(
    make_tenant: Any, local_regions: Path
) -> None:
    from registers.models import Attachment
    from tenants.backups.layout import staged_path
    from tenants.backups.models import BackupStatus, TenantBackup
    from tenants.backups.services import backup_stage

    tenant = make_tenant(letters=2)
    first = backup_stage(municipality=tenant)
    # As if the upload had put it in every region.
    TenantBackup.objects.filter(pk=first.pk).update(status=BackupStatus.COMPLETE)
    (new_letter,) = add_letters(tenant, 1, prefix="ใหม่ ")
    with tenant:
        new_paths = set(
            Attachment.objects.filter(letter_id=new_letter).values_list("file", flat=True)
        )

    second = backup_stage(municipality=tenant)

    files = second.manifest["files"]
    assert {f["path"] for f in files if f["staged"]} == new_paths
    assert len([f for f in files if not f["staged"]]) == len(first.manifest["files"])
    for entry in files:
        assert staged_path(second, entry["key"]).exists() == entry["staged"]
    # An unchanged file keeps its place in the first backup's pack: nothing is read or sent.
    before = {f["path"]: f for f in first.manifest["files"]}
    for entry in files:
        if not entry["staged"]:
            assert {**entry, "staged": True} == before[entry["path"]]


def test_a_failed_stage_is_recorded_and_leaves_no_folder(
    make_tenant: Any, local_regions: Path
) -> None:
    from django.db import connection

    from tenants.backups.layout import BackupError, staging_root
    from tenants.backups.models import BackupStatus, TenantBackup
    from tenants.backups.services import backup_stage

    tenant = make_tenant(letters=0)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')

    with pytest.raises(BackupError, match="does not exist"):
        backup_stage(municipality=tenant)

    backup = TenantBackup.objects.get(municipality=tenant)
    assert backup.status == BackupStatus.FAILED and "does not exist" in backup.error
    assert not staging_root().exists() or list(staging_root().iterdir()) == []


def test_backup_tenant_command_prints_progress(make_tenant: Any, local_regions: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tenants.backups.models import BackupStatus, TenantBackup

    tenant = make_tenant(letters=1)
    out = StringIO()
    call_command("backup_tenant", tenant.slug, "--stage-only", stdout=out)

    text = out.getvalue()
    backup = TenantBackup.objects.get(municipality=tenant)
    assert backup.status == BackupStatus.STAGED
    assert "กำลังสำรองข้อมูล / backing up" in text
    assert "registers_letter: 1" in text
    assert f"backup #{backup.pk} staged" in text

    out = StringIO()
    call_command("backup_tenant", tenant.slug, stdout=out)

    text = out.getvalue()
    latest = TenantBackup.objects.filter(municipality=tenant).latest("created_at")
    assert latest.status == BackupStatus.COMPLETE and latest.staging_path == ""
    assert "✓ primary: complete" in text and "✓ secondary: complete" in text
    assert "สำรองข้อมูลครบทุกภูมิภาค / backup complete" in text
