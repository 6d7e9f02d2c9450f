"""Run OpenDKIM in the foreground and keep its keys in step with the control plane."""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
from pathlib import Path

from mailhosting.opendkim_config import OpenDkimSettings, signing_keys, write

logger = logging.getLogger(__name__)

OPENDKIM = shutil.which("opendkim") or "/usr/sbin/opendkim"


class OpenDkimSupervisor:
    """OpenDKIM as a child process; refresh() re-renders and reloads it when the keys changed."""

    def __init__(self, settings: OpenDkimSettings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.fingerprint = ""

    @property
    def config(self) -> Path:
        return Path(self.settings.directory) / "opendkim.conf"

    def start(self) -> None:
        if not Path(OPENDKIM).exists():
            raise RuntimeError(
                "opendkim is not installed (Debian packages opendkim opendkim-tools)"
            )
        self.fingerprint = write(self.settings, signing_keys())
        # -f: foreground; -x: our configuration only; -l is unused (Syslog no): errors on stderr.
        self.process = subprocess.Popen([OPENDKIM, "-f", "-x", str(self.config)])

    def refresh(self) -> bool:
        """Re-render; if anything changed, OpenDKIM reloads its configuration and tables."""
        fingerprint = write(self.settings, signing_keys())
        if fingerprint == self.fingerprint:
            return False
        self.fingerprint = fingerprint
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGUSR1)
            logger.info("opendkim keys changed: reloaded")
        return True

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
