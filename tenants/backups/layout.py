"""Where a backup's pieces live: region keys, the local staging folder, and errors.

Region keys (the same in every region):
- ``tenants/<slug>/backups/<YYYYmmddTHHMMSSZ>-<id>/manifest.json``;
- ``tenants/<slug>/files/<sha256[:2]>/<sha256>``: content-addressed objects shared by every
  backup of the tenant (one already in a region is not sent again): a large stored file, or a
  pack holding a backup's parts and its small new files (``packs.py``; manifest entries of a
  piece carry ``offset`` and ``pack_sha256``). Format 1 kept parts under the backup's prefix,
  ``.../parts/<name>``, and every file as its own object; restores read both.

Staging folder of one backup (``<SARABAN_VAR_DIR>/backups/staging/<id>/``): ``manifest.json``
and ``files/<sha256[:2]>/<sha256>`` for its packs and the large files this backup had to read
from storage (those new since the tenant's previous complete backup; the manifest marks them
``"staged": true``). ``staged_path(backup, key)`` maps any key of the backup to that folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings

# 2: parts and small new files are pieces of packs (packs.py); 1: one object each.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
SCHEMA_PART = "schema.sql.gz"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message is Thai / English."""


def staging_root() -> Path:
    return Path(settings.VAR_DIR) / "backups" / "staging"


def backup_key_prefix(slug: str, created_at: dt.datetime, backup_id: int) -> str:
    stamp = created_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"tenants/{slug}/backups/{stamp}-{backup_id}/"


def file_key(slug: str, sha256: str) -> str:
    return f"tenants/{slug}/files/{sha256[:2]}/{sha256}"


def files_prefix(slug: str) -> str:
    return f"tenants/{slug}/files/"


def staged_path(backup: Any, key: str) -> Path:
    """The local copy of ``key`` in the backup's staging folder (which may not hold it)."""
    folder = Path(backup.staging_path)
    if key.startswith(backup.key_prefix):
        return folder / key[len(backup.key_prefix) :]
    prefix = files_prefix(backup.municipality.slug)
    if key.startswith(prefix):
        return folder / "files" / key[len(prefix) :]
    raise BackupError(f"คีย์ {key} ไม่ใช่ของข้อมูลสำรองนี้ / key {key} is not part of this backup")
