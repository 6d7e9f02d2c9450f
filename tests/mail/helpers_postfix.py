"""A private Postfix instance for the tests: its own directories and ports, the real binaries,
configured from infra/postfix/ by mailhosting.postfix_config, reading the test database."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from mailhosting.postfix_config import PostfixSettings, write
from tests.registers.helpers_browser import free_port

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"


@dataclass(frozen=True)
class RunningPostfix:
    smtp_port: int
    config_directory: Path
    maillog: Path

    def log(self) -> str:
        return self.maillog.read_text(errors="replace") if self.maillog.exists() else ""

    def flush(self) -> None:
        """Ask the queue manager to retry deferred mail now (as after an outage)."""
        subprocess.run([POSTFIX, "-c", str(self.config_directory), "flush"], check=False)


def _wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"postfix did not listen on {port}")


@contextmanager
def private_postfix(
    *,
    lmtp_port: int,
    database: dict[str, Any] | None = None,
    extra: str = "",
    **overrides: Any,
) -> Iterator[RunningPostfix]:
    """``database``: Django settings keys of the database whose views Postfix reads (default:
    the test database); ``extra``: more main.cf lines (a benchmark's tuning); ``overrides``:
    other PostfixSettings fields (Dovecot, TLS, submission, milters)."""
    params = database or connection.settings_dict
    with tempfile.TemporaryDirectory(prefix="postfix-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # Postfix's own processes run as the postfix user
        (root / "queue").mkdir()  # its subfolders are made by `postfix start`
        data = root / "data"
        data.mkdir()
        shutil.chown(data, user="postfix")
        smtp_port = free_port()
        settings = PostfixSettings(
            config_directory=str(root / "conf"),
            queue_directory=str(root / "queue"),
            data_directory=str(data),
            maillog_file=str(root / "maillog"),
            mx_host="mx.saraban.test",
            smtpd_listen=f"127.0.0.1:{smtp_port}",
            lmtp_host="127.0.0.1",
            lmtp_port=lmtp_port,
            pg_host=f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}",
            pg_dbname=params["NAME"],
            pg_user=params["USER"] or "postgres",
            pg_password=params.get("PASSWORD") or "",
            # Retry quickly: the tests stop the ingest and expect Postfix to try again.
            minimal_backoff_time="1s",
            maximal_backoff_time="2s",
            queue_run_delay="1s",
            qmgr_wakeup="1",
            extra="smtp_dns_support_level = disabled\n" + extra,
            **overrides,
        )
        config = write(settings)
        for lookup in config.glob("pgsql-*.cf"):
            # Postfix skips a database host for retry_interval (default 60 s) after one failed
            # query; the tests stop PostgreSQL for seconds and expect mail to flow right after.
            with lookup.open("a", encoding="utf-8") as handle:
                handle.write("retry_interval = 2\n")
        running = RunningPostfix(smtp_port, config, root / "maillog")
        started = subprocess.run(
            [POSTFIX, "-c", str(config), "start"], check=False, capture_output=True, text=True
        )
        if started.returncode != 0:
            raise RuntimeError(f"postfix did not start: {started.stderr}\n{running.log()}")
        try:
            _wait_for_port(smtp_port, time.monotonic() + 20)
            yield running
        finally:
            subprocess.run([POSTFIX, "-c", str(config), "stop"], check=False, capture_output=True)
            deadline = time.monotonic() + 10
            pid_file = root / "queue" / "pid" / "master.pid"
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
