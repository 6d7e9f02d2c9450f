"""Writes to the staff, org units and roles of the active tenant schema."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.defaults import DEFAULT_ORG_UNITS, DEFAULT_ROLES
from accounts.models import OrgUnit, Role, RoleCode, User


def org_units_seed_defaults() -> int:
    """Create the default divisions that are missing. Returns how many were created."""
    created = 0
    for position, unit in enumerate(DEFAULT_ORG_UNITS):
        _unit, was_created = OrgUnit.objects.get_or_create(
            code=unit.code,
            defaults={"name_th": unit.name_th, "name_en": unit.name_en, "sort_order": position},
        )
        created += int(was_created)
    return created


def roles_seed_defaults() -> int:
    created = 0
    for code, name_th, name_en in DEFAULT_ROLES:
        _role, was_created = Role.objects.get_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en}
        )
        created += int(was_created)
    return created


@transaction.atomic
def user_create_staff(
    *,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    position: str = "",
    role_codes: tuple[str, ...] = (),
    org_unit_code: str | None = None,
    password: str | None = None,
) -> User:
    """Create (or return the existing) staff member of the active schema.

    Without a password the account cannot log in until its owner sets one from the invitation.
    """
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "position": position,
        },
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        if org_unit_code:
            user.org_unit = OrgUnit.objects.get(code=org_unit_code)
        user.save()
    if role_codes:
        user.roles.add(*Role.objects.filter(code__in=role_codes))
    return user


SYSTEM_USERNAME = "saraban-system"


def user_system() -> User:
    """The account that automatic work (registering authenticated mail) is recorded under.

    It cannot log in; registers and audit entries name it like any clerk, so the trail shows
    that a machine, not a person, gave the number."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "ระบบสารบรรณอัตโนมัติ", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def tenant_base_url(host: str) -> str:
    port = settings.PLATFORM_PUBLIC_PORT
    default_port = {"http": 80, "https": 443}.get(settings.PLATFORM_SCHEME)
    suffix = f":{port}" if port and port != default_port else ""
    return f"{settings.PLATFORM_SCHEME}://{host}{suffix}"


def invitation_link(*, user: User, host: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    # Built from anywhere (the apex console, a task): always against the tenant site's URLs.
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": token},
        urlconf=settings.ROOT_URLCONF,
    )
    return f"{tenant_base_url(host)}{path}"


def user_send_invitation(*, user: User, host: str, organisation_name: str) -> None:
    """E-mail the person a link to choose a password and log in (Thai first, then English)."""
    context = {
        "user": user,
        "link": invitation_link(user=user, host=host),
        "organisation_name": organisation_name,
        "host": host,
    }
    with translation.override("th"):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email])
    message.send()


def is_tenant_admin(user: User) -> bool:
    return user.is_authenticated and user.roles.filter(code=RoleCode.TENANT_ADMIN).exists()
