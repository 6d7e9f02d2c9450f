"""Who may do what over the API: the same roles as the staff pages; a tenant admin may do all.

Registering, rejecting, numbering, cancelling and reserving are for registry clerks. Routing
(endorse, forward, acknowledge, complete) is decided by the routing services themselves, which
also know delegations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import RoleCode

CLERKS: tuple[str, ...] = (RoleCode.CENTRAL_CLERK, RoleCode.UNIT_CLERK)
# Who reads the registers and sees every overdue assignment: clerks keep, executives oversee.
OVERSEERS: tuple[str, ...] = (*CLERKS, RoleCode.EXECUTIVE)


def has_any_role(user: Any, codes: Sequence[str]) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    wanted = [*codes, RoleCode.TENANT_ADMIN]
    return bool(user.roles.filter(code__in=wanted).exists())


class RoleNames:
    """The Thai or English names of roles, rendered in whatever language is active."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)

    def __str__(self) -> str:
        return ", ".join(str(RoleCode(code).label) for code in self.codes)


def roles_needed(view: Any, method: str) -> tuple[str, ...]:
    """``read_roles`` for GET/HEAD/OPTIONS, ``write_roles`` otherwise; empty means any staff."""
    attribute = "read_roles" if method in SAFE_METHODS else "write_roles"
    return tuple(getattr(view, attribute, ()))


class HasViewRole(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        needed = roles_needed(view, request.method)
        return not needed or has_any_role(request.user, needed)
