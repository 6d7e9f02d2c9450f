"""Render Postfix's configuration from the environment and run Postfix in the foreground.

The `postfix` container of docker-compose runs this: the control plane's database (Postfix
reads the mail views), the ingest service to deliver to over LMTP, and the MX host name all come
from the same settings as the rest of the platform.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from mailhosting.postfix_config import PostfixSettings, write


def settings_from_environment(config_directory: str) -> PostfixSettings:
    database = settings.DATABASES["default"]
    return PostfixSettings(
        config_directory=config_directory,
        queue_directory=settings.MAIL_POSTFIX_QUEUE_DIRECTORY,
        data_directory=settings.MAIL_POSTFIX_DATA_DIRECTORY,
        maillog_file="/dev/stdout",
        mx_host=settings.MAIL_MX_HOST,
        smtpd_listen=settings.MAIL_POSTFIX_LISTEN,
        lmtp_host=settings.MAIL_POSTFIX_LMTP_HOST,
        lmtp_port=settings.MAIL_INGEST_PORT,
        pg_host=f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}",
        pg_dbname=database["NAME"],
        pg_user=database["USER"] or "postgres",
        pg_password=database.get("PASSWORD") or "",
        mynetworks=settings.MAIL_POSTFIX_MYNETWORKS,
        message_size_limit=settings.MAIL_MAX_MESSAGE_BYTES,
        dovecot_lmtp=f"{settings.MAIL_DOVECOT_HOST}:{settings.MAIL_DOVECOT_LMTP_PORT}",
        dovecot_auth=f"{settings.MAIL_DOVECOT_HOST}:{settings.MAIL_DOVECOT_AUTH_PORT}",
        submission_listen=settings.MAIL_POSTFIX_SUBMISSION_LISTEN,
        tls_cert_file=settings.MAIL_TLS_CERT_FILE,
        tls_key_file=settings.MAIL_TLS_KEY_FILE,
        milters=settings.MAIL_OPENDKIM_MILTER,
    )


class Command(BaseCommand):
    help = "ตั้งค่าและเริ่ม Postfix / Render Postfix's configuration and run it in the foreground"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config-directory", default="/etc/postfix")
        parser.add_argument(
            "--render-only", action="store_true", help="write the configuration and stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = write(settings_from_environment(options["config_directory"]))
        self.stdout.write(f"postfix configuration written to {config}")
        if options["render_only"]:
            return
        Path(settings.MAIL_POSTFIX_QUEUE_DIRECTORY).mkdir(parents=True, exist_ok=True)
        data = Path(settings.MAIL_POSTFIX_DATA_DIRECTORY)
        data.mkdir(parents=True, exist_ok=True)
        shutil.chown(data, user="postfix")
        postfix = shutil.which("postfix") or "/usr/sbin/postfix"
        os.execv(postfix, [postfix, "-c", str(config), "start-fg"])  # noqa: S606
