"""``Authorization: Bearer <token>`` (or ``Token <token>``) against this municipality's tokens."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from registers.api.tokens import api_token_lookup

KEYWORDS = (b"bearer", b"token")


class TokenRefused(exceptions.AuthenticationFailed):
    """401 that keeps its lazy message, so the error body can give it in Thai and English."""

    def __init__(self, message: Promise) -> None:
        self.message = message
        super().__init__(message)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not ours: session authentication may still apply
        if len(parts) != 2:
            raise TokenRefused(_("รูปแบบส่วนหัว Authorization ไม่ถูกต้อง ใช้ Bearer ตามด้วยโทเคน"))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = api_token_lookup(raw)
        if token is None:
            # Unknown here also covers a token of another municipality: tokens live per schema.
            raise TokenRefused(_("โทเคนไม่ถูกต้อง ถูกเพิกถอน หรือไม่ใช่ของหน่วยงานนี้"))
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        # Present, so DRF answers 401 (not 403) when credentials are missing or refused.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Declares the tokens as an HTTP bearer security scheme in the OpenAPI document."""

    target_class = "registers.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 (the scheme's name, not a secret)
        )
        scheme["description"] = (
            "โทเคน API ของหน่วยงาน (sbn_...) ส่งในส่วนหัว Authorization: Bearer <โทเคน> "
            "ใช้ได้เฉพาะบนโดเมนของหน่วยงานที่ออกโทเคน / "
            "The municipality's API token (sbn_...) in Authorization: Bearer <token>; "
            "valid only on the host of the municipality that issued it."
        )
        return scheme
