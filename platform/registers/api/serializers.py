"""What the API reads and writes. Output mirrors the models; input becomes registers.inputs data.

Dates are ISO 8601 (CE) on the wire; BE years appear only as register periods and filters.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from accounts.models import OrgUnit, User
from registers.choices import (
    OUTGOING_REGISTERS,
    Channel,
    Direction,
    EndorsementKind,
    EntryStatus,
    LetterKind,
    LetterStatus,
    LetterSubKind,
    RegisterKind,
    RetentionClass,
    Secrecy,
    Urgency,
)
from registers.errors import AttachmentRejected
from registers.inputs import FileInput, LetterInput, ReferenceInput
from registers.models import (
    Assignment,
    Attachment,
    Enclosure,
    Endorsement,
    Letter,
    LetterReference,
    NumberReservation,
    RegisterEntry,
)
from registers.selectors.settings import registry_settings
from registers.selectors.timeline import letter_timeline

OUTGOING_REGISTER_CHOICES = [(kind.value, kind.label) for kind in OUTGOING_REGISTERS]


# --- output ---------------------------------------------------------------------------------
class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)
    position = serializers.CharField(read_only=True)


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name_th", "name_en"]


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    org_unit = OrgUnitSerializer(read_only=True, allow_null=True)
    roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    auth = serializers.SerializerMethodField(help_text="token | session")

    class Meta:
        model = User
        fields = ["id", "username", "name", "position", "email", "org_unit", "roles", "auth"]

    def get_auth(self, obj: Any) -> str:
        request = self.context.get("request")
        return "token" if request is not None and request.auth is not None else "session"


class EntrySerializer(serializers.ModelSerializer):
    """One line of a register: เลขทะเบียน per register and BE year (``period``)."""

    registered_by = PersonSerializer(read_only=True)
    cancelled_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "register",
            "period",
            "number",
            "status",
            "letter",
            "reference",
            "registered_at",
            "registered_by",
            "reservation",
            "remarks",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
        ]


class LetterBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = [
            "id",
            "direction",
            "kind",
            "sub_kind",
            "status",
            "reference",
            "letter_date",
            "sender",
            "recipient",
            "subject",
            "urgency",
            "urgent_by",
            "secrecy",
            "channel",
            "owner_unit",
            "created_at",
        ]


class LetterListSerializer(LetterBriefSerializer):
    entries = EntrySerializer(many=True, read_only=True)

    class Meta(LetterBriefSerializer.Meta):
        fields = [*LetterBriefSerializer.Meta.fields, "entries"]


class RegisterLineSerializer(EntrySerializer):
    """A register line; ``letter_brief`` is null when the letter is classified and not yours."""

    letter_brief = serializers.SerializerMethodField()

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "letter_brief"]

    @extend_schema_field(LetterBriefSerializer(allow_null=True))
    def get_letter_brief(self, obj: RegisterEntry) -> dict[str, Any] | None:
        visible: set[int] = self.context.get("visible_letter_ids", set())
        if obj.letter_id is None or obj.letter_id not in visible:
            return None
        return dict(LetterBriefSerializer(obj.letter, context=self.context).data)


class ReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterReference
        fields = ["position", "reference", "letter_date", "subject", "referred_letter"]


class EnclosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enclosure
        fields = ["position", "description", "quantity"]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "role",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "derived_from",
            "created_at",
            "removed_at",
            "download_url",
        ]

    def get_download_url(self, obj: Attachment) -> str | None:
        if obj.removed_at is not None:
            return None
        path = reverse("api:attachment-download", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EndorsementSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)
    on_behalf_of = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Endorsement
        fields = [
            "id",
            "letter",
            "kind",
            "text",
            "author",
            "author_position",
            "on_behalf_of",
            "created_at",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    to_unit = OrgUnitSerializer(read_only=True, allow_null=True)
    to_user = PersonSerializer(read_only=True, allow_null=True)
    assigned_by = PersonSerializer(read_only=True)
    acknowledged_by = PersonSerializer(read_only=True, allow_null=True)
    done_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "letter",
            "parent",
            "to_unit",
            "to_user",
            "instruction",
            "due_date",
            "status",
            "assigned_by",
            "assigned_at",
            "acknowledged_by",
            "acknowledged_at",
            "done_by",
            "done_at",
            "done_note",
        ]


class TaskSerializer(AssignmentSerializer):
    """An assignment with the letter it is about."""

    letter_brief = LetterBriefSerializer(source="letter", read_only=True)

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "letter_brief"]


class TimelineItemSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor_name = serializers.CharField()
    action = serializers.CharField()
    text = serializers.CharField()


class LetterDetailSerializer(LetterListSerializer):
    created_by = PersonSerializer(read_only=True, allow_null=True)
    references = ReferenceSerializer(many=True, read_only=True)
    enclosures = EnclosureSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    endorsements = EndorsementSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta(LetterListSerializer.Meta):
        fields = [
            *LetterListSerializer.Meta.fields,
            "summary",
            "sender_email",
            "sender_org_code",
            "recipient_email",
            "recipient_org_code",
            "retention_class",
            "retention_law",
            "retention_years",
            "rejected_reason",
            "message_id",
            "ecms_id",
            "created_by",
            "updated_at",
            "references",
            "enclosures",
            "attachments",
            "endorsements",
            "assignments",
            "timeline",
        ]

    @extend_schema_field(TimelineItemSerializer(many=True))
    def get_timeline(self, obj: Letter) -> list[dict[str, Any]]:
        items = letter_timeline(obj)
        return [dict(TimelineItemSerializer(item).data) for item in items]


class ReservationSerializer(serializers.ModelSerializer):
    reserved_by = PersonSerializer(read_only=True)
    entries = EntrySerializer(many=True, read_only=True)

    class Meta:
        model = NumberReservation
        fields = [
            "id",
            "register",
            "period",
            "first_number",
            "last_number",
            "purpose",
            "for_unit",
            "reserved_by",
            "reserved_at",
            "entries",
        ]


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="e.g. subject, references.0.letter_date")
    code = serializers.CharField()
    detail_th = serializers.CharField()
    detail_en = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every error: a stable ``code`` and the message in Thai and English."""

    code = serializers.CharField(
        help_text="invalid_input, invalid_letter, attachment_rejected, not_authenticated, "
        "authentication_failed, not_allowed, permission_denied, not_found, invalid_state, "
        "duplicate_letter ..."
    )
    detail_th = serializers.CharField()
    detail_en = serializers.CharField()
    errors = ErrorItemSerializer(many=True, required=False, help_text="field errors (400)")
    duplicates = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="ids of the letters already registered (409 duplicate_letter)",
    )


