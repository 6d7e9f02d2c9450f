"""Request middleware of the platform as a whole (tenant routing lives in tenants.middleware)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from config.sentry import tag_tenant
from tenants.db import tenant_connection

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class ThaiFirstLocaleMiddleware:
    """Thai unless the person chose English: the browser's Accept-Language is not consulted,
    because municipal PCs often run English Windows while their users read Thai."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in SUPPORTED_LANGUAGES else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SentryTenantTagMiddleware:
    """Tags every error report with the tenant's schema (never with personal data)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = bool(settings.SENTRY_DSN)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.enabled:
            tag_tenant(tenant_connection.schema_name)
        return self.get_response(request)
