"""Render Dovecot's configuration from the templates in infra/dovecot/.

Production (`manage.py dovecot_run` in the `dovecot` container) and the tests (a private
instance on free ports) render the same templates; only the paths, ports and database differ.
"""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "infra" / "dovecot"


@dataclass(frozen=True)
class DovecotSettings:
    config_directory: str
    base_dir: str
    state_dir: str
    mail_root: str  # Maildirs live under <mail_root>/<domain>/<local part>/Maildir
    log_path: str
    mx_host: str
    pg_connect: str  # libpq key=value string
    listen: str = "*"
    imap_port: int = 143
    lmtp_port: int = 24
    auth_port: int = 12345
    mail_user: str = "mail"
    mail_group: str = "mail"
    tls_cert_file: str = ""
    tls_key_file: str = ""
    instance_name: str = "dovecot"


def pg_connect(*, host: str, port: str | int, dbname: str, user: str, password: str = "") -> str:
    parts = [f"host={host}", f"port={port}", f"dbname={dbname}", f"user={user}"]
    if password:
        parts.append(f"password={password}")
    return " ".join(parts)


def render(settings: DovecotSettings) -> dict[str, str]:
    """File name -> content, for every template."""
    values = {key: str(value) for key, value in asdict(settings).items()}
    if settings.tls_cert_file:
        # IMAP logins from outside need TLS (disable_plaintext_auth); STARTTLS on 143.
        values["ssl"] = "yes"
        values["ssl_files"] = (
            f"ssl_cert = <{settings.tls_cert_file}\nssl_key = <{settings.tls_key_file}"
        )
    else:
        values["ssl"] = "no"
        values["ssl_files"] = ""
    rendered = {}
    for template in sorted(TEMPLATES.glob("*.tmpl")):
        text = string.Template(template.read_text(encoding="utf-8")).substitute(values)
        rendered[template.name.removesuffix(".tmpl")] = text
    return rendered


def write(settings: DovecotSettings) -> Path:
    directory = Path(settings.config_directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in render(settings).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        if name.endswith(".ext"):
            path.chmod(0o600)  # database credentials; Dovecot's auth process reads it as root
    return directory