# --- input ----------------------------------------------------------------------------------
class ReferenceInSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=120, allow_blank=True, default="")
    letter_date = serializers.DateField(required=False, allow_null=True, default=None)
    subject = serializers.CharField(max_length=500, allow_blank=True, default="")


@extend_schema_field(ReferenceInSerializer(many=True))
class ReferencesField(serializers.ListField):
    """อ้างถึง: a JSON list; in a multipart request, the same list as one JSON text field."""

    child = ReferenceInSerializer()

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            text = dictionary.get(self.field_name)
            if isinstance(text, str) and text.strip():
                try:
                    return json.loads(text)
                except ValueError:
                    return text  # fails as "not a list"
            return []
        return super().get_value(dictionary)


def _choice(choices: Any, default: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, default=default)


class LetterInSerializer(serializers.Serializer):
    """The letter as written on it. The services check the regulation's rules (kinds, secrecy)."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = _choice(LetterKind.choices, LetterKind.EXTERNAL)
    sub_kind = serializers.ChoiceField(choices=LetterSubKind.choices, allow_blank=True, default="")
    reference = serializers.CharField(
        max_length=120, allow_blank=True, default="", help_text="ที่ (the letter's own number)"
    )
    letter_date = serializers.DateField(required=False, allow_null=True, default=None)
    sender = serializers.CharField(max_length=300, allow_blank=True, default="")
    # No default: "" would be an invalid example of format "email" in the OpenAPI document.
    sender_email = serializers.EmailField(allow_blank=True, required=False)
    sender_org_code = serializers.CharField(max_length=40, allow_blank=True, default="")
    recipient = serializers.CharField(max_length=300, allow_blank=True, default="")
    recipient_email = serializers.CharField(max_length=1000, allow_blank=True, default="")
    recipient_org_code = serializers.CharField(max_length=40, allow_blank=True, default="")
    subject = serializers.CharField(max_length=500, allow_blank=True, default="")
    summary = serializers.CharField(allow_blank=True, default="")
    urgency = _choice(Urgency.choices, Urgency.NORMAL)
    urgent_by = serializers.DateTimeField(required=False, allow_null=True, default=None)
    secrecy = _choice(Secrecy.choices, Secrecy.NORMAL)
    retention_class = serializers.ChoiceField(
        choices=RetentionClass.choices, allow_blank=True, default=""
    )
    retention_law = serializers.CharField(max_length=300, allow_blank=True, default="")
    retention_years = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=200
    )
    owner_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.filter(is_active=True), required=False, allow_null=True
    )
    references = ReferencesField(required=False, default=list)
    enclosures = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list
    )
    ecms_id = serializers.CharField(max_length=100, allow_blank=True, default="")

    @staticmethod
    def to_input(data: dict[str, Any]) -> LetterInput:
        unit = data.get("owner_unit")
        return LetterInput(
            channel=data["channel"],
            kind=data["kind"],
            sub_kind=data["sub_kind"],
            reference=data["reference"],
            letter_date=data["letter_date"],
            sender=data["sender"],
            sender_email=data.get("sender_email", ""),
            sender_org_code=data["sender_org_code"],
            recipient=data["recipient"],
            recipient_email=data["recipient_email"],
            recipient_org_code=data["recipient_org_code"],
            subject=data["subject"],
            summary=data["summary"],
            urgency=data["urgency"],
            urgent_by=data["urgent_by"],
            secrecy=data["secrecy"],
            retention_class=data["retention_class"],
            retention_law=data["retention_law"],
            retention_years=data["retention_years"],
            owner_unit_id=unit.pk if unit is not None else None,
            references=tuple(
                ReferenceInput(
                    reference=ref["reference"],
                    letter_date=ref["letter_date"],
                    subject=ref["subject"],
                )
                for ref in data["references"]
            ),
            enclosures=tuple(data["enclosures"]),
            ecms_id=data["ecms_id"],
        )


class LetterUploadSerializer(LetterInSerializer):
    """multipart/form-data: the letter's fields, ``references`` as JSON text, repeated
    ``enclosures`` and ``files`` parts. The first file is the letter itself (หนังสือหลัก)."""

    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list
    )

    @staticmethod
    def files_of(data: dict[str, Any]) -> list[FileInput]:
        """Read the uploads, refusing an oversized one before its bytes are in memory."""
        limit_mb = registry_settings().max_attachment_mb
        files = []
        for upload in data["files"]:
            name = upload.name or "file"
            if upload.size > limit_mb * 1024 * 1024:
                raise AttachmentRejected(
                    _("ไฟล์ %(name)s มีขนาด %(size)s MB เกินกำหนด %(limit)s MB"),
                    name=name,
                    size=f"{upload.size / 1048576:.1f}",
                    limit=str(limit_mb),
                )
            files.append(FileInput(name=name, content=upload.read()))
        return files


class RegisterIncomingSerializer(serializers.Serializer):
    allow_duplicate = serializers.BooleanField(
        default=False,
        help_text="ลงรับแม้พบหนังสือซ้ำ / register even if a duplicate is already here",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class NumberOutgoingSerializer(serializers.Serializer):
    register = serializers.ChoiceField(
        choices=OUTGOING_REGISTER_CHOICES, default=RegisterKind.SEND.value
    )
    reserved_entry = serializers.PrimaryKeyRelatedField(
        queryset=RegisterEntry.objects.filter(status=EntryStatus.RESERVED),
        required=False,
        allow_null=True,
        help_text="ใช้เลขที่จองไว้ / use this reserved entry's number",
    )


class ReservationInSerializer(serializers.Serializer):
    register = serializers.ChoiceField(choices=OUTGOING_REGISTER_CHOICES)
    count = serializers.IntegerField(min_value=1, max_value=500)
    purpose = serializers.CharField(max_length=300)
    for_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.filter(is_active=True), required=False, allow_null=True
    )


class EndorseSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    kind = _choice(EndorsementKind.choices, EndorsementKind.ENDORSE)


class ForwardSerializer(serializers.Serializer):
    to_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.filter(is_active=True), required=False, allow_null=True
    )
    to_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    instruction = serializers.CharField(max_length=4000, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Assignment.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("to_unit") is None and attrs.get("to_user") is None:
            raise serializers.ValidationError(_("โปรดเลือกหน่วยงานหรือเจ้าหน้าที่ที่จะส่งต่อ"))
        return attrs


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")


class LetterFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200, required=False, help_text="ค้นหาข้อความ / full-text search"
    )
    status = serializers.ChoiceField(choices=LetterStatus.choices, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    register = serializers.ChoiceField(choices=RegisterKind.choices, required=False)
    year = serializers.IntegerField(
        min_value=2400,
        max_value=2800,
        required=False,
        help_text="ปี พ.ศ. ของทะเบียน (หรือปีที่รับเข้าหากยังไม่ลงทะเบียน) / BE year of the "
        "register entry, or of creation for a letter not registered yet",
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    unit = serializers.IntegerField(required=False, help_text="owner org unit id")


class EntryFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2400,
        max_value=2800,
        required=False,
        help_text="ปี พ.ศ. (ค่าเริ่มต้น: ปีปัจจุบัน) / BE year (default: the current one)",
    )
    status = serializers.ChoiceField(choices=EntryStatus.choices, required=False)


class OverdueFilterSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, help_text="org unit id (overseers)")
    mine = serializers.BooleanField(
        required=False, default=False, help_text="only my own / เฉพาะของฉัน"
    )
