"""What every API view shares: bilingual errors, role checks, OpenAPI error responses."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from accounts.models import RoleCode
from registers.api.errors import FORBIDDEN, api_exception_handler
from registers.api.permissions import HasViewRole, RoleNames, roles_needed
from registers.api.serializers import ErrorSerializer
from registers.errors import NotAllowed

ERROR_TEXTS = {
    400: "ข้อมูลไม่ถูกต้อง / invalid input or refused by the rules",
    401: "ไม่ได้ส่งโทเคน หรือโทเคนใช้ไม่ได้ / missing or refused token",
    403: "บทบาทของผู้ใช้ทำรายการนี้ไม่ได้ / the user's roles do not allow this",
    404: "ไม่พบ หรือไม่มีสิทธิ์เห็น (รวมหนังสือลับ) / not found or not visible (classified)",
    409: "สถานะไม่ตรง หรือพบหนังสือซ้ำ / state conflict or duplicate letter",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the given error statuses (401 always)."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[code])
        for code in sorted({401, *codes})
    }


class ApiMixin:
    """Errors as {"code", "detail_th", "detail_en"}; roles from ``read_roles``/``write_roles``."""

    permission_classes: ClassVar[list[Any]] = [IsAuthenticated, HasViewRole]
    read_roles: ClassVar[tuple[str, ...]] = ()
    write_roles: ClassVar[tuple[str, ...]] = ()

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def permission_denied(self, request: Any, message: Any = None, code: Any = None) -> None:
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        needed = roles_needed(self, request.method)
        if needed:
            raise NotAllowed(
                _("รายการนี้ทำได้เฉพาะผู้มีบทบาท: %(roles)s"),
                roles=RoleNames((*needed, RoleCode.TENANT_ADMIN)),
            )
        raise NotAllowed(FORBIDDEN)


class ApiView(ApiMixin, APIView):
    pass


class AnyAccept(BaseContentNegotiation):
    """File downloads answer whatever the client accepts (DRF would refuse Accept: application/pdf)."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type
