"""moto in server mode (a real S3/KMS protocol endpoint) on a local port, for the tests."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request


def moto_start(port: int, *, name: str = "moto") -> subprocess.Popen[bytes]:
    """Start ``moto.server`` on ``port`` and return once it answers (30 s at most)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{name} server did not start") from None
            time.sleep(0.1)
