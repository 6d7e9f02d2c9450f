"""``python -m devstack up``: services, database, demo data, then web + worker + beat."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any

from config.env import env_int, env_str
from devstack import PLATFORM_ROOT, default_var_dir, processes, python_path, services

HEALTH_TIMEOUT = 120.0


class Stop(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived: stop everything and exit."""


class Failed(Exception):
    """A set-up step or a child process failed."""


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    # Once: a second Ctrl-C must not interrupt the orderly stop that the first one started.
    for other in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(other, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


def _base_env(var_dir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        PLATFORM_PUBLIC_PORT=str(port),
        SARABAN_VAR_DIR=str(var_dir),
        PYTHONPATH=python_path(),
        PYTHONUNBUFFERED="1",  # children's logs reach the terminal as they happen
    )
    # pgserver, imported by the schema template code, warns when XDG_RUNTIME_DIR is unset.
    env.setdefault("PYTHONWARNINGS", "ignore:XDG_RUNTIME_DIR is not set")
    return env


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _manage(env: dict[str, str], *args: str) -> None:
    """Run a management command to completion (its output goes straight to the terminal)."""
    print(f"==> manage.py {' '.join(args)}", flush=True)
    command = [sys.executable, str(PLATFORM_ROOT / "manage.py"), *args]
    process = processes.spawn(command, env=env, cwd=PLATFORM_ROOT)
    try:
        code = process.wait()
    finally:
        processes.stop(process)
    if code != 0:
        raise Failed(f"manage.py {' '.join(args)} failed with exit code {code}")


def _wait_healthy(web: subprocess.Popen[bytes], host: str, port: int, domain: str) -> None:
    """Poll /healthz on the apex until it answers 200 (the web child may still be starting)."""
    connect = "127.0.0.1" if host in {"0.0.0.0", ""} else ("::1" if host == "::" else host)  # noqa: S104
    netloc = f"[{connect}]:{port}" if ":" in connect else f"{connect}:{port}"
    request = urllib.request.Request(
        f"http://{netloc}/healthz", headers={"Host": f"{domain}:{port}"}
    )
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise Failed(f"web exited with code {web.returncode} before it answered")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise Failed(f"web did not answer http://{domain}:{port}/healthz in {HEALTH_TIMEOUT:.0f}s")


def _banner(
    *,
    domain: str,
    port: int,
    summary: dict[str, Any],
    env: dict[str, str],
    var_dir: Path,
    mail_port: int,
) -> str:
    base = f"http://{domain}:{port}" if port != 80 else f"http://{domain}"
    tenant_base = base.replace("://", f"://{summary['tenant']['slug']}.", 1)
    password = summary["password"]
    vendor = summary["vendor"]
    lines = [
        "",
        "=" * 78,
        "  Saraban Cloud is running. Ctrl-C stops everything.",
        "",
        f"  Public site (apex)     {base}/",
        f"  Vendor console         {base}/console/",
        f"      login: {vendor['username']} / {password}, OTP token: one of these backup codes",
        "      (each works once): " + " ".join(vendor["backup_codes"]),
        f"  Demo municipality      {tenant_base}/   ({summary['tenant']['name_th']})",
        f"      staff login        {tenant_base}/accounts/login/   password: {password}",
    ]
    for person in summary["staff"]:
        lines.append(f"        {person['username']:<10} {person['role']}")
    central = summary["tenant"].get("central_address", "")
    if central:
        lines += [
            f"  Mail (SMTP)            127.0.0.1:{mail_port}  -> {central} (into the intake queue)",
            f"      python -c \"import smtplib; smtplib.SMTP('127.0.0.1', {mail_port}).sendmail("
            f"'a@example.go.th', '{central}', 'Subject: test\\r\\n\\r\\nhello')\"",
        ]
    lines += [
        "",
        f"  DATABASE_URL={_redact(env['DATABASE_URL'])}",
        f"  REDIS_URL={_redact(env['REDIS_URL'])}",
        "  Worker and beat run alongside (their log lines start with 'worker |', 'beat |').",
        f"  Data lives in {var_dir}",
        f"  *.{domain} resolves to this machine in browsers and curl; other HTTP clients can",
        f"  connect to 127.0.0.1:{port} and send the header 'Host: {summary['tenant']['slug']}."
        f"{domain}:{port}'.",
        "=" * 78,
        "",
    ]
    return "\n".join(lines)


def _redact(url: str) -> str:
    """The URL without its password (the banner may end up in a shared log)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _supervise(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """Return never; raise Failed as soon as any child exits."""
    while True:
        for name, child in children.items():
            if child.poll() is not None:
                raise Failed(f"{name} exited with code {child.returncode}")
        time.sleep(0.5)


def up(*, host: str, port: int) -> int:
    var_dir = default_var_dir()
    var_dir.mkdir(parents=True, exist_ok=True)
    domain = env_str("PLATFORM_DOMAIN", "localhost").lower().strip(".")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    env = _base_env(var_dir, port)
    holder: services.Holder | None = None
    children: dict[str, subprocess.Popen[bytes]] = {}
    code = 1
    try:
        if not _port_free(host, port):
            raise Failed(f"port {port} on {host} is in use: pass --port to pick another")
        mail_port = env_int("MAIL_INGEST_PORT", 2525, minimum=1)
        if not _port_free("127.0.0.1", mail_port):
            raise Failed(f"mail port {mail_port} is in use: set MAIL_INGEST_PORT to another")
        need_postgres, need_redis = not env.get("DATABASE_URL"), not env.get("REDIS_URL")
        if need_postgres or need_redis:
            print("==> starting embedded services", flush=True)
            holder = services.holder_start(var_dir, postgres=need_postgres, redis=need_redis)
            env.update(holder.env)
            if holder.process is not None:
                children["services"] = holder.process  # supervised like the others
        summary_file = services.state_dir(var_dir) / "demo.json"
        _manage(env, "migrate_schemas", "--shared")
        _manage(env, "migrate_schemas", "--tenant")
        _manage(env, "platform_bootstrap")
        _manage(env, "seed_demo", "--summary-file", str(summary_file))

        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        commands = {
            "web": [
                sys.executable,
                str(PLATFORM_ROOT / "manage.py"),
                "runserver",
                address,
                "--noreload",
            ],
            "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2"],
            # No Postfix here: the ingest service speaks SMTP itself (smtplib, swaks).
            "mail": [
                sys.executable,
                str(PLATFORM_ROOT / "manage.py"),
                "mail_ingest",
                "--smtp",
                "--host",
                "127.0.0.1",
                "--port",
                str(mail_port),
            ],
            "beat": [
                *celery,
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(var_dir / "celerybeat-schedule"),
            ],
        }
        print("==> starting web, worker, beat and mail", flush=True)
        for name, command in commands.items():
            children[name] = processes.spawn(
                command,
                env=env,
                cwd=PLATFORM_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        # Relay threads start only after the last fork (see processes.spawn).
        for name in commands:
            stream = children[name].stdout
            assert stream is not None
            processes.relay_output(name, stream)
        _wait_healthy(children["web"], host, port, domain)
        summary = json.loads(summary_file.read_text())
        print(
            _banner(
                domain=domain,
                port=port,
                summary=summary,
                env=env,
                var_dir=var_dir,
                mail_port=mail_port,
            ),
            flush=True,
        )
        _supervise(children)
    except Stop as stop:
        print(f"\n==> {stop}: stopping", flush=True)
        code = 0
    except (Failed, RuntimeError) as failure:
        print(f"\n==> {failure}; stopping everything", file=sys.stderr, flush=True)
        code = 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        # Web and Celery first: they hold connections to the databases stopped last.
        for name in ("web", "mail", "beat", "worker"):
            if name in children:
                processes.stop(children[name])
        if holder is not None:
            holder.stop()
        print("==> stopped", flush=True)
    return code
