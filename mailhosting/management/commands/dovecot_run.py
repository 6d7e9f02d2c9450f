"""Render Dovecot's configuration from the environment and run Dovecot in the foreground.

The `dovecot` container of docker-compose runs this: staff IMAP mailboxes, the LMTP that
Postfix delivers staff addresses to, and the SASL service of Postfix's submission port, all
reading the control plane's view mail_dovecot_users.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from mailhosting.dovecot_config import DovecotSettings, pg_connect, write


def settings_from_environment(config_directory: str) -> DovecotSettings:
    database = settings.DATABASES["default"]
    return DovecotSettings(
        config_directory=config_directory,
        base_dir="/run/dovecot",
        state_dir="/var/lib/dovecot",
        mail_root=settings.MAIL_DOVECOT_MAIL_ROOT,
        log_path="/dev/stderr",
        mx_host=settings.MAIL_MX_HOST,
        pg_connect=pg_connect(
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            dbname=database["NAME"],
            user=database["USER"] or "postgres",
            password=database.get("PASSWORD") or "",
        ),
        imap_port=settings.MAIL_DOVECOT_IMAP_PORT,
        lmtp_port=settings.MAIL_DOVECOT_LMTP_PORT,
        auth_port=settings.MAIL_DOVECOT_AUTH_PORT,
        tls_cert_file=settings.MAIL_TLS_CERT_FILE,
        tls_key_file=settings.MAIL_TLS_KEY_FILE,
    )


class Command(BaseCommand):
    help = "ตั้งค่าและเริ่ม Dovecot / Render Dovecot's configuration and run it in the foreground"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config-directory", default="/etc/dovecot/saraban")
        parser.add_argument(
            "--render-only", action="store_true", help="write the configuration and stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dovecot_settings = settings_from_environment(options["config_directory"])
        config = write(dovecot_settings)
        self.stdout.write(f"dovecot configuration written to {config}")
        if options["render_only"]:
            return
        mail_root = Path(dovecot_settings.mail_root)
        mail_root.mkdir(parents=True, exist_ok=True)
        shutil.chown(mail_root, user=dovecot_settings.mail_user, group=dovecot_settings.mail_group)
        dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
        os.execv(dovecot, [dovecot, "-F", "-c", str(config / "dovecot.conf")])  # noqa: S606
