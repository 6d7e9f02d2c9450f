"""Every API error is ``{"code", "detail_th", "detail_en"}``, plus details where they help.

Services raise registers.errors.* with Thai msgids; here they become 400/403/404/409. Input is
validated once per language (validation is deterministic), so field errors come in both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from registers.errors import (
    AttachmentRejected,
    DuplicateLetter,
    InvalidLetter,
    InvalidState,
    NotAllowed,
    RegistersError,
)

# First match wins: subclasses before their bases.
SERVICE_ERRORS: tuple[tuple[type[RegistersError], int, str], ...] = (
    (DuplicateLetter, status.HTTP_409_CONFLICT, "duplicate_letter"),
    (NotAllowed, status.HTTP_403_FORBIDDEN, "not_allowed"),
    (InvalidState, status.HTTP_409_CONFLICT, "invalid_state"),
    (AttachmentRejected, status.HTTP_400_BAD_REQUEST, "attachment_rejected"),
    (InvalidLetter, status.HTTP_400_BAD_REQUEST, "invalid_letter"),
    (RegistersError, status.HTTP_400_BAD_REQUEST, "invalid"),
)

NOT_FOUND = _("ไม่พบรายการนี้ หรือคุณไม่มีสิทธิ์เข้าถึง")
NOT_AUTHENTICATED = _("ต้องเข้าสู่ระบบ หรือส่งโทเคน API ในส่วนหัว Authorization: Bearer")
FORBIDDEN = _("คุณไม่มีสิทธิ์ทำรายการนี้")
CSRF_FAILED = _("การตรวจสอบ CSRF ไม่ผ่าน: ส่งส่วนหัว X-CSRFToken เมื่อใช้การเข้าสู่ระบบแบบเซสชัน")
METHOD_NOT_ALLOWED = _("ไม่รองรับเมธอด %(method)s ที่ที่อยู่นี้")
UNSUPPORTED_MEDIA = _("ไม่รองรับชนิดข้อมูล %(type)s")
PARSE_ERROR = _("อ่านข้อมูลที่ส่งมาไม่ได้: %(detail)s")
THROTTLED = _("มีคำขอมากเกินไป โปรดลองใหม่ภายหลัง")
INVALID_INPUT = _("ข้อมูลไม่ถูกต้อง: %(fields)s")


def render_in(language: str, message: Promise | str, params: Mapping[str, Any]) -> str:
    with translation.override(language):
        text = str(message)
        return text % dict(params) if params else text


def error_body(code: str, message: Promise | str, **params: Any) -> dict[str, Any]:
    return {
        "code": code,
        "detail_th": render_in("th", message, params),
        "detail_en": render_in("en", message, params),
    }


class InputInvalid(exceptions.APIException):
    """Field errors in Thai and English (the same validation run under each language)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_input"

    def __init__(self, errors_th: Any, errors_en: Any) -> None:
        self.errors = list(_pair_errors(errors_th, errors_en, ""))
        super().__init__("invalid input")


def _pair_errors(th: Any, en: Any, path: str) -> Iterator[dict[str, str]]:
    if isinstance(th, Mapping):
        for key, value in th.items():
            other = en.get(key, value) if isinstance(en, Mapping) else value
            yield from _pair_errors(value, other, f"{path}.{key}" if path else str(key))
    elif isinstance(th, list):
        for index, value in enumerate(th):
            other = en[index] if isinstance(en, list) and index < len(en) else value
            if isinstance(value, (Mapping, list)):
                if value:  # empty dicts stand for the valid items of a list
                    yield from _pair_errors(value, other, f"{path}.{index}")
            else:
                yield from _pair_errors(value, other, path)
    else:
        field = path or "non_field_errors"
        code = getattr(th, "code", None) or "invalid"
        yield {"field": field, "code": str(code), "detail_th": str(th), "detail_en": str(en)}


def validated(
    serializer_class: type[serializers.Serializer], data: Any, **context: Any
) -> dict[str, Any]:
    """The serializer's validated data, or InputInvalid with its errors in Thai and English."""
    with translation.override("th"):
        serializer = serializer_class(data=data, context=context)
        if serializer.is_valid():
            return dict(serializer.validated_data)
        errors_th = serializer.errors
    with translation.override("en"):
        again = serializer_class(data=data, context=context)
        again.is_valid()
        errors_en = again.errors
    raise InputInvalid(errors_th, errors_en)


def _drf_error(exc: exceptions.APIException, request: Any) -> dict[str, Any]:
    message = getattr(exc, "message", None)
    if isinstance(exc, InputInvalid):
        fields = ", ".join(dict.fromkeys(e["field"] for e in exc.errors))
        return {**error_body("invalid_input", INVALID_INPUT, fields=fields), "errors": exc.errors}
    if isinstance(exc, exceptions.ValidationError):
        # Raised outside validated(): one language only, given in both places.
        errors = list(_pair_errors(exc.detail, exc.detail, ""))
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        return {**error_body("invalid_input", INVALID_INPUT, fields=fields), "errors": errors}
    if message is not None:
        return error_body(str(exc.default_code), message)
    if isinstance(exc, exceptions.NotAuthenticated):
        return error_body("not_authenticated", NOT_AUTHENTICATED)
    if isinstance(exc, exceptions.PermissionDenied):
        if "CSRF" in str(exc.detail):
            return error_body("csrf_failed", CSRF_FAILED)
        return error_body("permission_denied", FORBIDDEN)
    if isinstance(exc, exceptions.NotFound):
        return error_body("not_found", NOT_FOUND)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_body("method_not_allowed", METHOD_NOT_ALLOWED, method=request.method)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_body(
            "unsupported_media_type", UNSUPPORTED_MEDIA, type=request.content_type or "-"
        )
    if isinstance(exc, exceptions.ParseError):
        return error_body("parse_error", PARSE_ERROR, detail=str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        return error_body("throttled", THROTTLED)
    return error_body(str(exc.default_code), str(exc.detail))


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, RegistersError):
        status_code, code = next((s, c) for k, s, c in SERVICE_ERRORS if isinstance(exc, k))
        body: dict[str, Any] = {
            "code": code,
            "detail_th": exc.text("th"),
            "detail_en": exc.text("en"),
        }
        if isinstance(exc, DuplicateLetter):
            body["duplicates"] = exc.duplicates
        set_rollback()
        return Response(body, status=status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django answer 500 and Sentry see it
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait)}"
    set_rollback()
    return Response(_drf_error(exc, request), status=exc.status_code, headers=headers)
