"""Where backups are kept: one store per region (S3 in production, a local folder embedded).

A backup lands in two regions with separate endpoints, buckets and credentials (by default
ap-southeast-7 Bangkok and ap-southeast-1 Singapore). Every object written is checked against
the SHA-256 the manifest gives for it: before sending (the local file) and after (the checksum
the server computed over what it stored). A mismatch raises ``ChecksumMismatch`` and the object
is removed, so a content-addressed key never holds the wrong bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

_READ_CHUNK = 1024 * 1024
MIB = 1024 * 1024


class RegionError(RuntimeError):
    """A region could not do what was asked (network, credentials, bucket, checksum)."""


class RegionUnavailable(RegionError):
    """The region's endpoint did not answer; the copy is retried later."""


class ChecksumMismatch(RegionError):
    """The bytes are not the ones the manifest describes."""


class RegionStore(Protocol):
    name: str

    def put_file(self, local_path: Path, key: str, sha256: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def get_to(self, key: str, local_path: Path) -> None: ...

    def delete(self, key: str) -> None: ...

    def delete_many(self, keys: list[str]) -> None: ...

    def list(self, prefix: str) -> list[str]: ...


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_key(key: str) -> str:
    if not key or key.startswith("/") or "\\" in key or ".." in key.split("/"):
        raise RegionError(f"invalid object key {key!r}")
    return key


# --- the local directory (embedded default, and the CI fallback when no bucket is set) ------


class LocalRegionStore:
    """A region as a folder: ``<root>/<key>``. Writes go through a temporary file and a rename."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_file(self, local_path: Path, key: str, sha256: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out, Path(local_path).open("rb") as source:
                while chunk := source.read(_READ_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha256:
                raise ChecksumMismatch(
                    f"{self.name}: {key}: local file has sha256 {digest.hexdigest()}, "
                    f"manifest says {sha256}"
                )
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        # Read back: what the region holds is what the manifest says.
        if file_sha256(target) != sha256:
            target.unlink(missing_ok=True)
            raise ChecksumMismatch(f"{self.name}: {key}: stored copy does not match {sha256}")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def get_to(self, key: str, local_path: Path) -> None:
        source = self._path(key)
        if not source.is_file():
            raise RegionError(f"{self.name}: {key} not found")
        local_path = Path(local_path)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, local_path)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Tidy empty folders up to the root, so a deleted backup leaves nothing behind.
        parent = path.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def delete_many(self, keys: list[str]) -> None:
        for key in keys:
            self.delete(key)

    def list(self, prefix: str) -> list[str]:
        base = self.root / prefix.rstrip("/") if prefix else self.root
        # The prefix may end inside a name (S3 semantics): walk its folder, filter by prefix.
        folder = base if base.is_dir() else base.parent
        if not folder.is_dir():
            return []
        keys = []
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".upload-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)


# --- S3 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3RegionConfig:
    name: str
    bucket: str
    region: str
    endpoint_url: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    kms_key_id: str = ""
    multipart_threshold: int = 64 * MIB
    multipart_chunksize: int = 16 * MIB


@functools.lru_cache(maxsize=16)
def _s3_client(config: S3RegionConfig) -> Any:
    """One client per region configuration (boto3 clients are thread-safe; creating one is not
    cheap)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    return session.client(
        "s3",
        region_name=config.region,
        endpoint_url=config.endpoint_url or None,
        aws_access_key_id=config.access_key_id or None,
        aws_secret_access_key=config.secret_access_key or None,
        config=Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=64,  # several tenants at once, 8 uploads each
        ),
    )


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


