"""OpenDKIM's configuration, key table and signing table, rendered from the control plane.

Each mail domain's ACTIVE key is decrypted into a 0700 folder (never under a folder other users
can write, such as /tmp: OpenDKIM refuses such keys). `manage.py opendkim_run` runs OpenDKIM
and re-renders every MAIL_OPENDKIM_REFRESH_SECONDS; when the keys changed (a rotation finished,
a domain was added) it asks OpenDKIM to reload (SIGUSR1).
"""

from __future__ import annotations

import hashlib
import os
import stat
import string
from dataclasses import dataclass
from pathlib import Path

from mailhosting import dkim_keys
from mailhosting.selectors import active_dkim_keys

TEMPLATE = Path(__file__).resolve().parents[1] / "infra" / "opendkim" / "opendkim.conf.tmpl"


@dataclass(frozen=True)
class OpenDkimSettings:
    directory: str  # 0700; holds the configuration, the tables and keys/
    socket: str  # "inet:8891@0.0.0.0" (OpenDKIM's syntax)
    internal_hosts: tuple[str, ...] = ("127.0.0.0/8",)


@dataclass(frozen=True)
class SigningKey:
    domain: str
    selector: str
    private_pem: bytes


class UnsafeKeyDirectory(RuntimeError):
    pass


def check_safe_directory(path: Path) -> None:
    """Refuse a folder whose parents another user could write (OpenDKIM's own rule)."""
    for folder in [path, *path.parents]:
        if not folder.exists():
            continue
        mode = folder.stat().st_mode
        if mode & (stat.S_IWOTH | stat.S_IWGRP):
            raise UnsafeKeyDirectory(
                f"{folder} is writable by other users; put MAIL_OPENDKIM_KEY_DIRECTORY elsewhere"
            )


def signing_keys() -> list[SigningKey]:
    return [
        SigningKey(
            key.domain.name, key.selector, dkim_keys.decrypt_private_key(key.private_key_encrypted)
        )
        for key in active_dkim_keys()
    ]


def render(settings: OpenDkimSettings, keys: list[SigningKey]) -> dict[str, bytes]:
    """Relative path -> content: opendkim.conf, the tables, and one file per key."""
    directory = Path(settings.directory)
    config = string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        directory=settings.directory, socket=settings.socket
    )
    files: dict[str, bytes] = {"opendkim.conf": config.encode()}
    key_table, signing_table = [], []
    for key in sorted(keys, key=lambda k: k.domain):
        name = f"{key.selector}._domainkey.{key.domain}"
        key_file = f"keys/{key.domain}.{key.selector}.private"
        key_table.append(f"{name} {key.domain}:{key.selector}:{directory / key_file}")
        # refile: a wildcard pattern per domain (every address of the domain signs with it).
        signing_table.append(f"*@{key.domain} {name}")
        files[key_file] = key.private_pem
    files["key-table"] = ("\n".join(key_table) + "\n").encode()
    files["signing-table"] = ("\n".join(signing_table) + "\n").encode()
    files["internal-hosts"] = ("\n".join(settings.internal_hosts) + "\n").encode()
    return files


def fingerprint(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def write(settings: OpenDkimSettings, keys: list[SigningKey]) -> str:
    """Write every file (atomically, keys 0600), drop keys no longer active; the fingerprint."""
    directory = Path(settings.directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    check_safe_directory(directory)
    (directory / "keys").mkdir(exist_ok=True, mode=0o700)
    (directory / "keys").chmod(0o700)
    files = render(settings, keys)
    for name, content in files.items():
        path = directory / name
        temporary = path.with_name(f".{path.name}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    for old in (directory / "keys").glob("*.private"):
        if f"keys/{old.name}" not in files:  # a retired key leaves the disk too
            old.unlink()
    return fingerprint(files)
