"""A private PostgreSQL cluster for tests that stop the database: the machine's own binaries,
``initdb`` into a temporary directory, a free port. The machine's shared PostgreSQL is never
stopped; the private one receives a copy of the schemas a test needs (``pg_dump -n``)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

from tests.registers.helpers_browser import free_port

BINARIES = Path("/usr/lib/postgresql/15/bin")
SYSTEM_USER = "postgres"  # initdb refuses to run as root


def _run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), user=SYSTEM_USER, capture_output=True, text=True, check=check
    )


@dataclass
class PrivatePostgres:
    datadir: Path
    port: int
    dbname: str = "saraban"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.dbname}"

    @property
    def params(self) -> dict[str, Any]:
        """Django's database settings keys, as ``connection.settings_dict`` has them."""
        return {"HOST": "127.0.0.1", "PORT": self.port, "NAME": self.dbname, "USER": "postgres"}

    def connect(self) -> Any:
        return psycopg2.connect(
            host="127.0.0.1", port=self.port, dbname=self.dbname, user="postgres"
        )

    def start(self) -> None:
        log = self.datadir.parent / "postgres.log"
        _run(str(BINARIES / "pg_ctl"), "-D", str(self.datadir), "-l", str(log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` rolls back open transactions; ``immediate`` is a crash (recovery at start)."""
        _run(str(BINARIES / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        status = _run(str(BINARIES / "pg_ctl"), "-D", str(self.datadir), "status", check=False)
        return status.returncode == 0

    def copy_schemas(self, source: dict[str, Any], schemas: Sequence[str]) -> float:
        """Copy ``schemas`` of the source database (Django settings keys) here; seconds taken."""
        started = time.perf_counter()
        dump = [
            "pg_dump",
            "-h",
            str(source.get("HOST") or "127.0.0.1"),
            "-p",
            str(source.get("PORT") or 5432),
            "-U",
            str(source.get("USER") or "postgres"),
            "-Fc",
            "--no-owner",
            "--no-privileges",
            *[f"--schema={name}" for name in schemas],
            str(source["NAME"]),
        ]
        dumped = subprocess.run(dump, capture_output=True, check=True)
        listing = subprocess.run(
            [str(BINARIES / "pg_restore"), "-l"],
            input=dumped.stdout,
            capture_output=True,
            check=True,
        ).stdout.decode()
        # The site listing's trigram index needs the pg_trgm extension, which a dump of some
        # schemas does not carry; the mail path never reads that index.
        entries = Path(tempfile.mkstemp(prefix="restore-", suffix=".list")[1])
        entries.write_text(
            "\n".join(
                line for line in listing.splitlines() if "portal_municipality_name_trgm" not in line
            )
            + "\n"
        )
        restore = [
            str(BINARIES / "pg_restore"),
            "-L",
            str(entries),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "--no-owner",
            "--exit-on-error",
            "-d",
            self.dbname,
        ]
        # The public schema exists in a new database already: its CREATE SCHEMA must not fail.
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
        conn.close()
        with tempfile.NamedTemporaryFile(suffix=".dump") as archive:
            archive.write(dumped.stdout)  # -L needs a seekable archive
            archive.flush()
            restored = subprocess.run([*restore, archive.name], capture_output=True, check=False)
        entries.unlink()
        if restored.returncode != 0:
            raise RuntimeError(f"pg_restore failed: {restored.stderr.decode()[-2000:]}")
        return time.perf_counter() - started


@contextmanager
def private_postgres(*, dbname: str = "saraban") -> Iterator[PrivatePostgres]:
    with tempfile.TemporaryDirectory(prefix="pgcluster-") as tmp:
        root = Path(tmp)
        shutil.chown(root, user=SYSTEM_USER)
        datadir = root / "data"
        _run(
            str(BINARIES / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        server = PrivatePostgres(datadir=datadir, port=free_port(), dbname=dbname)
        with (datadir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {server.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{root}'\n"
                "max_connections = 200\n"
            )
        server.start()
        try:
            admin = psycopg2.connect(
                host="127.0.0.1", port=server.port, dbname="postgres", user="postgres"
            )
            admin.autocommit = True  # CREATE DATABASE runs outside a transaction
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{dbname}"')
            admin.close()
            yield server
        finally:
            if server.running():
                server.stop("immediate")
