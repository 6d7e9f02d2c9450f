"""Command line of the developer stack.

    python -m devstack up [--host 127.0.0.1] [--port 8000]   the whole platform (infra/dev/up)
    eval "$(python -m devstack env)"      start embedded services in the background, export URLs
    python -m devstack stop               stop the services that ``env`` started
    python -m devstack run -- CMD ARGS    embedded services for the duration of one command
    python -m devstack test [PYTEST ARGS]  the test suite (infra/dev/test); services in var/test

Embedded PostgreSQL / Redis start only for DATABASE_URL / REDIS_URL that are not set.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from devstack import default_var_dir, python_path, services


def _missing_services() -> dict[str, bool]:
    return {
        "postgres": not os.environ.get("DATABASE_URL"),
        "redis": not os.environ.get("REDIS_URL"),
    }


def _cmd_env(var_dir: Path) -> int:
    wanted = _missing_services()
    if not any(wanted.values()):
        print("# DATABASE_URL and REDIS_URL are already set: nothing to start", file=sys.stderr)
        return 0
    holder = services.holder_start(
        var_dir, postgres=wanted["postgres"], redis=wanted["redis"], detached=True
    )
    for key, value in sorted(holder.env.items()):
        print(f"export {key}={shlex.quote(value)}")
    print(f"# stop with: python -m devstack stop --var-dir {shlex.quote(str(var_dir))}")
    return 0


def _cmd_run(var_dir: Path, command: list[str]) -> int:
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("usage: python -m devstack run -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    wanted = _missing_services()
    with services.embedded_services(
        var_dir, postgres=wanted["postgres"], redis=wanted["redis"]
    ) as env:
        child = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": python_path(), **env})
        signal.signal(signal.SIGTERM, lambda signum, _frame: child.send_signal(signum))
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue  # the terminal sent Ctrl-C to the child too: let it finish its report


def _cmd_test(pytest_args: list[str]) -> int:
    """The suite, with its own embedded services: it never touches the demo's data in var/."""
    # Importing config (for the var dir) set DJANGO_SETTINGS_MODULE to the local settings, and
    # pytest-django prefers that variable to pyproject.toml: the suite must run on its own.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    return _cmd_run(default_var_dir() / "test", [sys.executable, "-m", "pytest", *pytest_args])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the whole platform with demo data")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8000)
    commands.add_parser("test", help="pytest with embedded services (arguments go to pytest)")
    for name, text in (
        ("env", "start embedded services in the background and print export lines"),
        ("stop", "stop the services started by env"),
        ("run", "run one command with embedded services, then stop them"),
        ("hold", "(internal) the process that keeps the embedded services"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument(
            "--var-dir", type=Path, default=None, help="default: SARABAN_VAR_DIR or var/"
        )
        if name == "run":
            sub.add_argument("run_command", nargs=argparse.REMAINDER)
        if name == "hold":
            sub.add_argument("--no-postgres", dest="postgres", action="store_false")
            sub.add_argument("--no-redis", dest="redis", action="store_false")
    # Every argument after "test" is pytest's, even those that argparse would take for its own.
    args = parser.parse_args(argv[:1] if argv[:1] == ["test"] else argv)

    if args.command == "up":
        from devstack.stack import up as run_up

        return run_up(host=args.host, port=args.port)
    try:
        if args.command == "test":
            return _cmd_test(argv[1:])
        var_dir = (args.var_dir or default_var_dir()).resolve()
        if args.command == "env":
            return _cmd_env(var_dir)
        if args.command == "stop":
            stopped = services.holder_stop(var_dir)
            print("stopped" if stopped else f"no embedded services running for {var_dir}")
            return 0
        if args.command == "run":
            return _cmd_run(var_dir, args.run_command)
        return services.hold(var_dir, postgres=args.postgres, redis=args.redis)
    except RuntimeError as error:
        print(f"devstack: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
