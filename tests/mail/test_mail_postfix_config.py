"""The production Postfix configuration, rendered from the environment, passes Postfix's own check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.mail]


def test_postfix_run_renders_a_configuration_postfix_accepts(tmp_path: Path, settings: Any) -> None:
    tmp_path.chmod(0o755)
    settings.MAIL_POSTFIX_QUEUE_DIRECTORY = str(tmp_path / "queue")
    settings.MAIL_POSTFIX_DATA_DIRECTORY = str(tmp_path / "data")
    settings.MAIL_POSTFIX_LMTP_HOST = "lmtp"
    settings.MAIL_INGEST_PORT = 2525
    config = tmp_path / "conf"
    call_command("postfix_run", "--config-directory", str(config), "--render-only")

    def value(name: str) -> str:
        shown = subprocess.run(
            ["postconf", "-c", str(config), "-h", name], capture_output=True, text=True, check=True
        )
        return shown.stdout.strip()

    assert value("virtual_transport") == "lmtp:inet:lmtp:2525"
    assert int(value("message_size_limit")) >= 50 * 1024 * 1024
    assert value("virtual_mailbox_domains").startswith("pgsql:")
    assert value("myhostname") == settings.MAIL_MX_HOST
    assert "password" in (config / "pgsql-domains.cf").read_text()
    assert (
        config / "pgsql-domains.cf"
    ).stat().st_mode & 0o007 == 0  # credentials not world-readable

    (tmp_path / "queue").mkdir()
    (tmp_path / "data").mkdir()
    shutil.chown(tmp_path / "data", user="postfix")
    checked = subprocess.run(
        ["postfix", "-c", str(config), "check"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
