"""Who the token or session belongs to: the first call an integrator makes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from registers.api.serializers import MeSerializer
from registers.api.views.base import ApiView, error_responses


class MeView(ApiView):
    @extend_schema(
        operation_id="me_retrieve",
        tags=["account"],
        summary="ผู้ใช้ปัจจุบัน / The current user",
        description=(
            "ผู้ใช้ของโทเคนหรือเซสชันนี้ พร้อมหน่วยงานและบทบาท\n\n"
            "The staff member this token or session belongs to, with unit and roles."
        ),
        responses={200: MeSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)
