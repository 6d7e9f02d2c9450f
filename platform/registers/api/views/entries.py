"""Registers as books: their lines per BE year, cancelling a number, reserving numbers (จองเลข)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from registers.api import queries
from registers.api.errors import validated
from registers.api.permissions import CLERKS, OVERSEERS
from registers.api.serializers import (
    EntryFilterSerializer,
    EntrySerializer,
    ReasonSerializer,
    RegisterLineSerializer,
    ReservationInSerializer,
    ReservationSerializer,
)
from registers.api.views.base import ApiMixin, ApiView, error_responses
from registers.choices import RegisterKind
from registers.models import NumberReservation, RegisterEntry
from registers.services.letters import entry_cancel, numbers_reserve

REGISTER_PARAMETER = OpenApiParameter(
    "register",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=RegisterKind.values,
    description="ทะเบียน / register",
)


class RegisterEntriesView(ApiMixin, generics.ListAPIView):
    serializer_class = RegisterLineSerializer
    read_roles = OVERSEERS

    @extend_schema(
        operation_id="register_entries_list",
        tags=["registers"],
        summary="รายการในทะเบียน / Register lines",
        description=(
            "รายการของทะเบียนหนึ่งในปี พ.ศ. หนึ่ง เรียงตามเลขทะเบียน รวมเลขที่จองไว้และที่ยกเลิก "
            "ข้อมูลหนังสือลับแสดงเฉพาะผู้มีสิทธิ์ (letter_brief เป็น null)\n\n"
            "The lines of one register for one BE year (default: the current one) in number "
            "order, including reserved and cancelled numbers. The letter of a classified line is "
            "shown only to those who may see it (otherwise letter_brief is null). Clerks and "
            "executives."
        ),
        parameters=[REGISTER_PARAMETER, EntryFilterSerializer],
        responses={200: RegisterLineSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RegisterEntry.objects.none()
        register = self.kwargs["register"]
        if register not in RegisterKind.values:
            raise Http404
        filters = validated(EntryFilterSerializer, self.request.query_params)
        return queries.register_lines(
            register, year=filters.get("year"), status=filters.get("status")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # PAGE_SIZE is set for the whole API
        letter_ids = {entry.letter_id for entry in page if entry.letter_id is not None}
        context = {
            **self.get_serializer_context(),
            "visible_letter_ids": queries.visible_ids(request.user, letter_ids),
        }
        data = RegisterLineSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)


class EntryCancelView(ApiView):
    write_roles = CLERKS

    @extend_schema(
        operation_id="entries_cancel",
        tags=["registers"],
        summary="ยกเลิกเลข / Cancel a register entry",
        description=(
            "ยกเลิกรายการในทะเบียน เลขนั้นคงอยู่ในทะเบียนพร้อมผู้ยกเลิก เวลา และเหตุผล "
            "ไม่นำเลขกลับมาใช้ใหม่\n\n"
            "Cancels an entry: the number stays in the register, marked cancelled with who, "
            "when and why; numbers are never reused. Clerks only."
        ),
        request=ReasonSerializer,
        responses={200: EntrySerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = queries.entry_for_api(pk)
        data = validated(ReasonSerializer, request.data)
        entry = entry_cancel(entry=entry, actor=request.user, reason=data["reason"])
        return Response(EntrySerializer(entry).data)


class ReservationsView(ApiMixin, generics.ListAPIView):
    serializer_class = ReservationSerializer
    read_roles = CLERKS
    write_roles = CLERKS

    @extend_schema(
        operation_id="reservations_list",
        tags=["registers"],
        summary="รายการจองเลข / Number reservations",
        description="การจองเลขทั้งหมด ล่าสุดก่อน\n\nAll reservations, newest first. Clerks only.",
        responses={200: ReservationSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="reservations_create",
        tags=["registers"],
        summary="จองเลข / Reserve numbers",
        description=(
            "กันเลขต่อเนื่องจำนวนหนึ่งไว้ล่วงหน้าในทะเบียนหนังสือส่ง หนังสือเวียน คำสั่ง หรือประกาศ "
            "แต่ละเลขเป็นรายการ 'จองไว้' ทันที\n\n"
            "Sets aside `count` consecutive numbers of an outgoing register; each becomes a "
            "reserved entry at once, to be used later with outgoing_number. Clerks only."
        ),
        request=ReservationInSerializer,
        responses={201: ReservationSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(ReservationInSerializer, request.data)
        reservation = numbers_reserve(
            register=data["register"],
            count=data["count"],
            purpose=data["purpose"],
            actor=request.user,
            for_unit_id=data["for_unit"].pk if data.get("for_unit") else None,
        )
        fresh = self.get_queryset().get(pk=reservation.pk)
        return Response(ReservationSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def get_queryset(self) -> Any:
        entries = RegisterEntry.objects.select_related("registered_by", "cancelled_by")
        return NumberReservation.objects.select_related("reserved_by").prefetch_related(
            Prefetch("entries", queryset=entries.order_by("number"))
        )
