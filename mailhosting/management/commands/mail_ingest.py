"""Run the ingest service: `manage.py mail_ingest [--smtp] [--host H] [--port P]`."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from mailhosting.ingest.server import ingest_controller


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

    def handle(self, *args: Any, **options: Any) -> None:
        controller = ingest_controller(
            host=options["host"], port=options["port"], lmtp=not options["smtp"]
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        controller.start()
        protocol = "SMTP" if options["smtp"] else "LMTP"
        self.stdout.write(f"mail ingest ({protocol}) on {options['host']}:{options['port']}")
        try:
            stop.wait()
        finally:
            controller.stop()
