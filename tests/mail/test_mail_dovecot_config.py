"""The production configurations of Dovecot, Postfix's new parts and OpenDKIM, rendered from
the environment by their management commands, pass each program's own check; the lookups that
route staff mail and check senders answer from the control plane's views."""

from __future__ import annotations

import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from mailhosting.models import Mailbox, MailboxKind, MailDomain
from mailhosting.opendkim_config import OpenDkimSettings, UnsafeKeyDirectory, write
from mailhosting.staff_mailboxes import password_hash
from tests.mail.helpers_opendkim import safe_parent

pytestmark = [pytest.mark.mail]


def test_dovecot_run_renders_a_configuration_dovecot_accepts(tmp_path: Path, settings: Any) -> None:
    settings.MAIL_TLS_CERT_FILE = "/etc/saraban/tls/mx.crt"
    settings.MAIL_TLS_KEY_FILE = "/etc/saraban/tls/mx.key"
    settings.MAIL_DOVECOT_MAIL_ROOT = "/var/mail/saraban"
    call_command("dovecot_run", "--config-directory", str(tmp_path), "--render-only")
    sql = tmp_path / "dovecot-sql.conf.ext"
    assert stat.S_IMODE(sql.stat().st_mode) == 0o600  # database credentials
    assert "mail_dovecot_users" in sql.read_text()
    # doveconf parses the file and every setting; the certificate is only read at start-up.
    (tmp_path / "dovecot.conf").write_text(
        (tmp_path / "dovecot.conf")
        .read_text()
        .replace("ssl_cert = <", "#")
        .replace("ssl_key = <", "#")
    )
    shown = subprocess.run(
        ["doveconf", "-c", str(tmp_path / "dovecot.conf"), "-h", "ssl"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "yes"


def test_postfix_submission_tls_and_milter_come_from_the_environment(
    tmp_path: Path, settings: Any
) -> None:
    tmp_path.chmod(0o755)
    settings.MAIL_TLS_CERT_FILE = "/etc/saraban/tls/mx.crt"
    settings.MAIL_TLS_KEY_FILE = "/etc/saraban/tls/mx.key"
    settings.MAIL_DOVECOT_HOST = "dovecot"
    settings.MAIL_OPENDKIM_MILTER = "inet:opendkim:8891"
    call_command("postfix_run", "--config-directory", str(tmp_path), "--render-only")

    def value(name: str) -> str:
        shown = subprocess.run(
            ["postconf", "-c", str(tmp_path), "-h", name],
            capture_output=True,
            text=True,
            check=True,
        )
        return shown.stdout.strip()

    assert value("smtpd_tls_security_level") == "may"
    assert value("smtpd_tls_cert_file") == "/etc/saraban/tls/mx.crt"
    assert value("smtpd_milters") == ""  # port 25: incoming, and the app signs its own
    assert value("non_smtpd_milters") == "inet:opendkim:8891"
    assert value("transport_maps").startswith("pgsql:")
    assert "lmtp:inet:dovecot:24" in (tmp_path / "pgsql-transports.cf").read_text()
    services = subprocess.run(
        ["postconf", "-c", str(tmp_path), "-M", "587/inet"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "smtpd_tls_security_level=encrypt" in services
    assert "smtpd_sasl_path=inet:dovecot:12345" in services
    assert "reject_sender_login_mismatch" in services
    assert "smtpd_milters=inet:opendkim:8891" in services
    options = subprocess.run(
        ["postconf", "-c", str(tmp_path), "-P", "587/inet/smtpd_sasl_type"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert options.strip().endswith("= dovecot")


def _postmap(config: Path, table: str, key: str) -> str:
    found = subprocess.run(
        ["postmap", "-c", str(config), "-q", key, f"pgsql:{config / table}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip()


def test_lookups_route_staff_to_dovecot_and_check_sender_ownership(
    committed_tenant: Any, tmp_path: Path, settings: Any
) -> None:
    tmp_path.chmod(0o755)
    settings.MAIL_DOVECOT_HOST = "dovecot"
    call_command("postfix_run", "--config-directory", str(tmp_path), "--render-only")
    domain = MailDomain.objects.get(municipality=committed_tenant, is_primary=True)
    staff = Mailbox.objects.create(
        domain=domain,
        local_part="somsri",
        kind=MailboxKind.STAFF,
        password_hash=password_hash("x" * 12),
    )
    no_password = Mailbox.objects.create(domain=domain, local_part="nopass", kind=MailboxKind.STAFF)
    transports = "pgsql-transports.cf"
    assert _postmap(tmp_path, transports, staff.address.upper()) == "lmtp:inet:dovecot:24"
    assert _postmap(tmp_path, transports, no_password.address) == "lmtp:inet:dovecot:24"
    assert _postmap(tmp_path, transports, domain.central_address) == ""  # the ingest's
    logins = "pgsql-sender-logins.cf"
    assert _postmap(tmp_path, logins, staff.address) == staff.address
    assert _postmap(tmp_path, logins, domain.central_address) == ""  # nobody logs in as it
    assert _postmap(tmp_path, logins, no_password.address) == ""
    staff.active = False
    staff.save(update_fields=["active"])
    assert _postmap(tmp_path, transports, staff.address) == ""
    assert _postmap(tmp_path, logins, staff.address) == ""


def test_opendkim_keys_are_private_and_an_unsafe_folder_is_refused(committed_tenant: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="opendkim-", dir=safe_parent()) as folder:
        _check_rendered_keys(Path(folder), committed_tenant)


def _check_rendered_keys(directory: Path, committed_tenant: Any) -> None:
    settings = OpenDkimSettings(directory=str(directory), socket="inet:8891@127.0.0.1")
    from mailhosting.opendkim_config import signing_keys

    keys = signing_keys()
    domain = MailDomain.objects.get(municipality=committed_tenant, is_primary=True)
    assert domain.name in {key.domain for key in keys}
    write(settings, keys)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    key_files = list((directory / "keys").iterdir())
    assert key_files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in key_files)
    assert f"*@{domain.name} " in (directory / "signing-table").read_text()
    checked = subprocess.run(
        ["opendkim", "-n", "-x", str(directory / "opendkim.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    with tempfile.TemporaryDirectory() as unsafe, pytest.raises(UnsafeKeyDirectory):
        write(OpenDkimSettings(directory=f"{unsafe}/keys", socket="inet:8891@127.0.0.1"), keys)
