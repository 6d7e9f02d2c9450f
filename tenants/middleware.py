"""Host -> tenant -> search_path -> URLconf, on every request, without a database round trip."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_tenant_domain_model, remove_www

from tenants import routing_cache
from tenants.db import tenant_connection
from tenants.models import LifecycleState


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

        from mailhosting.views_mtasts import is_mta_sts_host, mta_sts_policy_view

        if is_mta_sts_host(hostname):
            # mta-sts.<mail domain> serves the MTA-STS policy, whatever tenant owns the domain.
            return mta_sts_policy_view(request, hostname)

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


# What a municipality past its grace period may still do, by URL name (namespace:name) rather
# than path prefix, so that moving a URL never opens anything by accident.
# Open in every state: logging in and out, choosing a language, paying, the public page.
_OPEN_ALWAYS = frozenset(
    {"set_language", "portal:tenant-home", "portal:healthz", "billing:home", "billing:portal"}
)
_OPEN_NAMESPACES = frozenset({"accounts"})  # login, logout, password reset
# Read-only still receives official mail: the intake, registering and refusing incoming letters.
_RECEIVING = frozenset(
    {
        "registers:intake-new",
        "registers:intake-register",
        "registers:intake-reject",
        "api:intake-create",
        "api:letter-register",
        "api:letter-reject",
    }
)
# Suspended keeps the exports (downloads only, never a change).
_EXPORTS = frozenset(
    {
        "registers:reports",
        "registers:retention-storage-report",
        "registers:retention-destruction-report",
        "registers:retention-handover-report",
        "registers:attachment-download",
    }
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# API refusals: (code, Thai, English). HTML refusals use portal.views.tenant_read_only.
_API_REFUSALS = {
    LifecycleState.READ_ONLY: (
        "tenant_read_only",
        "ระบบของหน่วยงานอยู่ในสถานะอ่านอย่างเดียวเนื่องจากค้างชำระค่าบริการ "
        "อ่าน ค้นหา ส่งออก และรับหนังสือเข้าได้ แต่บันทึกหรือแก้ไขอย่างอื่นไม่ได้",
        "This organisation's system is read-only for non-payment: you can read, search, "
        "export and receive letters, but not record or change anything else.",
    ),
    LifecycleState.SUSPENDED: (
        "tenant_suspended",
        "ระบบของหน่วยงานถูกระงับการใช้งานชั่วคราวเนื่องจากค้างชำระค่าบริการ "
        "ใช้ได้เฉพาะการส่งออกข้อมูลและการชำระเงิน ข้อมูลทั้งหมดยังอยู่ครบ",
        "This organisation's system is suspended for non-payment: only exports and payment "
        "are available. No data has been deleted.",
    ),
    LifecycleState.ARCHIVED: (
        "tenant_archived",
        "ระบบของหน่วยงานเก็บถาวรแล้ว อ่านและส่งออกข้อมูลได้เท่านั้น",
        "This organisation's system is archived: it can only be read and exported.",
    ),
}


def lifecycle_allows(*, state: str, method: str, view_name: str | None) -> bool:
    """Whether a request to ``view_name`` may go through for a municipality in ``state``.

    Nothing is deleted in any state; the states past grace only narrow what staff may do.
    """
    if state not in _API_REFUSALS:  # trial, active, grace: everything
        return True
    name = view_name or ""  # a path that resolves to nothing: read-only lets GET reach the 404
    if name in _OPEN_ALWAYS or name.partition(":")[0] in _OPEN_NAMESPACES:
        return True
    safe = method in _SAFE_METHODS
    if state == LifecycleState.SUSPENDED:
        return safe and view_name in _EXPORTS
    if state == LifecycleState.READ_ONLY:
        return safe or view_name in _RECEIVING
    return safe  # archived: read and export


def _view_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return None
    return match.view_name


def _refusal(request: HttpRequest, tenant: Any) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        code, thai, english = _API_REFUSALS[tenant.state]
        body = {
            "code": code,
            "detail": f"{thai} / {english}",
            "detail_th": thai,
            "detail_en": english,
        }
        return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
    from portal.views import tenant_read_only

    return tenant_read_only(request, tenant)


class TenantLifecycleMiddleware:
    """Read-only, suspended and archived municipalities (see ``lifecycle_allows``).

    Read-only: staff read, search, export and still receive letters. Suspended: only exports,
    payment, and logging in or out. Archived: read and export. API paths get JSON refusals.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.schema_name != "public"
            and not tenant.accepts_changes
            and not lifecycle_allows(
                state=tenant.state, method=request.method or "GET", view_name=_view_name(request)
            )
        ):
            return _refusal(request, tenant)
        response: HttpResponse = self.get_response(request)
        return response