class S3RegionStore:
    """A region as an S3 bucket: server-side encryption, multipart for large parts, and the
    server's SHA-256 compared with ours after every upload."""

    def __init__(self, config: S3RegionConfig) -> None:
        self.name = config.name
        self.config = config
        self.bucket = config.bucket

    @property
    def client(self) -> Any:
        return _s3_client(self.config)

    def _encryption(self) -> dict[str, str]:
        if self.config.kms_key_id:
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.config.kms_key_id}
        return {"ServerSideEncryption": "AES256"}

    def _call(self, what: str, function: Any, **kwargs: Any) -> Any:
        """Turns botocore's errors into ours: unreachable endpoints are RegionUnavailable."""
        from botocore.exceptions import BotoCoreError, ClientError, ConnectionError

        try:
            return function(**kwargs)
        except ConnectionError as error:
            raise RegionUnavailable(f"{self.name}: {what}: {error}") from error
        except ClientError as error:
            raise RegionError(f"{self.name}: {what}: {error}") from error
        except BotoCoreError as error:
            raise RegionUnavailable(f"{self.name}: {what}: {error}") from error

    def put_file(self, local_path: Path, key: str, sha256: str) -> None:
        local_path = Path(local_path)
        size = local_path.stat().st_size
        extra = {
            **self._encryption(),
            "ChecksumAlgorithm": "SHA256",
            "Metadata": {"sha256": sha256},
        }
        key = _check_key(key)
        if size < self.config.multipart_threshold:
            data = local_path.read_bytes()
            if hashlib.sha256(data).hexdigest() != sha256:
                raise ChecksumMismatch(f"{self.name}: {key}: local file does not match {sha256}")
            response = self._call(
                f"put {key}",
                self.client.put_object,
                Bucket=self.bucket,
                Key=key,
                Body=data,
                **extra,
            )
            # S3 answers with the checksum it verified over the received bytes.
            self._verify(key, expected={_b64(sha256)}, returned=response.get("ChecksumSHA256"))
            return
        part_size = self._part_size(size)
        whole, composite = _digests(local_path, part_size)
        if whole != sha256:
            raise ChecksumMismatch(f"{self.name}: {key}: local file does not match {sha256}")
        from boto3.s3.transfer import TransferConfig

        transfer = TransferConfig(
            multipart_threshold=self.config.multipart_threshold,
            multipart_chunksize=part_size,
            max_concurrency=4,
        )
        self._call(
            f"multipart upload {key}",
            self.client.upload_file,
            Filename=str(local_path),
            Bucket=self.bucket,
            Key=key,
            ExtraArgs=extra,
            Config=transfer,
        )
        # A multipart object's checksum is the SHA-256 of its parts' SHA-256s ("-N" on AWS).
        self._verify(key, expected={_b64(sha256), composite}, returned=None)

    def _part_size(self, size: int) -> int:
        from s3transfer.utils import ChunksizeAdjuster

        return int(ChunksizeAdjuster().adjust_chunksize(self.config.multipart_chunksize, size))

    def _verify(self, key: str, *, expected: set[str], returned: str | None) -> None:
        if returned is None:
            head = self._call(
                f"head {key}",
                self.client.head_object,
                Bucket=self.bucket,
                Key=key,
                ChecksumMode="ENABLED",
            )
            returned = head.get("ChecksumSHA256")
        if returned is not None:
            if returned.split("-", 1)[0] in expected:
                return
            self._remove_bad(key)
            raise ChecksumMismatch(f"{self.name}: {key}: stored checksum {returned} is not ours")
        # An S3-compatible server that keeps no checksums: read the object back and hash it.
        digest = hashlib.sha256()
        body = self._call(f"get {key}", self.client.get_object, Bucket=self.bucket, Key=key)
        for chunk in body["Body"].iter_chunks(_READ_CHUNK):
            digest.update(chunk)
        if _b64(digest.hexdigest()) not in expected:
            self._remove_bad(key)
            raise ChecksumMismatch(f"{self.name}: {key}: read-back does not match")

    def _remove_bad(self, key: str) -> None:
        try:  # noqa: SIM105
            self.delete(key)
        except RegionError:
            pass

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call(
                f"head {key}", self.client.head_object, Bucket=self.bucket, Key=_check_key(key)
            )
        except RegionError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError) and _not_found(cause):
                return False
            raise
        return True

    def get_to(self, key: str, local_path: Path) -> None:
        from boto3.s3.transfer import TransferConfig

        local_path = Path(local_path)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        self._call(
            f"download {key}",
            self.client.download_file,
            Bucket=self.bucket,
            Key=_check_key(key),
            Filename=str(local_path),
            Config=TransferConfig(
                multipart_threshold=self.config.multipart_threshold,
                multipart_chunksize=self.config.multipart_chunksize,
            ),
        )

    def delete(self, key: str) -> None:
        # In a versioned bucket this leaves a delete marker; the bucket's lifecycle rule (and
        # Object Lock, in production) decide when the old version really goes.
        self._call(
            f"delete {key}", self.client.delete_object, Bucket=self.bucket, Key=_check_key(key)
        )

    def delete_many(self, keys: list[str]) -> None:
        """DeleteObjects, a thousand keys per request (retention removes many at once)."""
        for start in range(0, len(keys), 1000):
            batch = [{"Key": _check_key(key)} for key in keys[start : start + 1000]]
            response = self._call(
                f"delete {len(batch)} objects",
                self.client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": batch, "Quiet": True},
            )
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise RegionError(
                    f"{self.name}: {len(errors)} objects not deleted, e.g. {first.get('Key')}: "
                    f"{first.get('Code')} {first.get('Message')}"
                )

    def list(self, prefix: str) -> list[str]:
        return sorted(self._iter_keys(prefix))

    def _iter_keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        pages = self._call(
            f"list {prefix}", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=prefix))
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield str(item["Key"])


