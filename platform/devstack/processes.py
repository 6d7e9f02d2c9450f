"""Child processes that never outlive the devstack, even when it is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1
# Resolved before any fork: the pre-exec hook must not load libraries in the child.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """Pre-exec hook: the kernel sends SIGTERM to the child when the devstack dies (Linux)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    command: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    stdout: int | IO[bytes] | None = None,
    stderr: int | IO[bytes] | None = None,
    detached: bool = False,
) -> subprocess.Popen[bytes]:
    """Start a child in its own process group.

    Its own group keeps the terminal's Ctrl-C away from it, so that the devstack stops the
    children in order (web and Celery before the databases they use). A detached child (the
    services behind ``devstack env``) starts a new session and is not tied to our lifetime.
    """
    if detached:
        return subprocess.Popen(
            list(command),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    return subprocess.Popen(
        list(command),
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        process_group=0,
        preexec_fn=_die_with_parent,  # forks before our relay threads start
    )


def stop(process: subprocess.Popen[bytes], *, timeout: float = 15.0) -> int:
    """SIGTERM the child's process group, then SIGKILL what is left after ``timeout``."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    # Helpers the child started (Celery's pool) may still run after it exited.
    _signal_group(process.pid, signal.SIGKILL)
    return process.wait()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def relay_output(name: str, stream: IO[bytes]) -> threading.Thread:
    """Copy a child's output to ours, each line prefixed with the child's name."""

    def pump() -> None:
        prefix = f"{name:>6} | ".encode()
        for line in iter(stream.readline, b""):
            # Keep draining even when our terminal is gone: a full pipe would block the child.
            with contextlib.suppress(OSError):
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()

    thread = threading.Thread(target=pump, name=f"relay-{name}", daemon=True)
    thread.start()
    return thread
