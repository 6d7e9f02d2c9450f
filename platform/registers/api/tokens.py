"""API tokens of this municipality's staff: made once, kept only as a SHA-256, revocable.

A token is ``sbn_`` and 43 URL-safe characters (256 bits). The database keeps its first 12
characters for display and its SHA-256; a lookup by hash cannot be timed to guess a token,
because an attacker controls the token, not its hash. Tokens live in the tenant's schema, so a
token of one municipality is unknown on another municipality's host.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleCode, User
from registers.errors import InvalidState, NotAllowed, RegistersError
from registers.models import ApiToken
from registers.services.audit import audit_append

TOKEN_PREFIX = "sbn_"  # noqa: S105 (a public marker, not a secret)
PREFIX_LENGTH = 12  # ApiToken.prefix: "sbn_" and 8 characters, enough to tell tokens apart
# last_used_at is written at most this often, so a busy integration does not write every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = 100  # ApiToken.name


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``user``; the raw token is returned once and never stored.

    ``actor`` is who made it (a tenant admin making one for someone else); by default the user.
    """
    actor = actor if actor is not None else user
    name = name.strip()
    if not name:
        raise RegistersError(_("โปรดตั้งชื่อโทเคนเพื่อให้จำได้ว่าใช้กับระบบใด"))
    if len(name) > NAME_MAX_LENGTH:
        raise RegistersError(_("ชื่อโทเคนยาวเกินไป"))
    if not user.is_active:
        raise NotAllowed(_("ผู้ใช้งานนี้ถูกปิดการใช้งาน จึงสร้างโทเคนไม่ได้"))
    if actor.pk != user.pk and not actor.has_role(RoleCode.TENANT_ADMIN):
        raise NotAllowed(_("เฉพาะผู้ดูแลระบบของหน่วยงานสร้างโทเคนให้ผู้อื่นได้"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:PREFIX_LENGTH], key_hash=token_hash(raw)
        )
        audit_append(
            action="api.token_create",
            actor=actor,
            data={"token": token.pk, "user": user.pk, "name": name, "prefix": token.prefix},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Withdraw a token at once. Its owner or a tenant admin may; the row stays as the record."""
    if actor.pk != token.user_id and not actor.has_role(RoleCode.TENANT_ADMIN):
        raise NotAllowed(_("เพิกถอนได้เฉพาะโทเคนของตนเอง หรือโดยผู้ดูแลระบบของหน่วยงาน"))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise InvalidState(_("โทเคนนี้ถูกเพิกถอนแล้ว"))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_append(
            action="api.token_revoke",
            actor=actor,
            data={"token": token.pk, "user": token.user_id, "prefix": token.prefix},
        )
    return token


def api_token_lookup(raw: str) -> ApiToken | None:
    """The live token whose hash matches ``raw`` (with its user), or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    digest = token_hash(raw)
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The staff member a raw token belongs to, or None (unknown, revoked, inactive user)."""
    token = api_token_lookup(raw)
    return token.user if token is not None else None
