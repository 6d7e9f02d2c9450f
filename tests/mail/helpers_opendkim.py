"""A private OpenDKIM for the tests: the real binary on a free port, its keys rendered from the
test database into a 0700 folder that no other user can write (not under /tmp)."""

from __future__ import annotations

import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mailhosting.opendkim_config import OpenDkimSettings
from mailhosting.opendkim_runner import OPENDKIM, OpenDkimSupervisor
from tests.registers.helpers_browser import free_port


def safe_parent() -> Path:
    """/run (root's tmpfs, 0755) when we may write there, else the home folder."""
    for candidate in (Path("/run/saraban-tests"), Path.home() / ".cache" / "saraban-tests"):
        try:
            candidate.mkdir(parents=True, exist_ok=True, mode=0o700)
            candidate.chmod(0o700)
            return candidate
        except OSError:
            continue
    raise RuntimeError("no folder that only this user can write")


@contextmanager
def private_opendkim() -> Iterator[tuple[OpenDkimSupervisor, int]]:
    if not Path(OPENDKIM).exists():
        # CI installs it (infra/dev/system-packages.sh): a missing signer is a failure.
        raise RuntimeError("opendkim is not installed: run infra/dev/system-packages.sh")
    directory = Path(tempfile.mkdtemp(prefix="opendkim-", dir=safe_parent()))
    port = free_port()
    supervisor = OpenDkimSupervisor(
        OpenDkimSettings(directory=str(directory), socket=f"inet:{port}@127.0.0.1")
    )
    try:
        supervisor.start()
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or not supervisor.running():
                raise RuntimeError("opendkim did not listen (see its stderr above)")
            time.sleep(0.1)
        yield supervisor, port
    finally:
        supervisor.stop()
        shutil.rmtree(directory, ignore_errors=True)
