"""Run the ingest service: `manage.py mail_ingest [--smtp] [--host H] [--port P] [--processes N]`."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from argparse import SUPPRESS as SUPPRESS_HELP
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from mailhosting.ingest.server import ingest_controller, warm_up


class Command(BaseCommand):
    help = "รับอีเมลเข้าทะเบียน (LMTP หลัง Postfix หรือ SMTP ในเดโม) / Mail ingest service"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.MAIL_INGEST_HOST)
        parser.add_argument("--port", type=int, default=settings.MAIL_INGEST_PORT)
        parser.add_argument(
            "--smtp",
            action="store_true",
            help="speak SMTP instead of LMTP (the embedded demo, without Postfix)",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.MAIL_INGEST_PROCESSES,
            help="ingest processes sharing the port (SO_REUSEPORT); one per CPU is a good start",
        )
        parser.add_argument("--reuse-port", action="store_true", help=SUPPRESS_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        if options["processes"] > 1:
            self._run_several(options, stop)
            return
        warm_up()
        controller = ingest_controller(
            host=options["host"],
            port=options["port"],
            lmtp=not options["smtp"],
            reuse_port=options["reuse_port"],
        )
        controller.start()
        protocol = "SMTP" if options["smtp"] else "LMTP"
        self.stdout.write(f"mail ingest ({protocol}) on {options['host']}:{options['port']}")
        try:
            stop.wait()
        finally:
            controller.stop()

    def _run_several(self, options: dict[str, Any], stop: threading.Event) -> None:
        """Each process its own interpreter (no fork of a process holding DB connections)."""
        command = [sys.argv[0], "mail_ingest", "--processes", "1", "--reuse-port"]
        command = [sys.executable, *command] if sys.argv[0].endswith(".py") else command
        command += ["--host", options["host"], "--port", str(options["port"])]
        if options["smtp"]:
            command.append("--smtp")
        children = [subprocess.Popen(command) for _ in range(options["processes"])]
        try:
            # Stop when told to, or as soon as one child dies (the supervisor restarts us all).
            while not stop.wait(1) and all(child.poll() is None for child in children):
                pass
        finally:
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
