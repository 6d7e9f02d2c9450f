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
    # Staff mailboxes: Dovecot's LMTP (host:port) and its SASL service for submission.
    dovecot_lmtp: str = "127.0.0.1:24"
    dovecot_auth: str = "127.0.0.1:12345"
    submission_listen: str = ""  # "587" in production; empty: no submission service
    tls_cert_file: str = ""  # empty: no TLS (the embedded demo)
    tls_key_file: str = ""
    milters: str = ""  # OpenDKIM, e.g. "inet:opendkim:8891"; empty: no milter
    extra: str = ""


def _tls_and_submission(settings: PostfixSettings) -> dict[str, str]:
    """The parts string.Template cannot express: lines present only when configured."""
    values = {"smtpd_tls_security_level": "none", "smtpd_tls_files": "", "submission_service": ""}
    if settings.tls_cert_file:
        values["smtpd_tls_security_level"] = "may"  # opportunistic on 25 (RFC 3207)
        values["smtpd_tls_files"] = (
            f"smtpd_tls_cert_file = {settings.tls_cert_file}\n"
            f"smtpd_tls_key_file = {settings.tls_key_file}"
        )
    if settings.submission_listen:
        # Staff send from their mailbox: TLS first, then a Dovecot-checked login, and the
        # envelope sender must be an address that login owns (smtpd_sender_login_maps).
        options = [
            "syslog_name=postfix/submission",
            "smtpd_tls_security_level=encrypt",
            "smtpd_tls_auth_only=yes",
            "smtpd_sasl_auth_enable=yes",
            "smtpd_sasl_type=dovecot",
            f"smtpd_sasl_path=inet:{settings.dovecot_auth}",
            "smtpd_client_restrictions=permit_sasl_authenticated,reject",
            "smtpd_sender_restrictions=reject_sender_login_mismatch",
            "smtpd_relay_restrictions=permit_sasl_authenticated,reject",
            "smtpd_recipient_restrictions=permit_sasl_authenticated,reject",
            "milter_macro_daemon_name=ORIGINATING",
            f"smtpd_milters={settings.milters}",  # OpenDKIM signs what staff send
        ]
        values["submission_service"] = (
            f"{settings.submission_listen} inet n - n - - smtpd\n"
            + "\n".join(f"  -o {option}" for option in options)
        )
    return values


def render(settings: PostfixSettings) -> dict[str, str]:
    """File name -> content, for every template."""
    values = {key: str(value) for key, value in asdict(settings).items()}
    values["maillog_directory"] = str(Path(settings.maillog_file).parent)
    values.update(_tls_and_submission(settings))
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
