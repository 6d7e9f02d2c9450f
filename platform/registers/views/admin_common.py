"""Shared by the settings and retention pages: who may open them, and the admin's host."""

from __future__ import annotations

from django.http import HttpRequest

from registers.views.access import ADMINS, CLERKS, is_htmx, page, roles_required

__all__ = [
    "invitation_host",
    "is_htmx",
    "page",
    "retention_staff_required",
    "tenant_admin_required",
]

tenant_admin_required = roles_required(ADMINS)
# Storage and destruction are registry work: the clerks, and the admin who set the system up.
retention_staff_required = roles_required(CLERKS)


def invitation_host(request: HttpRequest) -> str:
    """The host the admin is on (a custom domain stays custom); the link adds the public port."""
    return request.get_host().rsplit(":", 1)[0]
