"""A private Dovecot for the tests: the real binaries, its own directories and free ports,
configured from infra/dovecot/ by mailhosting.dovecot_config, reading the test database."""

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

from django.db import connection

from mailhosting.dovecot_config import DovecotSettings, pg_connect, write
from tests.registers.helpers_browser import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass(frozen=True)
class RunningDovecot:
    imap_port: int
    lmtp_port: int
    auth_port: int
    config: Path
    mail_root: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _wait_for_ports(ports: list[int], deadline: float, log: Path) -> None:
    for port in ports:
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                text = log.read_text(errors="replace") if log.exists() else ""
                raise RuntimeError(f"dovecot did not listen on {port}\n{text}")
            time.sleep(0.1)


@contextmanager
def private_dovecot(*, tls: tuple[Path, Path] | None = None) -> Iterator[RunningDovecot]:
    if not Path(DOVECOT).exists():
        # CI installs it (infra/dev/system-packages.sh): a missing server is a failure.
        raise RuntimeError("dovecot is not installed: run infra/dev/system-packages.sh")
    params = connection.settings_dict
    with tempfile.TemporaryDirectory(prefix="dovecot-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # Dovecot's unprivileged processes traverse it
        mail_root = root / "mail"
        mail_root.mkdir()
        shutil.chown(mail_root, user="mail", group="mail")
        ports = (free_port(), free_port(), free_port())
        settings = DovecotSettings(
            config_directory=str(root / "conf"),
            base_dir=str(root / "run"),
            state_dir=str(root / "state"),
            mail_root=str(mail_root),
            log_path=str(root / "dovecot.log"),
            mx_host="mx.saraban.test",
            pg_connect=pg_connect(
                host=params["HOST"] or "127.0.0.1",
                port=params["PORT"] or 5432,
                dbname=params["NAME"],
                user=params["USER"] or "postgres",
                password=params.get("PASSWORD") or "",
            ),
            listen="127.0.0.1",
            imap_port=ports[0],
            lmtp_port=ports[1],
            auth_port=ports[2],
            tls_cert_file=str(tls[0]) if tls else "",
            tls_key_file=str(tls[1]) if tls else "",
            instance_name=f"dovecot-{ports[0]}",
        )
        config = write(settings) / "dovecot.conf"
        running = RunningDovecot(*ports, config, mail_root, root / "dovecot.log")
        # Not pipes: the daemon keeps its stdio open, and run() would wait for it forever.
        with (root / "start.err").open("w+") as errors:
            started = subprocess.run(
                [DOVECOT, "-c", str(config)], check=False, stdout=errors, stderr=errors
            )
            errors.seek(0)
            if started.returncode != 0:
                raise RuntimeError(f"dovecot did not start: {errors.read()}\n{running.log()}")
        try:
            _wait_for_ports(list(ports), time.monotonic() + 20, running.log_path)
            yield running
        finally:
            subprocess.run([DOVECOT, "-c", str(config), "stop"], check=False, capture_output=True)
            deadline = time.monotonic() + 10
            while (root / "run" / "master.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.2)
