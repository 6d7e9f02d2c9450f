"""Forms of the drafting pages and the public check. They parse input; services write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from letters.choices import DraftKind
from letters.inputs import DraftInput
from letters.models import LetterDraft
from registers.choices import Secrecy

# Drafting in the browser never offers ลับที่สุด (paper only).
SECRECY_CHOICES = [
    (value, label) for value, label in Secrecy.choices if value != Secrecy.TOP_SECRET
]
# The public check accepts a copy up to this size; an issued letter is far smaller.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

FIELDS = [
    "kind",
    "circular",
    "subject",
    "addressee",
    "recipient_email",
    "department",
    "references",
    "enclosures",
    "body",
    "closing",
    "signer_name",
    "signer_position",
    "contact",
    "urgency",
    "secrecy",
    "thai_digits",
    "channel",
]


class DraftForm(forms.ModelForm):
    class Meta:
        model = LetterDraft
        fields = FIELDS
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "references": forms.Textarea(attrs={"rows": 2}),
            "enclosures": forms.Textarea(attrs={"rows": 2}),
            "contact": forms.Textarea(attrs={"rows": 3}),
            "department": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "department": _("บันทึกข้อความ: ส่วนราชการเจ้าของเรื่อง · หนังสือภายนอก: ที่ตั้งใต้ชื่อหน่วยงาน"),
            "references": _("หนึ่งรายการต่อบรรทัด"),
            "enclosures": _("หนึ่งรายการต่อบรรทัด"),
            "body": _("ขึ้นย่อหน้าใหม่ด้วยการขึ้นบรรทัดใหม่"),
            "contact": _("ส่วนราชการเจ้าของเรื่อง โทร. โทรสาร อีเมล หนึ่งรายการต่อบรรทัด"),
            "recipient_email": _("สำหรับส่งทางอีเมลหลังออกเลข คั่นหลายรายด้วยจุลภาค"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        secrecy: Any = self.fields["secrecy"]
        secrecy.choices = SECRECY_CHOICES
        self.fields["closing"].widget.attrs["placeholder"] = "ขอแสดงความนับถือ"

    def to_input(self) -> DraftInput:
        data = self.cleaned_data
        return DraftInput(**{name: data[name] for name in FIELDS})


def preview_input(post: Any) -> DraftInput:
    """What the live preview renders: the form as typed so far, never refused for gaps."""
    kind = post.get("kind") or DraftKind.EXTERNAL
    return DraftInput(
        kind=kind if kind in DraftKind.values else DraftKind.EXTERNAL,
        subject=post.get("subject", "")[:500],
        body=post.get("body", "")[:20000],
        addressee=post.get("addressee", "")[:300],
        department=post.get("department", "")[:300],
        references=post.get("references", "")[:2000],
        enclosures=post.get("enclosures", "")[:2000],
        closing=post.get("closing", "")[:100],
        signer_name=post.get("signer_name", "")[:200],
        signer_position=post.get("signer_position", "")[:300],
        contact=post.get("contact", "")[:1000],
        urgency=post.get("urgency", "normal"),
        secrecy=post.get("secrecy", "normal"),
        thai_digits=post.get("thai_digits") in ("on", "true", "1"),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("ความเห็นที่ให้แก้ไข"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class VerifyForm(forms.Form):
    """A holder checks their copy: upload the PDF, or paste its SHA-256."""

    copy = forms.FileField(label=_("ไฟล์ PDF ของหนังสือ"), required=False)
    sha256 = forms.CharField(label=_("หรือค่า SHA-256 ของไฟล์"), required=False, max_length=80)

    def clean_copy(self) -> Any:
        upload = self.cleaned_data.get("copy")
        if upload is None:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("ไฟล์ใหญ่เกิน %(limit)s MB") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("รับเฉพาะไฟล์ PDF"))
        return upload

    def clean_sha256(self) -> str:
        value = "".join(self.cleaned_data.get("sha256", "").split()).lower()
        if value and not _SHA256.match(value):
            raise forms.ValidationError(_("ค่า SHA-256 ต้องเป็นเลขฐานสิบหก 64 ตัว"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("copy") and not data.get("sha256") and not self.errors:
            raise forms.ValidationError(_("โปรดเลือกไฟล์ PDF หรือวางค่า SHA-256"))
        return data
