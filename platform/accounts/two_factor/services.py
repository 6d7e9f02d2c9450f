"""Writes for the second factor: enrolment, backup codes, turning it off, the admin's reset and
the municipality's policy. Each change sends ``accounts.signals.security_event`` in its
transaction (the registers app writes it to the audit trail)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityPolicy, TwoFactorRequirement, User
from accounts.services import is_tenant_admin
from accounts.signals import security_event
from accounts.two_factor import selectors
from thaiformat.bilingual import BilingualError

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "authenticator"


class TwoFactorError(BilingualError):
    """A second-factor change that cannot be made (wrong code, not allowed by the policy)."""


def wrong_code() -> TwoFactorError:
    return TwoFactorError(_("รหัสยืนยันไม่ถูกต้องหรือหมดอายุแล้ว กรุณาลองใหม่"))


def _event(action: str, actor: User | None, **data: object) -> None:
    security_event.send(sender=User, action=action, actor=actor, data=data)


def backup_code_new() -> str:
    # 10 characters of an alphabet without look-alikes (0/O, 1/l): easy to type from paper.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def totp_enrol_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed TOTP device whose key the person adds to their app."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _backup_codes_replace(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [backup_code_new() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def totp_enrol_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a code from the app; returns it and new backup codes.

    A previously confirmed device is replaced: one app per person, so a lost phone is
    simply re-enrolled."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-id")
        .first()
    )
    if device is None or not device.verify_token(token.strip().replace(" ", "")):
        raise wrong_code()
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _backup_codes_replace(user)
    _event("two_factor.enrolled", user, user=user.username)
    return device, codes


@transaction.atomic
def backup_codes_regenerate(*, user: User, token: str) -> list[str]:
    """New backup codes (the old ones stop working); needs a current code."""
    if not selectors.has_second_factor(user) or match_token(user, token.strip()) is None:
        raise wrong_code()
    codes = _backup_codes_replace(user)
    _event("two_factor.backup_codes", user, user=user.username)
    return codes


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_disable(*, user: User, token: str) -> None:
    if selectors.policy_current() == TwoFactorRequirement.EVERYONE or (
        selectors.policy_current() == TwoFactorRequirement.ADMINS and is_tenant_admin(user)
    ):
        raise TwoFactorError(
            _("นโยบายของหน่วยงานกำหนดให้ต้องใช้การยืนยันตัวตนสองขั้นตอน จึงปิดไม่ได้"),
        )
    if match_token(user, token.strip()) is None:
        raise wrong_code()
    _remove_devices(user)
    _event("two_factor.disabled", user, user=user.username)


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> None:
    """The tenant admin clears a person's devices (a lost phone); they enrol again at login."""
    if not is_tenant_admin(actor):
        raise TwoFactorError(_("เฉพาะผู้ดูแลระบบของหน่วยงานเท่านั้นที่ล้างการยืนยันตัวตนของผู้อื่นได้"))
    _remove_devices(user)
    _event("two_factor.reset", actor, user=user.username)


@transaction.atomic
def policy_set(*, actor: User, two_factor: str) -> SecurityPolicy:
    if not is_tenant_admin(actor):
        raise TwoFactorError(_("เฉพาะผู้ดูแลระบบของหน่วยงานเท่านั้นที่เปลี่ยนนโยบายได้"))
    if two_factor not in TwoFactorRequirement.values:
        raise TwoFactorError(_("ไม่มีนโยบายนี้"))
    if two_factor != TwoFactorRequirement.OPTIONAL and not selectors.has_second_factor(actor):
        # Requiring what the admin has not set up would lock the admin out at the next click.
        raise TwoFactorError(
            _("เปิดใช้การยืนยันตัวตนสองขั้นตอนของท่านเองก่อน จึงจะบังคับผู้อื่นได้"),
        )
    before = selectors.policy_current()
    policy, _created = SecurityPolicy.objects.update_or_create(
        pk=1, defaults={"two_factor": two_factor}
    )
    _event("two_factor.policy", actor, before=before, after=two_factor)
    return policy
