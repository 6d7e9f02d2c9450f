"""Routing inside the municipality: endorse, forward, acknowledge, complete; tasks and overdue."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from registers.api import queries
from registers.api.errors import validated
from registers.api.serializers import (
    AssignmentSerializer,
    CompleteSerializer,
    EndorsementSerializer,
    EndorseSerializer,
    ForwardSerializer,
    OverdueFilterSerializer,
    TaskSerializer,
)
from registers.api.views.base import ApiMixin, ApiView, error_responses
from registers.models import Assignment
from registers.services.routing import (
    assignment_acknowledge,
    assignment_complete,
    letter_endorse,
    letter_forward,
)


def _assignment_data(request: Request, pk: int) -> dict[str, Any]:
    return dict(AssignmentSerializer(queries.assignment_for_api(request.user, pk)).data)


class EndorseView(ApiView):
    # The service decides: an executive, or someone an executive delegated to today.

    @extend_schema(
        operation_id="letters_endorse",
        tags=["routing"],
        summary="เกษียนหนังสือ / สั่งการ / Endorse or order",
        description=(
            "ผู้บริหารเกษียนหนังสือหรือสั่งการ (ข้อความอิสระ) ตำแหน่งถูกบันทึกตามขณะที่เขียน\n\n"
            "An executive's free-text endorsement (เกษียน) or order (สั่งการ) on the letter; the "
            "author's position is kept as it was when written. Executives, or their delegates acting "
            "for them today (recorded as on_behalf_of)."
        ),
        request=EndorseSerializer,
        responses={201: EndorsementSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        letter = queries.visible_letter(request.user, pk)
        data = validated(EndorseSerializer, request.data)
        endorsement = letter_endorse(
            letter=letter, actor=request.user, text=data["text"], kind=data["kind"]
        )
        return Response(EndorsementSerializer(endorsement).data, status=status.HTTP_201_CREATED)


class ForwardView(ApiView):
    # The service decides: clerks, executives and their delegates, and an assignment's
    # addressees passing the letter on.

    @extend_schema(
        operation_id="letters_forward",
        tags=["routing"],
        summary="ส่งต่อหนังสือ / Forward a letter",
        description=(
            "ส่งต่อหนังสือถึงหน่วยงานหรือเจ้าหน้าที่ พร้อมคำสั่งและกำหนดเสร็จ\n\n"
            "Forwards the letter to an org unit or an officer with an instruction and a due "
            "date (`parent`: the assignment this one passes on). Clerks, executives and their "
            "delegates, and the addressees of an open assignment on the letter."
        ),
        request=ForwardSerializer,
        responses={201: AssignmentSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        letter = queries.visible_letter(request.user, pk)
        data = validated(ForwardSerializer, request.data)
        assignment = letter_forward(
            letter=letter,
            actor=request.user,
            to_unit_id=data["to_unit"].pk if data.get("to_unit") else None,
            to_user_id=data["to_user"].pk if data.get("to_user") else None,
            instruction=data["instruction"],
            due_date=data["due_date"],
            parent=data.get("parent"),
        )
        body = _assignment_data(request, assignment.pk)
        return Response(body, status=status.HTTP_201_CREATED)


class AcknowledgeView(ApiView):
    @extend_schema(
        operation_id="assignments_acknowledge",
        tags=["routing"],
        summary="รับทราบ / Acknowledge an assignment",
        description=(
            "ผู้รับ (หรือผู้ปฏิบัติแทน) รับทราบหนังสือที่ส่งต่อมา\n\n"
            "The recipient (or their delegate) acknowledges the forwarded letter."
        ),
        request=None,
        responses={200: AssignmentSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = queries.assignment_for_api(request.user, pk)
        assignment_acknowledge(assignment=assignment, actor=request.user)
        return Response(_assignment_data(request, pk))


class CompleteView(ApiView):
    @extend_schema(
        operation_id="assignments_complete",
        tags=["routing"],
        summary="ดำเนินการเสร็จ / Complete an assignment",
        description=(
            "ผู้รับบันทึกผลการดำเนินการและปิดงานที่ได้รับมอบหมาย\n\n"
            "The recipient records what was done and closes the assignment."
        ),
        request=CompleteSerializer,
        responses={200: AssignmentSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = queries.assignment_for_api(request.user, pk)
        data = validated(CompleteSerializer, request.data)
        assignment_complete(assignment=assignment, actor=request.user, note=data["note"])
        return Response(_assignment_data(request, pk))


class TasksView(ApiMixin, generics.ListAPIView):
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="tasks_list",
        tags=["tasks"],
        summary="งานของฉัน / My tasks",
        description=(
            "หนังสือที่ส่งถึงผู้ใช้ หน่วยงานของผู้ใช้ หรือผู้ที่ผู้ใช้ปฏิบัติแทน ที่ยังไม่เสร็จ\n\n"
            "Open assignments addressed to the user, their unit, or someone they act for."
        ),
        responses={200: TaskSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return queries.tasks_for_api(self.request.user)


class OverdueView(ApiMixin, generics.ListAPIView):
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="tasks_overdue",
        tags=["tasks"],
        summary="เรื่องค้าง / Overdue assignments",
        description=(
            "งานที่เลยกำหนดเสร็จ (วันที่ตามเวลากรุงเทพฯ) เจ้าหน้าที่สารบรรณและผู้บริหารเห็นทั้งหน่วยงาน "
            "(กรองด้วย unit ได้ หรือ mine=true เฉพาะของตน) ผู้อื่นเห็นของตนเอง\n\n"
            "Assignments past their due date (Bangkok): clerks and executives see the whole "
            "municipality (or one `unit`; `mine=true` for their own), others their own."
        ),
        parameters=[OverdueFilterSerializer],
        responses={200: TaskSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        filters = validated(OverdueFilterSerializer, self.request.query_params)
        return queries.overdue_for_api(
            self.request.user, unit_id=filters.get("unit"), mine=filters["mine"]
        )
