"""Render OpenDKIM's keys and tables from the control plane, run it, and follow key rotations.

The `opendkim` container of docker-compose runs this; Postfix uses it as a milter
(MAIL_OPENDKIM_MILTER). Every MAIL_OPENDKIM_REFRESH_SECONDS the keys are rendered again and
OpenDKIM reloads when they changed (a rotation switched selectors, a domain was added).
"""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from mailhosting.opendkim_config import OpenDkimSettings, signing_keys, write
from mailhosting.opendkim_runner import OpenDkimSupervisor


def settings_from_environment() -> OpenDkimSettings:
    return OpenDkimSettings(
        directory=settings.MAIL_OPENDKIM_KEY_DIRECTORY,
        socket=settings.MAIL_OPENDKIM_SOCKET,
        internal_hosts=tuple(settings.MAIL_POSTFIX_MYNETWORKS.replace(",", " ").split()),
    )


class Command(BaseCommand):
    help = "ตั้งค่าและเริ่ม OpenDKIM / Render OpenDKIM's keys and run it, following rotations"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--render-only", action="store_true", help="write the keys and tables and stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        opendkim_settings = settings_from_environment()
        if options["render_only"]:
            write(opendkim_settings, signing_keys())
            self.stdout.write(f"opendkim configuration written to {opendkim_settings.directory}")
            return
        supervisor = OpenDkimSupervisor(opendkim_settings)
        stopping = False

        def stop(_signum: int, _frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        supervisor.start()
        try:
            next_refresh = time.monotonic() + settings.MAIL_OPENDKIM_REFRESH_SECONDS
            while not stopping and supervisor.running():
                time.sleep(1)  # short steps: a SIGTERM is answered at once
                if not stopping and time.monotonic() >= next_refresh:
                    supervisor.refresh()
                    close_old_connections()
                    next_refresh = time.monotonic() + settings.MAIL_OPENDKIM_REFRESH_SECONDS
        finally:
            supervisor.stop()
        if not stopping:
            sys.exit("opendkim exited")
