"""Render Postfix's configuration from the templates in infra/postfix/.

The same templates serve production (the container's entrypoint renders them from the
environment) and the tests, which run a private Postfix instance with its own directories.
"""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "infra" / "postfix"


@dataclass(frozen=True)
class PostfixSettings:
    config_directory: str
    queue_directory: str
    data_directory: str
    maillog_file: str
    mx_host: str
    smtpd_listen: str  # "25" in production, "127.0.0.1:<port>" in the tests
    lmtp_host: str
    lmtp_port: int
    pg_host: str
    pg_dbname: str
    pg_user: str
    pg_password: str = ""
    mynetworks: str = "127.0.0.0/8"
    message_size_limit: int = 64 * 1024 * 1024
    minimal_backoff_time: str = "300s"
    maximal_backoff_time: str = "4000s"
    queue_run_delay: str = "300s"
    qmgr_wakeup: str = "300"
    extra: str = ""


def render(settings: PostfixSettings) -> dict[str, str]:
    """File name -> content, for every template."""
    values = {key: str(value) for key, value in asdict(settings).items()}
    values["maillog_directory"] = str(Path(settings.maillog_file).parent)
    rendered = {}
    for template in sorted(TEMPLATES.glob("*.tmpl")):
        text = string.Template(template.read_text(encoding="utf-8")).substitute(values)
        rendered[template.name.removesuffix(".tmpl")] = text
    return rendered


def write(settings: PostfixSettings) -> Path:
    directory = Path(settings.config_directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in render(settings).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        if name.startswith("pgsql-"):
            path.chmod(0o640)  # database credentials
    return directory
