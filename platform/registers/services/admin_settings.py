"""A tenant admin's changes: registry options, the letter-code prefix, org units and staff.

Each write is one transaction with its ``settings.*`` link in the audit trail. The prefix lives
in the control plane (Municipality), so it goes through ``tenants.services``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Role, RoleCode, User
from accounts.services import user_create_staff, user_send_invitation
from registers.errors import InvalidState, NotAllowed, RegistersError
from registers.models import RegistrySettings
from registers.selectors.settings import registry_settings
from registers.services.audit import audit_append
from tenants import services as tenant_services
from tenants.db import tenant_connection

SETTINGS_FIELDS = (
    "numbering_reset",
    "thai_digits",
    "stamp_right_mm",
    "stamp_top_mm",
    "stamp_agency_name",
    "max_attachment_mb",
    "default_retention",
    "circular_own_sequence",
    "reminder_hour",
    "mail_auto_register",
)


class InvalidSettings(RegistersError):
    """A setting, unit or staff change that breaks a rule of the organisation's set-up."""


def registry_settings_update(*, actor: User, values: Mapping[str, Any]) -> RegistrySettings:
    """Save the changed options; the audit link lists each change as [old, new]."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a registry setting: {sorted(unknown)}")
    with transaction.atomic():
        options = RegistrySettings.objects.select_for_update().get(pk=registry_settings().pk)
        changed = {
            field: [getattr(options, field), value]
            for field, value in values.items()
            if getattr(options, field) != value
        }
        if changed:
            for field, (_old, new) in changed.items():
                setattr(options, field, new)
            options.full_clean()
            options.save(update_fields=list(changed))
            audit_append(action="settings.registry", actor=actor, data={"changed": changed})
    return options


def agency_letter_code_prefix_set(*, actor: User, prefix: str) -> str:
    """Change the prefix that ที่ of outgoing letters starts with (``ตร 52301/123``).

    Raises ``tenants.services.OnboardingValidationError`` for a prefix onboarding would refuse.
    Letters numbered before keep their ที่.
    """
    tenant = tenant_connection.tenant
    with transaction.atomic():
        old = tenant.letter_code_prefix
        updated = tenant_services.municipality_set_letter_code_prefix(
            municipality=tenant,
            prefix=prefix,
            actor_name=f"{actor.get_username()}@{tenant.schema_name}",
        )
        if updated.letter_code_prefix != old:
            audit_append(
                action="settings.letter_code_prefix",
                actor=actor,
                data={"old": old, "new": updated.letter_code_prefix},
            )
    return str(updated.letter_code_prefix)


def _unit_descendant_ids(unit: OrgUnit) -> set[int]:
    found: set[int] = set()
    frontier = {unit.pk}
    while frontier:
        children = set(OrgUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = children - found
        found |= children
    return found


def _unit_facts(unit: OrgUnit) -> dict[str, Any]:
    return {
        "unit": unit.pk,
        "code": unit.code,
        "name_th": unit.name_th,
        "name_en": unit.name_en,
        "parent": unit.parent_id,
        "is_active": unit.is_active,
    }


def org_unit_create(
    *,
    actor: User,
    name_th: str,
    name_en: str = "",
    code: str = "",
    parent: OrgUnit | None = None,
) -> OrgUnit:
    """Add a division (สำนัก/กอง/ฝ่าย). Without a code one is made up (codes are internal)."""
    name_th = " ".join(name_th.split())
    if not name_th:
        raise InvalidSettings(_("โปรดกรอกชื่อหน่วยงานภายใน"))
    code = code.strip().lower() or f"unit-{uuid.uuid4().hex[:8]}"
    if parent is not None and not parent.is_active:
        raise InvalidSettings(_("หน่วยงานต้นสังกัดถูกปิดการใช้งานแล้ว"))
    with transaction.atomic():
        if OrgUnit.objects.filter(code=code).exists():
            raise InvalidSettings(_("รหัสหน่วยงานนี้มีอยู่แล้ว"))
        last = OrgUnit.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
        unit = OrgUnit.objects.create(
            code=code,
            name_th=name_th,
            name_en=" ".join(name_en.split()),
            parent=parent,
            sort_order=min((last or 0) + 1, 32767),
        )
        audit_append(action="settings.org_unit_create", actor=actor, data=_unit_facts(unit))
    return unit


def org_unit_update(
    *,
    actor: User,
    unit: OrgUnit,
    name_th: str,
    name_en: str,
    parent: OrgUnit | None,
    is_active: bool,
) -> OrgUnit:
    """Rename, move under another unit, or (de)activate. A unit is never deleted: letters and
    people keep pointing at it."""
    name_th = " ".join(name_th.split())
    if not name_th:
        raise InvalidSettings(_("โปรดกรอกชื่อหน่วยงานภายใน"))
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        if parent is not None:
            if parent.pk == unit.pk or parent.pk in _unit_descendant_ids(unit):
                raise InvalidSettings(_("เลือกหน่วยงานต้นสังกัดเป็นตัวเองหรือหน่วยงานย่อยของตัวเองไม่ได้"))
            if not parent.is_active and parent.pk != unit.parent_id:
                raise InvalidSettings(_("หน่วยงานต้นสังกัดถูกปิดการใช้งานแล้ว"))
        if unit.is_active and not is_active:
            members = User.objects.filter(org_unit=unit, is_active=True).count()
            if members:
                raise InvalidSettings(
                    _("ยังมีผู้ใช้งาน %(count)s คนสังกัดหน่วยงานนี้ โปรดย้ายไปหน่วยงานอื่นก่อนปิดการใช้งาน"),
                    count=members,
                )
            if OrgUnit.objects.filter(parent=unit, is_active=True).exists():
                raise InvalidSettings(_("ยังมีหน่วยงานย่อยที่ใช้งานอยู่ โปรดย้ายหรือปิดการใช้งานก่อน"))
        before = _unit_facts(unit)
        unit.name_th = name_th
        unit.name_en = " ".join(name_en.split())
        unit.parent = parent
        unit.is_active = is_active
        after = _unit_facts(unit)
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changed:
            unit.save(update_fields=["name_th", "name_en", "parent", "is_active"])
            audit_append(
                action="settings.org_unit_update",
                actor=actor,
                data={"unit": unit.pk, "code": unit.code, "changed": changed},
            )
    return unit


def _check_roles(role_codes: Collection[str]) -> None:
    if not role_codes:
        raise InvalidSettings(_("โปรดเลือกบทบาทอย่างน้อยหนึ่งบทบาท"))
    unknown = set(role_codes) - set(RoleCode.values)
    if unknown:
        raise InvalidSettings(_("บทบาทไม่ถูกต้อง"))


def staff_invite(
    *,
    actor: User,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    position: str,
    org_unit: OrgUnit | None,
    role_codes: Collection[str],
    host: str,
    organisation_name: str,
) -> User:
    """Create a staff account without a password and e-mail its owner a link to choose one.

    The account is committed before the e-mail goes out; if sending fails the caller may
    resend with ``staff_resend_invitation``.
    """
    username = username.strip()
    email = email.strip().lower()
    _check_roles(role_codes)
    if not email:
        raise InvalidSettings(_("โปรดกรอกอีเมลเพื่อส่งคำเชิญ"))
    if org_unit is not None and not org_unit.is_active:
        raise InvalidSettings(_("หน่วยงานภายในนี้ถูกปิดการใช้งานแล้ว"))
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise InvalidSettings(_("ชื่อผู้ใช้นี้มีอยู่แล้ว"))
        if User.objects.filter(email__iexact=email).exists():
            raise InvalidSettings(_("อีเมลนี้มีผู้ใช้งานอยู่แล้ว"))
        user = user_create_staff(
            username=username,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            position=position.strip(),
            role_codes=tuple(sorted(role_codes)),
            org_unit_code=org_unit.code if org_unit is not None else None,
        )
        audit_append(
            action="settings.staff_invite",
            actor=actor,
            data={
                "user": user.pk,
                "username": user.username,
                "email": user.email,
                "roles": sorted(role_codes),
                "org_unit": org_unit.pk if org_unit is not None else None,
            },
        )
    user_send_invitation(user=user, host=host, organisation_name=organisation_name)
    return user


def staff_resend_invitation(*, actor: User, user: User, host: str, organisation_name: str) -> None:
    if user.has_usable_password():
        raise InvalidState(_("ผู้ใช้งานนี้ตั้งรหัสผ่านแล้ว ไม่ต้องส่งคำเชิญอีก"))
    if not user.is_active or not user.email:
        raise InvalidState(_("ส่งคำเชิญให้บัญชีที่ปิดการใช้งานหรือไม่มีอีเมลไม่ได้"))
    audit_append(action="settings.staff_reinvite", actor=actor, data={"user": user.pk})
    user_send_invitation(user=user, host=host, organisation_name=organisation_name)


def _active_admins() -> Any:
    return User.objects.filter(is_active=True, roles__code=RoleCode.TENANT_ADMIN).distinct()


def staff_update(
    *,
    actor: User,
    user: User,
    position: str,
    org_unit: OrgUnit | None,
    role_codes: Collection[str],
    is_active: bool,
) -> User:
    """Change a person's position, unit, roles, or (de)activate the account.

    Nobody removes their own admin role or account, and the last active admin stays, so the
    municipality can always manage itself without calling the vendor.
    """
    if is_active:
        _check_roles(role_codes)
    elif set(role_codes) - set(RoleCode.values):
        raise InvalidSettings(_("บทบาทไม่ถูกต้อง"))
    keeps_admin = is_active and RoleCode.TENANT_ADMIN in role_codes
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.pk == actor.pk and not keeps_admin:
            raise NotAllowed(_("ถอดสิทธิ์ผู้ดูแลระบบหรือปิดบัญชีของตนเองไม่ได้"))
        was_admin = user.is_active and user.roles.filter(code=RoleCode.TENANT_ADMIN).exists()
        if was_admin and not keeps_admin and not _active_admins().exclude(pk=user.pk).exists():
            raise NotAllowed(_("ต้องมีผู้ดูแลระบบของหน่วยงานที่ใช้งานอยู่อย่างน้อยหนึ่งคน"))
        if org_unit is not None and not org_unit.is_active and org_unit.pk != user.org_unit_id:
            raise InvalidSettings(_("หน่วยงานภายในนี้ถูกปิดการใช้งานแล้ว"))
        before = {
            "position": user.position,
            "org_unit": user.org_unit_id,
            "roles": sorted(user.roles.values_list("code", flat=True)),
            "is_active": user.is_active,
        }
        user.position = position.strip()
        user.org_unit = org_unit
        user.is_active = is_active
        after = {
            "position": user.position,
            "org_unit": user.org_unit_id,
            "roles": sorted(role_codes),
            "is_active": user.is_active,
        }
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changed:
            user.save(update_fields=["position", "org_unit", "is_active"])
            user.roles.set(Role.objects.filter(code__in=role_codes))
            audit_append(
                action="settings.staff_update",
                actor=actor,
                data={"user": user.pk, "username": user.username, "changed": changed},
            )
    return user
