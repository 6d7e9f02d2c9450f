"""Thin views: pages of a tenant's site, of the apex, and the routing error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """/staff/ is the registers' dashboard (its URL comes first); this name stays for
    LOGIN_REDIRECT_URL and links, and answers the same way if reached."""
    from registers.views.dashboard import dashboard

    return dashboard(request)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def unknown_host(request: HttpRequest, hostname: str) -> HttpResponse:
    """A host that no municipality uses: a clear page, never the stack trace of a 404."""
    return render(request, "errors/unknown_host.html", {"hostname": hostname}, status=404)


def bad_host(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/bad_host.html", status=400)


def tenant_read_only(request: HttpRequest, tenant: object) -> HttpResponse:
    return render(request, "errors/read_only.html", {"tenant": tenant}, status=403)
