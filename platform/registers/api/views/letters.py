"""Letters: list and detail, intake (หนังสือรับ) and outgoing (หนังสือส่ง) with their numbers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from registers.api import queries
from registers.api.errors import validated
from registers.api.permissions import CLERKS
from registers.api.serializers import (
    EntrySerializer,
    LetterBriefSerializer,
    LetterDetailSerializer,
    LetterFilterSerializer,
    LetterInSerializer,
    LetterListSerializer,
    LetterUploadSerializer,
    NumberOutgoingSerializer,
    ReasonSerializer,
    RegisterIncomingSerializer,
)
from registers.api.views.base import ApiMixin, ApiView, error_responses
from registers.models import Letter
from registers.services.letters import (
    intake_create,
    intake_reject,
    letter_create_outgoing,
    letter_register_incoming,
    letter_register_outgoing,
)

UPLOAD_NOTE = (
    "\n\nส่งแบบ multipart/form-data: ช่องข้อมูลของหนังสือ, `references` เป็นข้อความ JSON "
    "(รายการอ้างถึง), `enclosures` และ `files` ส่งซ้ำได้หลายส่วน ไฟล์แรกคือหนังสือหลัก "
    "หรือส่งแบบ application/json เมื่อไม่มีไฟล์\n\n"
    "Send multipart/form-data: the letter's fields, `references` as JSON text (a list of "
    "objects), repeated `enclosures` and `files` parts; the first file is the letter itself "
    "(main), the rest are enclosures. Send application/json when there are no files. Files are "
    "typed by their content (PDF, images, office documents) and limited in size by the "
    "municipality's setting."
)


def _detail(request: Request, letter: Letter) -> dict[str, Any]:
    fresh = queries.letter_for_api(request.user, letter.pk)
    return dict(LetterDetailSerializer(fresh, context={"request": request}).data)


class LetterListView(ApiMixin, generics.ListAPIView):
    serializer_class = LetterListSerializer

    @extend_schema(
        operation_id="letters_list",
        tags=["letters"],
        summary="รายการหนังสือ / List letters",
        description=(
            "หนังสือที่ผู้ใช้มีสิทธิ์เห็น (หนังสือลับเห็นเฉพาะผู้ที่มีชื่อ) กรองตามสถานะ ทิศทาง "
            "ทะเบียน และปี พ.ศ. ของทะเบียน `q` ค้นหาข้อความเต็ม\n\n"
            "Letters visible to the user (classified ones only to the people named on them), "
            "filtered by status, direction, register and the register's BE year; `q` runs the "
            "full-text search (Thai word segmentation)."
        ),
        parameters=[LetterFilterSerializer],
        responses={200: LetterListSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Letter.objects.none()
        filters = validated(LetterFilterSerializer, self.request.query_params)
        return queries.letters_for_api(self.request.user, filters)


class LetterDetailView(ApiView):
    @extend_schema(
        operation_id="letters_retrieve",
        tags=["letters"],
        summary="รายละเอียดหนังสือ / Letter detail",
        description=(
            "หนังสือพร้อมอ้างถึง สิ่งที่ส่งมาด้วย ไฟล์แนบ (ข้อมูลไฟล์และที่อยู่สำหรับดาวน์โหลด) "
            "รายการในทะเบียน การเกษียน การส่งต่อ และลำดับเหตุการณ์\n\n"
            "The letter with its references, enclosures, attachments (metadata and download "
            "address), register entries, endorsements, assignments and timeline. A classified "
            "letter the user may not see answers 404."
        ),
        responses={200: LetterDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        letter = queries.letter_for_api(request.user, pk)
        return Response(LetterDetailSerializer(letter, context={"request": request}).data)


class IntakeCreateView(ApiView):
    write_roles = CLERKS
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="intake_create",
        tags=["intake"],
        summary="รับหนังสือเข้ารายการรอลงรับ / Put a letter into the intake queue",
        description=(
            "สร้างหนังสือรับในสถานะรอลงรับ (ยังไม่มีเลขรับ) สำหรับเจ้าหน้าที่สารบรรณ\n\n"
            "Creates an incoming letter in the intake queue (no receipt number yet). Clerks only."
            + UPLOAD_NOTE
        ),
        request={
            "multipart/form-data": LetterUploadSerializer,
            "application/json": LetterInSerializer,
        },
        responses={201: LetterDetailSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(LetterUploadSerializer, request.data)
        letter = intake_create(
            data=LetterInSerializer.to_input(data),
            files=LetterUploadSerializer.files_of(data),
            actor=request.user,
        )
        return Response(_detail(request, letter), status=status.HTTP_201_CREATED)


class IntakeRegisterView(ApiView):
    write_roles = CLERKS

    @extend_schema(
        operation_id="intake_register",
        tags=["intake"],
        summary="ลงรับหนังสือ / Register an incoming letter",
        description=(
            "ให้เลขรับถัดไปของทะเบียนหนังสือรับ พร้อมวันเวลาที่รับ (ปี พ.ศ. ตามเวลากรุงเทพฯ) "
            "หากพบหนังสือที่ เรื่อง และลงวันที่เดียวกันอยู่แล้ว ตอบ 409 พร้อมรหัสหนังสือที่ซ้ำ "
            "เว้นแต่ส่ง allow_duplicate\n\n"
            "Gives the next receipt number (เลขรับ) of the receive register with the date and "
            "time (BE year in Bangkok time). If a letter with the same reference, date and "
            "subject is already here, answers 409 with the duplicates' ids unless "
            "allow_duplicate is true."
        ),
        request=RegisterIncomingSerializer,
        responses={201: EntrySerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        letter = queries.visible_letter(request.user, pk)
        data = validated(RegisterIncomingSerializer, request.data)
        entry = letter_register_incoming(
            letter=letter, actor=request.user, allow_duplicate=data["allow_duplicate"]
        )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class IntakeRejectView(ApiView):
    write_roles = CLERKS

    @extend_schema(
        operation_id="intake_reject",
        tags=["intake"],
        summary="ไม่รับหนังสือ / Reject an intake item",
        description=(
            "ไม่รับหนังสือที่รอลงรับ (ส่งผิดหน่วยงาน สแปม) พร้อมเหตุผล หนังสือยังคงอยู่ในระบบ\n\n"
            "Declines an intake item (wrong agency, spam) with a reason; it stays on record."
        ),
        request=ReasonSerializer,
        responses={200: LetterBriefSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        letter = queries.visible_letter(request.user, pk)
        data = validated(ReasonSerializer, request.data)
        letter = intake_reject(letter=letter, actor=request.user, reason=data["reason"])
        return Response(LetterBriefSerializer(letter).data)


class OutgoingCreateView(ApiView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="outgoing_create",
        tags=["outgoing"],
        summary="ร่างหนังสือส่ง / Create an outgoing letter (draft)",
        description=(
            "สร้างหนังสือส่งเป็นร่าง ยังไม่มีเลขที่ จนกว่าเจ้าหน้าที่สารบรรณจะออกเลข\n\n"
            "Creates a letter this municipality sends, as a draft without a number until a "
            "clerk numbers it." + UPLOAD_NOTE
        ),
        request={
            "multipart/form-data": LetterUploadSerializer,
            "application/json": LetterInSerializer,
        },
        responses={201: LetterDetailSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        data = validated(LetterUploadSerializer, request.data)
        letter = letter_create_outgoing(
            data=LetterInSerializer.to_input(data),
            files=LetterUploadSerializer.files_of(data),
            actor=request.user,
        )
        return Response(_detail(request, letter), status=status.HTTP_201_CREATED)


class OutgoingNumberView(ApiView):
    write_roles = CLERKS

    @extend_schema(
        operation_id="outgoing_number",
        tags=["outgoing"],
        summary="ออกเลขหนังสือส่ง / Number an outgoing letter",
        description=(
            "ออกเลขในทะเบียนหนังสือส่ง หนังสือเวียน คำสั่ง หรือประกาศ ที่ของหนังสือเป็น "
            "`<รหัสหน่วยงาน>/<เลข>`, `<รหัส>/ว <เลข>` หรือ `<เลข>/<ปี พ.ศ.>` "
            "ใช้เลขที่จองไว้ได้ด้วย reserved_entry\n\n"
            "Numbers the draft in the send, circular, order or announcement register; its ที่ "
            "becomes `<prefix>/<n>`, `<prefix>/ว <n>` or `<n>/<BE year>`. With reserved_entry "
            "the letter takes a number reserved earlier."
        ),
        request=NumberOutgoingSerializer,
        responses={201: EntrySerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        letter = queries.visible_letter(request.user, pk)
        data = validated(NumberOutgoingSerializer, request.data)
        entry = letter_register_outgoing(
            letter=letter,
            register=data["register"],
            actor=request.user,
            reserved_entry=data.get("reserved_entry"),
        )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
