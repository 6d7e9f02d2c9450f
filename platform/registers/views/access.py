"""Who may open which staff page, and the page renderer that gives templates the menu's facts.

Roles (accounts.RoleCode) are read once per request. Refusals render a Thai page with 403;
letters a person may not see are 404, so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import RoleCode
from registers.models import Letter
from registers.selectors.letters import letter_visible

CLERKS = frozenset({RoleCode.CENTRAL_CLERK, RoleCode.UNIT_CLERK, RoleCode.TENANT_ADMIN})
EXECUTIVES = frozenset({RoleCode.EXECUTIVE, RoleCode.TENANT_ADMIN})
# Who reads the registers and reports: clerks keep them, executives oversee them.
OVERSEERS = CLERKS | EXECUTIVES
# Who may send any letter on inside the organisation and close it (as services.routing decides;
# addressees of a task and delegates of an executive may too, checked per letter).
ROUTERS = frozenset({RoleCode.CENTRAL_CLERK, RoleCode.UNIT_CLERK, RoleCode.EXECUTIVE})
ADMINS = frozenset({RoleCode.TENANT_ADMIN})
ANY_STAFF = frozenset(RoleCode.values)

View = TypeVar("View", bound=Callable[..., HttpResponse])


def role_codes(request: HttpRequest) -> frozenset[str]:
    cached: frozenset[str] | None = getattr(request, "_saraban_roles", None)
    if cached is None:
        user: Any = request.user
        cached = (
            frozenset(user.roles.values_list("code", flat=True))
            if user.is_authenticated
            else frozenset()
        )
        request._saraban_roles = cached  # type: ignore[attr-defined]
    return cached


def has_any(request: HttpRequest, allowed: frozenset[str]) -> bool:
    return bool(role_codes(request) & allowed)


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "registers/forbidden.html", {"nav": nav_facts(request)}, status=403)


def roles_required(allowed: frozenset[str]) -> Callable[[View], View]:
    """Logged in (else the login page), and holding one of ``allowed`` (else 403)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_any(request, allowed):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return login_required(wrapper)  # type: ignore[return-value]

    return decorate


staff_required = login_required


def nav_facts(request: HttpRequest) -> dict[str, bool]:
    roles = role_codes(request)
    return {
        "clerk": bool(roles & CLERKS),
        "executive": bool(roles & EXECUTIVES),
        "overseer": bool(roles & OVERSEERS),
        "router": bool(roles & ROUTERS),
        "admin": bool(roles & ADMINS),
    }


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    return render(request, template, {"nav": nav_facts(request), **(context or {})}, status=status)


def visible_letter_or_404(request: HttpRequest, pk: int, queryset: Any = None) -> Letter:
    """The letter if this person may see it; a classified one they may not see is a 404."""
    letter: Letter = get_object_or_404(
        queryset if queryset is not None else Letter.objects.all(), pk=pk
    )
    if not letter_visible(request.user, letter):
        raise Http404
    return letter


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after an action: a ``next`` on this host, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def uploaded_files(request: HttpRequest) -> list[dict[str, Any]]:
    """What was chosen in a form that failed: browsers cannot refill file inputs, so say it."""
    return [
        {"name": upload.name, "size": upload.size}
        for field in ("main_file", "attachments")
        for upload in request.FILES.getlist(field)
    ]
