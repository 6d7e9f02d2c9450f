"""Host -> tenant -> search_path -> URLconf, on every request, without a database round trip."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_tenant_domain_model, remove_www

from tenants import routing_cache
from tenants.db import tenant_connection


class TenantRoutingMiddleware(TenantMainMiddleware):
    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        found, tenant = routing_cache.lookup(hostname)
        if not found:
            domain = domain_model.objects.select_related("tenant").filter(domain=hostname).first()
            tenant = domain.tenant if domain is not None else None
            routing_cache.remember(hostname, tenant)
        if tenant is None:
            raise domain_model.DoesNotExist(hostname)
        # The cached object is shared between threads; each request gets its own copy.
        return copy.copy(tenant)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        tenant_connection.set_schema_to_public()
        try:
            hostname = remove_www(request.get_host().split(":")[0]).lower()
        except DisallowedHost:
            from portal.views import bad_host

            return bad_host(request)

        domain_model = get_tenant_domain_model()
        try:
            tenant = self.get_tenant(domain_model, hostname)
        except domain_model.DoesNotExist:
            from portal.views import unknown_host

            return unknown_host(request, hostname)

        tenant.domain_url = hostname
        request.tenant = tenant  # type: ignore[attr-defined]
        tenant_connection.set_tenant(tenant)
        self.setup_url_routing(request)
        return None


# Paths that stay open whatever the tenant's state: logging in and out, choosing a language.
_ALWAYS_OPEN_PREFIXES = ("/accounts/", "/i18n/")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TenantLifecycleMiddleware:
    """Read-only, suspended and archived municipalities: staff read, nobody changes data.

    Later issues widen this per state (receiving mail in read-only, payment when suspended);
    the rule that nothing is deleted holds for every state.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.schema_name != "public"
            and not tenant.accepts_changes
            and request.method not in _SAFE_METHODS
            and not request.path.startswith(_ALWAYS_OPEN_PREFIXES)
        ):
            from portal.views import tenant_read_only

            return tenant_read_only(request, tenant)
        response: HttpResponse = self.get_response(request)
        return response
