"""Writes of the tenant admin's mail page: staff mailboxes (Dovecot) and aliases.

The rows live in the control plane (Postfix and Dovecot read them through views); every change
is also written to the municipality's own audit trail, in the same transaction.
"""

from __future__ import annotations

import re
from typing import Any

import bcrypt
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mailhosting.models import CENTRAL_LOCAL_PART, MailAlias, Mailbox, MailboxKind, MailDomain
from registers.services.audit import audit_append
from thaiformat.bilingual import BilingualError

# RFC 5321 dot-atom, restricted to what people type in practice (lower case, no quoting); no
# "+", which is Postfix's recipient_delimiter (saraban+<token>@ return paths).
LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
ADDRESS = re.compile(r"^[^@\s]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
# Names that mean something to other mail systems or to the register path.
RESERVED = frozenset({CENTRAL_LOCAL_PART, "postmaster", "abuse", "mailer-daemon", "hostmaster"})
MIN_PASSWORD_LENGTH = 10
BCRYPT_ROUNDS = 11


def password_hash(password: str) -> str:
    """Dovecot's {BLF-CRYPT} (bcrypt) form; see infra/dovecot/dovecot-sql.conf.ext.tmpl."""
    hashed = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS))
    return "{BLF-CRYPT}" + hashed.decode("ascii")


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BilingualError(_("รหัสผ่านต้องยาวอย่างน้อย %(length)s ตัวอักษร"), length=MIN_PASSWORD_LENGTH)
    if not all(" " <= ch <= "~" for ch in password):
        # IMAP LOGIN and many mail programs send passwords as ASCII: a Thai password would
        # work on one device and fail on the next.
        raise BilingualError(
            _(
                "รหัสผ่านอีเมลใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข และเครื่องหมาย เพราะโปรแกรมอีเมลหลายตัวส่งตัวอักษรไทยไม่ได้"
            )
        )
    if len(password) > 72:  # bcrypt reads only the first 72 bytes
        raise BilingualError(_("รหัสผ่านยาวเกินไป (ไม่เกิน 72 ตัวอักษร)"))


def _check_local_part(domain: MailDomain, local_part: str) -> str:
    local_part = local_part.strip().lower()
    if not LOCAL_PART.match(local_part) or ".." in local_part:
        raise BilingualError(
            _("ชื่อหน้า @ ใช้ได้เฉพาะ a-z 0-9 จุด ขีด และขีดล่าง: %(value)s"), value=local_part
        )
    if local_part in RESERVED:
        raise BilingualError(_("ชื่อ %(value)s สงวนไว้สำหรับระบบ"), value=local_part)
    taken = (
        Mailbox.objects.filter(domain=domain, local_part=local_part).exists()
        or MailAlias.objects.filter(domain=domain, local_part=local_part).exists()
    )
    if taken:
        raise BilingualError(_("ที่อยู่ %(address)s มีอยู่แล้ว"), address=f"{local_part}@{domain.name}")
    return local_part


def _audit(action: str, actor: Any, **data: Any) -> None:
    audit_append(action=action, actor=actor, data=data)


@transaction.atomic
def staff_mailbox_create(
    *, domain: MailDomain, local_part: str, display_name: str, password: str, actor: Any
) -> Mailbox:
    local_part = _check_local_part(domain, local_part)
    validate_password(password)
    mailbox = Mailbox.objects.create(
        domain=domain,
        local_part=local_part,
        kind=MailboxKind.STAFF,
        display_name=display_name.strip()[:200],
        password_hash=password_hash(password),
    )
    _audit("mail.mailbox_create", actor, address=mailbox.address, quota_mb=mailbox.quota_mb)
    return mailbox


@transaction.atomic
def staff_mailbox_set_password(*, mailbox: Mailbox, password: str, actor: Any) -> None:
    if mailbox.kind != MailboxKind.STAFF:
        raise BilingualError(_("ตั้งรหัสผ่านได้เฉพาะกล่องจดหมายของเจ้าหน้าที่"))
    validate_password(password)
    mailbox.password_hash = password_hash(password)
    mailbox.save(update_fields=["password_hash"])
    _audit("mail.mailbox_password", actor, address=mailbox.address)  # never the password


@transaction.atomic
def staff_mailbox_set_active(*, mailbox: Mailbox, active: bool, actor: Any) -> None:
    """Disable (login refused, mail to it refused at RCPT) or enable again; nothing is deleted."""
    if mailbox.kind != MailboxKind.STAFF:
        raise BilingualError(_("ที่อยู่กลางและที่อยู่ของหน่วยงานย่อยปิดจากหน้านี้ไม่ได้"))
    mailbox.active = active
    mailbox.save(update_fields=["active"])
    _audit(
        "mail.mailbox_enable" if active else "mail.mailbox_disable", actor, address=mailbox.address
    )


@transaction.atomic
def staff_alias_create(
    *, domain: MailDomain, local_part: str, destinations: list[str], actor: Any
) -> MailAlias:
    local_part = _check_local_part(domain, local_part)
    clean = [d.strip().lower() for d in destinations if d.strip()]
    if not clean:
        raise BilingualError(_("ระบุที่อยู่ปลายทางอย่างน้อยหนึ่งที่อยู่"))
    bad = [d for d in clean if not ADDRESS.match(d)]
    if bad:
        raise BilingualError(_("ที่อยู่ปลายทางไม่ถูกต้อง: %(value)s"), value=", ".join(bad))
    alias = MailAlias.objects.create(
        domain=domain, local_part=local_part, destinations="\n".join(clean)
    )
    _audit("mail.alias_create", actor, address=str(alias), destinations=clean)
    return alias


@transaction.atomic
def staff_alias_set_active(*, alias: MailAlias, active: bool, actor: Any) -> None:
    alias.active = active
    alias.save(update_fields=["active"])
    _audit("mail.alias_enable" if active else "mail.alias_disable", actor, address=str(alias))
