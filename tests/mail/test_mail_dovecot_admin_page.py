"""The tenant admin creates, disables and re-enables staff mailboxes and aliases and sets
passwords on /staff/settings/mail/: validated, audited, and only for its own municipality."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.test import Client

from mailhosting.models import MailAlias, Mailbox, MailboxKind, MailDomain
from tests.conftest import client_for, make_staff

pytestmark = [pytest.mark.mail]

URL = "/staff/settings/mail/"


def admin_client(tenant: Any, username: str = "mailadmin") -> Client:
    user = make_staff(tenant, username, role_codes=("tenant_admin",))
    client = client_for(tenant)
    with tenant:
        client.force_login(user)
    return client


def audit_actions(tenant: Any) -> list[tuple[str, dict[str, Any]]]:
    from registers.models import AuditEntry

    with tenant:
        return [
            (e.action, e.data)
            for e in AuditEntry.objects.order_by("seq")
            if e.action.startswith("mail.")
        ]


def doveadm_verifies(stored: str, password: str) -> bool:
    """Dovecot's own tool checks the stored hash: the scheme is one Dovecot verifies."""
    result = subprocess.run(
        ["doveadm", "pw", "-t", stored, "-p", password], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and "(verified)" in result.stdout


def test_create_a_staff_mailbox_set_its_password_disable_and_enable_it(alpha: Any) -> None:
    client = admin_client(alpha)
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    response = client.post(
        f"{URL}mailboxes/new/",
        {
            "mailbox-domain": domain.pk,
            "mailbox-local_part": " Somchai.K ",
            "mailbox-display_name": "นายสมชาย กล้าหาญ",
            "mailbox-password": "first-password-2569",
        },
    )
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(domain=domain, local_part="somchai.k")
    assert mailbox.kind == MailboxKind.STAFF and mailbox.active
    assert mailbox.password_hash.startswith("{BLF-CRYPT}$2b$")
    assert doveadm_verifies(mailbox.password_hash, "first-password-2569")
    assert not doveadm_verifies(mailbox.password_hash, "first-password-2570")

    page = client.get(URL).content.decode()
    assert f"somchai.k@{domain.name}" in page
    assert "นายสมชาย กล้าหาญ" in page

    thai = client.post(
        f"{URL}mailboxes/{mailbox.pk}/password/",
        {"password-password": "รหัสผ่านภาษาไทยยาวพอ"},
        follow=True,
    )
    assert "ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ" in thai.content.decode()
    client.post(
        f"{URL}mailboxes/{mailbox.pk}/password/", {"password-password": "second password 2569!"}
    )
    mailbox.refresh_from_db()
    assert doveadm_verifies(mailbox.password_hash, "second password 2569!")
    assert not doveadm_verifies(mailbox.password_hash, "first-password-2569")

    client.post(f"{URL}mailboxes/{mailbox.pk}/active/", {"active": "0"})
    mailbox.refresh_from_db()
    assert not mailbox.active
    client.post(f"{URL}mailboxes/{mailbox.pk}/active/", {"active": "1"})
    mailbox.refresh_from_db()
    assert mailbox.active

    actions = audit_actions(alpha)
    assert [a for a, _ in actions] == [
        "mail.mailbox_create",
        "mail.mailbox_password",
        "mail.mailbox_disable",
        "mail.mailbox_enable",
    ]
    assert all("password" not in str(data).replace("mailbox_password", "") for _, data in actions)
    assert actions[0][1]["address"] == f"somchai.k@{domain.name}"


@pytest.mark.parametrize(
    ("local_part", "password", "message"),
    [
        ("saraban", "long-enough-password", "สงวนไว้สำหรับระบบ"),
        ("สมชาย", "long-enough-password", "ใช้ได้เฉพาะ a-z"),
        ("a..b", "long-enough-password", "ใช้ได้เฉพาะ a-z"),
        ("somchai+x", "long-enough-password", "ใช้ได้เฉพาะ a-z"),
        ("short", "short", "รหัสผ่าน"),
        ("thai.pass", "รหัสผ่านภาษาไทยยาวพอ", "ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ"),
    ],
)
def test_bad_input_is_refused_in_thai_and_nothing_is_created(
    alpha: Any, local_part: str, password: str, message: str
) -> None:
    client = admin_client(alpha)
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    before = Mailbox.objects.count()
    response = client.post(
        f"{URL}mailboxes/new/",
        {
            "mailbox-domain": domain.pk,
            "mailbox-local_part": local_part,
            "mailbox-password": password,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert local_part in response.content.decode()  # what was typed is kept
    assert Mailbox.objects.count() == before
    assert audit_actions(alpha) == []


def test_aliases_and_an_existing_address_is_refused(alpha: Any) -> None:
    client = admin_client(alpha)
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    response = client.post(
        f"{URL}aliases/new/",
        {
            "alias-domain": domain.pk,
            "alias-local_part": "nayok",
            "alias-destinations": f"mayor@{domain.name}\nsecretary@example.go.th\n",
        },
    )
    assert response.status_code == 302
    alias = MailAlias.objects.get(domain=domain, local_part="nayok")
    assert alias.destination_list() == [f"mayor@{domain.name}", "secretary@example.go.th"]
    again = client.post(
        f"{URL}mailboxes/new/",
        {"mailbox-domain": domain.pk, "mailbox-local_part": "nayok", "mailbox-password": "x" * 12},
    )
    assert again.status_code == 400 and "มีอยู่แล้ว" in again.content.decode()
    bad = client.post(
        f"{URL}aliases/new/",
        {
            "alias-domain": domain.pk,
            "alias-local_part": "x",
            "alias-destinations": "not an address",
        },
    )
    assert bad.status_code == 400 and "ที่อยู่ปลายทางไม่ถูกต้อง" in bad.content.decode()
    client.post(f"{URL}aliases/{alias.pk}/active/", {"active": "0"})
    alias.refresh_from_db()
    assert not alias.active
    assert [a for a, _ in audit_actions(alpha)] == ["mail.alias_create", "mail.alias_disable"]


def test_another_municipalitys_mailbox_and_domain_cannot_be_touched(alpha: Any, beta: Any) -> None:
    beta_domain = MailDomain.objects.get(municipality=beta, is_primary=True)
    beta_box = Mailbox.objects.create(
        domain=beta_domain, local_part="staff1", kind=MailboxKind.STAFF, password_hash="x"
    )
    client = admin_client(alpha)
    assert client.post(f"{URL}mailboxes/{beta_box.pk}/active/", {"active": "0"}).status_code == 404
    assert (
        client.post(
            f"{URL}mailboxes/{beta_box.pk}/password/", {"password-password": "a-new-password-1"}
        ).status_code
        == 404
    )
    beta_box.refresh_from_db()
    assert beta_box.active and beta_box.password_hash == "x"
    # beta's domain is not a choice in alpha's form.
    response = client.post(
        f"{URL}mailboxes/new/",
        {
            "mailbox-domain": beta_domain.pk,
            "mailbox-local_part": "intruder",
            "mailbox-password": "long-enough-password",
        },
    )
    assert response.status_code == 400
    assert not Mailbox.objects.filter(local_part="intruder").exists()


def test_a_clerk_cannot_manage_mailboxes(alpha: Any) -> None:
    clerk = make_staff(alpha, "mailclerk2", role_codes=("central_clerk",))
    client = client_for(alpha)
    with alpha:
        client.force_login(clerk)
    domain = MailDomain.objects.get(municipality=alpha, is_primary=True)
    response = client.post(
        f"{URL}mailboxes/new/",
        {"mailbox-domain": domain.pk, "mailbox-local_part": "x1", "mailbox-password": "y" * 12},
    )
    assert response.status_code == 403
    assert not Mailbox.objects.filter(local_part="x1").exists()
