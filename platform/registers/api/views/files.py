"""Attachment downloads: the same checks as the staff pages (visibility, destroyed files)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from registers.api import queries
from registers.api.views.base import AnyAccept, ApiView, error_responses
from registers.services.downloads import attachment_for_download


class AttachmentDownloadView(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="attachments_download",
        tags=["attachments"],
        summary="ดาวน์โหลดไฟล์แนบ / Download an attachment",
        description=(
            "ไฟล์ของหนังสือที่ผู้ใช้มีสิทธิ์เห็น ชื่อไฟล์ภาษาไทยส่งใน Content-Disposition "
            "(RFC 6266 filename*)\n\n"
            "The file of a letter the user may see; the Thai file name comes in "
            "Content-Disposition (RFC 6266 filename*)."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="ไฟล์ / the file"
            ),
            **error_responses(403, 404),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        attachment = queries.attachment_for_api(request.user, pk)
        download = attachment_for_download(attachment=attachment, viewer=request.user)
        response = HttpResponse(download.content, content_type=download.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=download.filename
        )
        response["Cache-Control"] = "private, no-store"
        return response
