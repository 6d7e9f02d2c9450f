"""The two regions: a tenant's backup lands in both S3 endpoints (moto servers), encrypted, with
our SHA-256 checked; large parts go up as multipart uploads; the local-folder default works."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tenants.backups.fleet import backup_tenant_run
from tenants.backups.layout import MANIFEST
from tenants.backups.models import BackupStatus, CopyStatus
from tenants.backups.packs import object_sha256
from tenants.backups.regions import (
    ChecksumMismatch,
    LocalRegionStore,
    S3RegionStore,
    configured_regions,
    region_store,
)

pytestmark = [pytest.mark.backups]


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def test_a_backup_reaches_both_regions_encrypted_and_checksummed(
    s3_regions: dict[str, Any], make_tenant: Any
) -> None:
    tenant = make_tenant(letters=3)
    backup = backup_tenant_run(municipality=tenant)

    assert backup.status == BackupStatus.COMPLETE
    copies = {c.region: c for c in backup.copies.all()}
    assert set(copies) == set(configured_regions()) == {"primary", "secondary"}
    assert all(c.status == CopyStatus.COMPLETE and c.uploaded_at for c in copies.values())
    assert backup.staging_path == ""  # removed once every region has it

    manifest = backup.manifest
    # The parts and the small files are pieces of a pack: one object, named by its SHA-256.
    expected = {part["key"]: object_sha256(part) for part in manifest["parts"]}
    expected[f"{backup.key_prefix}{MANIFEST}"] = backup.manifest_sha256
    assert len(manifest["files"]) >= 3  # each letter's PDF (and its stamped copy, if any)
    expected.update({entry["key"]: object_sha256(entry) for entry in manifest["files"]})
    for name, server in s3_regions.items():
        assert isinstance(region_store(name), S3RegionStore)
        keys = server.keys(f"tenants/{tenant.slug}/")
        assert set(expected) <= keys, name
        client = server.client
        for key, sha256 in expected.items():
            head = client.head_object(Bucket=server.bucket, Key=key, ChecksumMode="ENABLED")
            assert head["ServerSideEncryption"] == "AES256", key
            assert head["ChecksumSHA256"] == _b64(sha256), key
            assert head["Metadata"]["sha256"] == sha256
        # The bytes themselves, not only the checksums S3 reports.
        body = client.get_object(Bucket=server.bucket, Key=f"{backup.key_prefix}{MANIFEST}")
        assert hashlib.sha256(body["Body"].read()).hexdigest() == backup.manifest_sha256
        for entry in manifest["parts"] + manifest["files"]:
            piece = client.get_object(
                Bucket=server.bucket,
                Key=entry["key"],
                Range=f"bytes={entry.get('offset', 0)}-{entry.get('offset', 0) + entry['size'] - 1}",
            )["Body"].read()
            assert hashlib.sha256(piece).hexdigest() == entry["sha256"], entry.get("path")


def test_a_file_already_in_a_region_is_not_sent_again(
    s3_regions: dict[str, Any], make_tenant: Any
) -> None:
    tenant = make_tenant(letters=2)
    first = backup_tenant_run(municipality=tenant)
    server = s3_regions["secondary"]
    files = {entry["key"] for entry in first.manifest["files"]}
    versions_before = {
        key: len(server.client.list_object_versions(Bucket=server.bucket, Prefix=key)["Versions"])
        for key in files
    }

    second = backup_tenant_run(municipality=tenant)
    assert second.status == BackupStatus.COMPLETE
    assert {entry["key"] for entry in second.manifest["files"]} == files
    for key, count in versions_before.items():
        versions = server.client.list_object_versions(Bucket=server.bucket, Prefix=key)
        assert len(versions["Versions"]) == count == 1, key
    assert second.key_prefix != first.key_prefix
    assert f"{second.key_prefix}{MANIFEST}" in server.keys(second.key_prefix)


def test_a_large_part_goes_up_as_a_multipart_upload(
    s3_regions: dict[str, Any], tmp_path: Path
) -> None:
    large = tmp_path / "large.copy.gz"
    large.write_bytes(os.urandom(11 * 1024 * 1024))
    sha256 = hashlib.sha256(large.read_bytes()).hexdigest()
    with override_settings(BACKUP_MULTIPART_THRESHOLD_MB=5, BACKUP_MULTIPART_CHUNK_MB=5):
        store = region_store("primary")
        store.put_file(large, "tenants/x/backups/large.copy.gz", sha256)
    server = s3_regions["primary"]
    head = server.client.head_object(
        Bucket=server.bucket, Key="tenants/x/backups/large.copy.gz", ChecksumMode="ENABLED"
    )
    assert head["ETag"].strip('"').endswith("-3")  # three 5 MiB parts
    assert head["ServerSideEncryption"] == "AES256"
    parts = large.read_bytes()
    digests = b"".join(
        hashlib.sha256(parts[i : i + 5 * 1024 * 1024]).digest()
        for i in range(0, len(parts), 5 * 1024 * 1024)
    )
    assert (
        head["ChecksumSHA256"].split("-")[0]
        == base64.b64encode(hashlib.sha256(digests).digest()).decode()
    )

    back = tmp_path / "back"
    store.get_to("tenants/x/backups/large.copy.gz", back)
    assert hashlib.sha256(back.read_bytes()).hexdigest() == sha256


def test_bytes_that_do_not_match_the_manifest_are_refused(
    s3_regions: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "part.copy.gz"
    source.write_bytes(b"1\tcontent\n")
    wrong = hashlib.sha256(b"something else").hexdigest()
    store = region_store("secondary")
    with pytest.raises(ChecksumMismatch):
        store.put_file(source, "tenants/x/backups/part.copy.gz", wrong)
    assert not store.exists("tenants/x/backups/part.copy.gz")
    with override_settings(BACKUP_MULTIPART_THRESHOLD_MB=5, BACKUP_MULTIPART_CHUNK_MB=5):
        large = tmp_path / "large"
        large.write_bytes(os.urandom(6 * 1024 * 1024))
        with pytest.raises(ChecksumMismatch):
            region_store("secondary").put_file(large, "tenants/x/backups/large", wrong)
    assert not store.exists("tenants/x/backups/large")


def test_kms_encryption_when_a_key_is_configured(
    s3_regions: dict[str, Any], tmp_path: Path
) -> None:
    from django.conf import settings

    regions = {name: dict(values) for name, values in settings.BACKUP_REGIONS.items()}
    regions["primary"]["KMS_KEY_ID"] = "alias/saraban-backups"
    source = tmp_path / "part"
    source.write_bytes(b"data\n")
    sha256 = hashlib.sha256(b"data\n").hexdigest()
    with override_settings(BACKUP_REGIONS=regions):
        region_store("primary").put_file(source, "tenants/x/kms", sha256)
    server = s3_regions["primary"]
    head = server.client.head_object(Bucket=server.bucket, Key="tenants/x/kms")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith("alias/saraban-backups")


def test_the_embedded_default_is_a_local_folder_per_region(
    local_regions: Path, tmp_path: Path
) -> None:
    stores = [region_store(name) for name in configured_regions()]
    assert all(isinstance(store, LocalRegionStore) for store in stores)
    source = tmp_path / "part"
    source.write_bytes(b"rows\n")
    sha256 = hashlib.sha256(b"rows\n").hexdigest()
    for store in stores:
        store.put_file(source, "tenants/a/backups/1/parts/t.copy.gz", sha256)
        store.put_file(source, "tenants/a/files/ab/abc", sha256)
        assert store.exists("tenants/a/backups/1/parts/t.copy.gz")
        assert store.list("tenants/a/backups/") == ["tenants/a/backups/1/parts/t.copy.gz"]
        assert store.list("tenants/a/") == [
            "tenants/a/backups/1/parts/t.copy.gz",
            "tenants/a/files/ab/abc",
        ]
        store.get_to("tenants/a/files/ab/abc", tmp_path / "got")
        assert (tmp_path / "got").read_bytes() == b"rows\n"
        with pytest.raises(ChecksumMismatch):
            store.put_file(source, "tenants/a/files/cd/cde", "0" * 64)
        assert not store.exists("tenants/a/files/cd/cde")
        store.delete("tenants/a/backups/1/parts/t.copy.gz")
        assert store.list("tenants/a/backups/") == []
    assert (local_regions / "primary" / "tenants" / "a" / "files" / "ab" / "abc").is_file()
    assert not (local_regions / "primary" / "tenants" / "a" / "backups").exists()
