from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_tenant = tenant is not None and tenant.schema_name != "public"
    return {
        "PLATFORM_DOMAIN": settings.PLATFORM_DOMAIN,
        "current_tenant": tenant if is_tenant else None,
    }
