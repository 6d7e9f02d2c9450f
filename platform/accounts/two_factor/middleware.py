"""Where the municipality requires a second factor, a session that has not proved one reaches
only the pages that let the person set it up (or log out)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from accounts.two_factor import selectors
from tenants.db import tenant_connection

_OPEN_PREFIXES = ("/static/", "/i18n/")


class TwoFactorPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and tenant_connection.schema_name != get_public_schema_name()
            and not user.is_verified()
            and not self._open(request.path)
            and selectors.is_required(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("ต้องยืนยันตัวตนสองขั้นตอนก่อนใช้งาน"),
                        "code": "two_factor_required",
                    },
                    status=403,
                )
            return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        if path.startswith(_OPEN_PREFIXES):
            return True
        return path in (
            reverse("accounts:two_factor"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            reverse("accounts:login_verify"),
        )
