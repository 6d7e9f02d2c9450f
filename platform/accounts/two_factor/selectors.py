"""Reads for the second factor: the policy in force and what a person has enrolled."""

from __future__ import annotations

from django.conf import settings
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityPolicy, TwoFactorRequirement, User
from accounts.services import is_tenant_admin


def policy_current() -> str:
    """The municipality's choice, or the platform default when it has not chosen."""
    chosen = SecurityPolicy.objects.filter(pk=1).values_list("two_factor", flat=True).first()
    if chosen:
        return chosen
    default = settings.ACCOUNTS_TWO_FACTOR_DEFAULT
    return default if default in TwoFactorRequirement.values else TwoFactorRequirement.EVERYONE


def policy_is_chosen() -> bool:
    return SecurityPolicy.objects.filter(pk=1).exists()


def devices_confirmed(user: User) -> list[Device]:
    return list(devices_for_user(user, confirmed=True))


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def is_required(user: User, policy: str | None = None) -> bool:
    """Must this person prove a second factor to use the system?"""
    policy = policy or policy_current()
    if policy == TwoFactorRequirement.EVERYONE:
        return True
    if policy == TwoFactorRequirement.ADMINS and is_tenant_admin(user):
        return True
    # Whoever enrolled one is always asked for it, whatever the policy.
    return has_second_factor(user)