def _not_found(error: Any) -> bool:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = error.response.get("Error", {}).get("Code")
    return bool(status == 404 or code in {"404", "NoSuchKey", "NotFound"})


def _digests(path: Path, part_size: int) -> tuple[str, str]:
    """(hex SHA-256 of the file, base64 SHA-256 of its parts' SHA-256 digests) in one pass."""
    whole = hashlib.sha256()
    part_digests = b""
    with path.open("rb") as handle:
        while part := handle.read(part_size):
            whole.update(part)
            part_digests += hashlib.sha256(part).digest()
    return whole.hexdigest(), base64.b64encode(hashlib.sha256(part_digests).digest()).decode()


# --- which regions ----------------------------------------------------------------------------


def configured_regions() -> list[str]:
    """The regions every backup goes to, primary first."""
    return list(settings.BACKUP_REGIONS)


def region_store(name: str) -> RegionStore:
    """The store of region ``name``: S3 when a bucket is configured, else a local folder."""
    try:
        config = settings.BACKUP_REGIONS[name]
    except KeyError:
        raise RegionError(f"unknown backup region {name!r}") from None
    bucket = str(config.get("BUCKET") or "")
    if not bucket:
        return LocalRegionStore(name, Path(settings.BACKUP_LOCAL_REGIONS_DIR) / name)
    return S3RegionStore(
        S3RegionConfig(
            name=name,
            bucket=bucket,
            region=str(config.get("REGION") or ""),
            endpoint_url=str(config.get("ENDPOINT_URL") or ""),
            access_key_id=str(config.get("ACCESS_KEY_ID") or ""),
            secret_access_key=str(config.get("SECRET_ACCESS_KEY") or ""),
            kms_key_id=str(config.get("KMS_KEY_ID") or ""),
            multipart_threshold=int(settings.BACKUP_MULTIPART_THRESHOLD_MB) * MIB,
            multipart_chunksize=int(settings.BACKUP_MULTIPART_CHUNK_MB) * MIB,
        )
    )


def region_label(name: str) -> str:
    """What the console shows for a region: its name and where it is."""
    config = settings.BACKUP_REGIONS.get(name, {})
    where = config.get("REGION") if config.get("BUCKET") else "local"
    return f"{name} ({where})" if where else name
