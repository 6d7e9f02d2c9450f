"""Packs: many small pieces of one backup sent to a region as one object.

A backup's parts (the schema and every table) and the small files new since the tenant's last
backup are written one after the other into a pack, ``files/<sha256[:2]>/<sha256>`` (content-
addressed like a file: the key names the SHA-256 of the whole pack). Each piece keeps its own
manifest entry with its own SHA-256 and size, plus ``offset`` and ``pack_sha256``; its ``key``
is the pack's. A region then takes two objects a day per tenant (the pack and the manifest)
instead of one per table and per file, and a first backup sends a few packs instead of one
object per file. Restic and Borg pack small blobs the same way.

Files larger than ``PACK_FILE_MAX`` stay objects of their own (multipart uploads, and a
one-letter restore that reads only them). A pack is closed at ``PACK_TARGET`` bytes and the next
one begun, so a letter's restore never reads more than about that much.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from tenants.backups.layout import file_key

MIB = 1024 * 1024
PACK_FILE_MAX = 4 * MIB
PACK_TARGET = 64 * MIB
_COPY_CHUNK = 1024 * 1024


def object_sha256(entry: dict[str, Any]) -> str:
    """The SHA-256 of the object that holds ``entry``: its pack's, or its own."""
    return str(entry.get("pack_sha256") or entry["sha256"])


def is_packed(entry: dict[str, Any]) -> bool:
    return "offset" in entry


class _Member:
    """Writes one piece into the open pack, hashing it (and the pack) on the way."""

    def __init__(self, pack: _OpenPack) -> None:
        self.pack = pack
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.pack.digest.update(data)
        self.pack.size += len(data)
        return int(self.pack.handle.write(data))

    def flush(self) -> None:
        pass


class _OpenPack:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO = path.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0
        self.entries: list[dict[str, Any]] = []


class PackWriter:
    """Packs of one backup in its staging folder; ``close()`` names them by their SHA-256 and
    fills in the ``key`` and ``pack_sha256`` of every entry placed in them."""

    def __init__(self, folder: Path, slug: str) -> None:
        self.folder = folder
        self.slug = slug
        self.current: _OpenPack | None = None
        self.closed: list[tuple[str, str, int]] = []  # (key, sha256, size)

    def _pack(self) -> _OpenPack:
        if self.current is not None and self.current.size >= PACK_TARGET > 0:
            self._finish(self.current)
            self.current = None
        if self.current is None:
            (self.folder / "files").mkdir(parents=True, exist_ok=True)
            self.current = _OpenPack(self.folder / "files" / f".pack-{uuid.uuid4().hex}.tmp")
        return self.current

    def place(self, entry: dict[str, Any], fill: Callable[[_Member], None]) -> dict[str, Any]:
        """Write a piece through ``fill(writer)``; sets the entry's offset, sha256 and size."""
        pack = self._pack()
        member = _Member(pack)
        entry["offset"] = pack.size
        fill(member)
        entry["sha256"] = member.digest.hexdigest()
        entry["size"] = member.size
        pack.entries.append(entry)
        return entry

    def _finish(self, pack: _OpenPack) -> None:
        pack.handle.flush()
        os.fsync(pack.handle.fileno())
        pack.handle.close()
        sha = pack.digest.hexdigest()
        final = self.folder / "files" / sha[:2] / sha
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(pack.path, final)
        key = file_key(self.slug, sha)
        for entry in pack.entries:
            entry["key"] = key
            entry["pack_sha256"] = sha
        self.closed.append((key, sha, pack.size))

    def close(self) -> list[tuple[str, str, int]]:
        if self.current is not None:
            self._finish(self.current)
            self.current = None
        return self.closed

    def abort(self) -> None:
        if self.current is not None:
            self.current.handle.close()
            self.current.path.unlink(missing_ok=True)
            self.current = None


class ObjectSource(Protocol):
    def get_to(self, key: str, local_path: Path) -> None: ...


class PackCache:
    """Reads entries out of a backup's objects, fetching each pack once (thread-safe)."""

    def __init__(self, source: ObjectSource, folder: Path) -> None:
        self.source = source
        self.folder = folder
        self._lock = threading.Lock()
        self._pack_locks: dict[str, threading.Lock] = {}

    def _pack(self, entry: dict[str, Any]) -> Path:
        sha = object_sha256(entry)
        with self._lock:
            lock = self._pack_locks.setdefault(sha, threading.Lock())
        with lock:
            path = self.folder / sha
            if not path.is_file():
                self.folder.mkdir(parents=True, exist_ok=True)
                temp = self.folder / f".{uuid.uuid4().hex}.tmp"
                self.source.get_to(entry["key"], temp)
                os.replace(temp, path)
            return path

    def get_to(self, entry: dict[str, Any], local_path: Path) -> None:
        """The entry's bytes into ``local_path`` (not checked: callers check the entry's
        SHA-256, which covers a damaged pack too)."""
        if not is_packed(entry):
            self.source.get_to(entry["key"], local_path)
            return
        pack = self._pack(entry)
        Path(local_path).parent.mkdir(parents=True, exist_ok=True)
        with pack.open("rb") as source, Path(local_path).open("wb") as target:
            source.seek(int(entry["offset"]))
            remaining = int(entry["size"])
            while remaining > 0:
                chunk = source.read(min(_COPY_CHUNK, remaining))
                if not chunk:
                    break  # a short pack: the caller's size check reports it
                target.write(chunk)
                remaining -= len(chunk)

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
