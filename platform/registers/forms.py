"""Forms of the staff pages. They only parse and check input; the services do the writing.

Dates are typed as the clerk reads them on the letter: day/month/Buddhist-Era year
(``21/11/2569``, Thai digits too). ISO ``2026-11-21`` (Christian Era) is accepted as well, so a
date pasted from another system still works. A browser date picker is not used on purpose: it
shows Christian-Era years, which is exactly the mistake clerks must not make.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Role, User
from registers.choices import (
    OUTGOING_REGISTERS,
    SUB_KINDS,
    Channel,
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
from registers.inputs import FileInput, LetterInput, ReferenceInput
from registers.models import RegisterEntry
from thaiformat.dates import BANGKOK, BE_OFFSET
from thaiformat.forms import (  # noqa: F401  (re-exported for the registers' forms)
    BE_DATE_HELP,
    BEDateField,
    BEDateInput,
    format_be_date,
    parse_be_date,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _active_units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(is_active=True)


def _staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.position})" if obj.position else name


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return UserChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


def _sub_kind_choices() -> list[tuple[str, Any]]:
    """Sub-kinds grouped under their kind, so the list reads like the regulation."""
    labels = dict(LetterSubKind.choices)
    groups: list[tuple[str, Any]] = [("", _("- ไม่มี -"))]
    for kind, subs in SUB_KINDS.items():
        groups.append((str(LetterKind(kind).label), [(sub, labels[sub]) for sub in subs]))
    return groups


class LetterForm(forms.Form):
    """The fields of a letter as the clerk copies them from the paper, in the paper's order."""

    reference = forms.CharField(label=_("ที่"), max_length=120, required=False)
    letter_date = BEDateField(label=_("ลงวันที่"), required=False)
    sender = forms.CharField(label=_("จาก"), max_length=300, required=False)
    recipient = forms.CharField(label=_("ถึง"), max_length=300, required=False)
    subject = forms.CharField(label=_("เรื่อง"), max_length=500, required=False)
    summary = forms.CharField(
        label=_("สาระสำคัญ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(
        label=_("ชนิดหนังสือ"), choices=LetterKind.choices, initial=LetterKind.EXTERNAL
    )
    sub_kind = forms.ChoiceField(label=_("ประเภทย่อย"), choices=_sub_kind_choices, required=False)
    urgency = forms.ChoiceField(
        label=_("ชั้นความเร็ว"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    urgent_by_date = BEDateField(label=_("ด่วนภายในวันที่"), required=False)
    urgent_by_time = forms.TimeField(
        label=_("เวลา"),
        required=False,
        help_text=_("ชั่วโมง:นาที เช่น 16:30"),
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": "16:30", "inputmode": "numeric", "size": 6}
        ),
    )
    secrecy = forms.ChoiceField(
        label=_("ชั้นความลับ"), choices=Secrecy.choices, initial=Secrecy.NORMAL
    )
    channel = forms.ChoiceField(label=_("ช่องทาง"), choices=Channel.choices, initial=Channel.HAND)
    owner_unit = forms.ModelChoiceField(
        label=_("หน่วยงานเจ้าของเรื่อง"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("- ยังไม่ระบุ -"),
    )
    enclosures = forms.CharField(
        label=_("สิ่งที่ส่งมาด้วย"),
        required=False,
        help_text=_("บรรทัดละหนึ่งรายการ"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    retention_class = forms.ChoiceField(
        label=_("อายุการเก็บ"),
        choices=[("", _("- ตามค่าเริ่มต้นของหน่วยงาน -")), *RetentionClass.choices],
        required=False,
    )
    main_file = forms.FileField(
        label=_("ไฟล์หนังสือ (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf,image/*"}),
    )
    attachments = MultipleFileField(label=_("ไฟล์สิ่งที่ส่งมาด้วย"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = _active_units()  # type: ignore[attr-defined]
        # The clerk starts typing at once, with ที่ as it stands first on the paper.
        self.fields["reference"].widget.attrs["autofocus"] = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        secrecy = data.get("secrecy")
        if secrecy and secrecy != Secrecy.TOP_SECRET and not (data.get("subject") or "").strip():
            self.add_error("subject", _("โปรดระบุเรื่อง"))
        allowed = SUB_KINDS.get(data.get("kind") or "", ())
        sub_kind = data.get("sub_kind") or ""
        if allowed and sub_kind not in allowed:
            self.add_error("sub_kind", _("โปรดเลือกประเภทย่อยให้ตรงกับชนิดหนังสือ"))
        elif not allowed and sub_kind:
            self.add_error("sub_kind", _("ชนิดหนังสือนี้ไม่มีประเภทย่อย"))
        when_date, when_time = data.get("urgent_by_date"), data.get("urgent_by_time")
        if when_time and not when_date:
            self.add_error("urgent_by_date", _("โปรดระบุวันที่ของเวลาด่วนภายใน"))
        if when_date and data.get("urgency") == Urgency.NORMAL:
            self.add_error("urgency", _('หนังสือ "ด่วนภายใน" ต้องมีชั้นความเร็ว'))
        if data.get("attachments") and not data.get("main_file"):
            self.add_error("main_file", _("โปรดเลือกไฟล์หนังสือหลักก่อนไฟล์สิ่งที่ส่งมาด้วย"))
        return data

    def urgent_by(self) -> dt.datetime | None:
        day = self.cleaned_data.get("urgent_by_date")
        if day is None:
            return None
        at = self.cleaned_data.get("urgent_by_time") or dt.time(16, 30)  # end of office hours
        return dt.datetime.combine(day, at, tzinfo=BANGKOK)

    def file_inputs(self) -> list[FileInput]:
        uploads: list[UploadedFile] = []
        if self.cleaned_data.get("main_file"):
            uploads.append(self.cleaned_data["main_file"])
        uploads.extend(self.cleaned_data.get("attachments") or [])
        return [FileInput(name=upload.name or "file", content=upload.read()) for upload in uploads]

    def to_input(self, references: tuple[ReferenceInput, ...] = ()) -> LetterInput:
        data = self.cleaned_data
        unit = data.get("owner_unit")
        return LetterInput(
            channel=data["channel"],
            kind=data["kind"],
            sub_kind=data.get("sub_kind") or "",
            reference=data.get("reference") or "",
            letter_date=data.get("letter_date"),
            sender=data.get("sender") or "",
            recipient=data.get("recipient") or "",
            subject=data.get("subject") or "",
            summary=data.get("summary") or "",
            urgency=data["urgency"],
            urgent_by=self.urgent_by(),
            secrecy=data["secrecy"],
            retention_class=data.get("retention_class") or "",
            owner_unit_id=unit.pk if unit else None,
            references=references,
            enclosures=tuple(
                line.strip() for line in (data.get("enclosures") or "").splitlines() if line.strip()
            ),
        )


class OutgoingForm(LetterForm):
    """A letter this municipality sends: ที่ comes from the register when it is numbered."""

    register = forms.ChoiceField(
        label=_("ออกเลขในทะเบียน"),
        choices=[(kind.value, kind.label) for kind in OUTGOING_REGISTERS],
        initial=RegisterKind.SEND,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["reference"]
        self.fields["recipient"].widget.attrs["autofocus"] = True
        self.fields["channel"].label = _("วิธีส่ง")
        self.fields["channel"].initial = Channel.EMAIL
        self.fields["letter_date"].help_text = _("เว้นว่างได้: ใช้วันที่ออกเลข")


class ReferenceForm(forms.Form):
    reference = forms.CharField(label=_("ที่"), max_length=120, required=False)
    letter_date = BEDateField(label=_("ลงวันที่"), required=False, help_text="")
    subject = forms.CharField(label=_("เรื่อง"), max_length=500, required=False)


ReferenceFormSet = forms.formset_factory(ReferenceForm, extra=1, max_num=10, absolute_max=10)


def reference_inputs(formset: Any) -> tuple[ReferenceInput, ...]:
    return tuple(
        ReferenceInput(
            reference=form.cleaned_data.get("reference") or "",
            letter_date=form.cleaned_data.get("letter_date"),
            subject=form.cleaned_data.get("subject") or "",
        )
        for form in formset.forms
        if form.cleaned_data
        and (form.cleaned_data.get("reference") or form.cleaned_data.get("subject"))
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผล"), max_length=500, widget=forms.TextInput(attrs={"required": True})
    )


class ReserveForm(forms.Form):
    register = forms.ChoiceField(
        label=_("ทะเบียน"), choices=[(kind.value, kind.label) for kind in OUTGOING_REGISTERS]
    )
    count = forms.IntegerField(label=_("จำนวนเลข"), min_value=1, max_value=500, initial=1)
    purpose = forms.CharField(label=_("วัตถุประสงค์"), max_length=300)
    for_unit = forms.ModelChoiceField(
        label=_("สำหรับหน่วยงาน"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("- ไม่ระบุ -"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["for_unit"].queryset = _active_units()  # type: ignore[attr-defined]


class ReservedEntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        purpose = f" ({obj.remarks})" if obj.remarks else ""
        return f"{obj.get_register_display()} {obj.number}/{obj.period}{purpose}"


class NumberForm(forms.Form):
    """ออกเลข: a new number in the chosen register, or one reserved earlier."""

    register = forms.ChoiceField(
        label=_("ทะเบียน"),
        choices=[(kind.value, kind.label) for kind in OUTGOING_REGISTERS],
        initial=RegisterKind.SEND,
    )
    reserved_entry = ReservedEntryChoiceField(
        label=_("ใช้เลขที่จองไว้"),
        queryset=RegisterEntry.objects.none(),
        required=False,
        empty_label=_("- ออกเลขใหม่ -"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reserved_entry"].queryset = RegisterEntry.objects.filter(  # type: ignore[attr-defined]
            status=EntryStatus.RESERVED, register__in=OUTGOING_REGISTERS
        ).order_by("register", "period", "number")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        entry = data.get("reserved_entry")
        if entry is not None and data.get("register") and entry.register != data["register"]:
            self.add_error("reserved_entry", _("เลขที่จองไว้นี้อยู่ในทะเบียนอื่น"))
        return data


class EndorseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("ประเภท"), choices=EndorsementKind.choices, initial=EndorsementKind.ENDORSE
    )
    text = forms.CharField(label=_("ข้อความ"), widget=forms.Textarea(attrs={"rows": 3}))


class ForwardForm(forms.Form):
    to_unit = forms.ModelChoiceField(
        label=_("ส่งถึงหน่วยงาน"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("- ไม่ระบุ -"),
    )
    to_user = UserChoiceField(
        label=_("ส่งถึงเจ้าหน้าที่"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("- ไม่ระบุ -"),
    )
    instruction = forms.CharField(
        label=_("คำสั่ง/ข้อความ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = BEDateField(label=_("กำหนดเสร็จ"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = _active_units()  # type: ignore[attr-defined]
        self.fields["to_user"].queryset = _staff()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("to_unit") and not data.get("to_user"):
            raise forms.ValidationError(_("โปรดเลือกหน่วยงานหรือเจ้าหน้าที่ที่จะส่งถึง"))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("ผลการดำเนินการ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("บันทึกการปิดเรื่อง"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cancel_open = forms.BooleanField(label=_("ยกเลิกการส่งต่อที่ยังไม่เสร็จ แล้วปิดเรื่อง"), required=False)


class StoreForm(forms.Form):
    file_code = forms.CharField(label=_("รหัสแฟ้ม"), max_length=60, required=False)
    remarks = forms.CharField(label=_("หมายเหตุ"), max_length=500, required=False)


class GrantAccessForm(forms.Form):
    users = UserMultipleChoiceField(
        label=_("เจ้าหน้าที่"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("บทบาท"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = _staff()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("users") and not data.get("roles"):
            raise forms.ValidationError(_("โปรดเลือกเจ้าหน้าที่หรือบทบาทอย่างน้อยหนึ่งรายการ"))
        return data


class DelegationForm(forms.Form):
    delegate = UserChoiceField(label=_("ผู้ปฏิบัติแทน"), queryset=User.objects.none())
    starts_on = BEDateField(label=_("ตั้งแต่วันที่"))
    ends_on = BEDateField(label=_("ถึงวันที่"))
    reason = forms.CharField(label=_("เหตุผล"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = _staff().exclude(pk=user.pk)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"))
        return data


def _current_be_year() -> int:
    return timezone.localdate().year + BE_OFFSET


class DateRangeForm(forms.Form):
    """Filter of a register list: a BE year, or a range of BE dates."""

    year = forms.IntegerField(label=_("ปี พ.ศ."), required=False, min_value=2400, max_value=2700)
    start = BEDateField(label=_("ตั้งแต่วันที่"), required=False, help_text="")
    end = BEDateField(label=_("ถึงวันที่"), required=False, help_text="")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"))
        return data

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Aware moments [from, to) in Bangkok time for the chosen dates."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        low = dt.datetime.combine(start, dt.time(), tzinfo=BANGKOK) if start else None
        high = (
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=BANGKOK)
            if end
            else None
        )
        return low, high


class SearchForm(forms.Form):
    q = forms.CharField(label=_("คำค้น"), required=False, max_length=200)
    register = forms.ChoiceField(
        label=_("ทะเบียน"), choices=[("", _("- ทุกทะเบียน -")), *RegisterKind.choices], required=False
    )
    year = forms.IntegerField(label=_("ปี พ.ศ."), required=False, min_value=2400, max_value=2700)
    urgency = forms.ChoiceField(
        label=_("ชั้นความเร็ว"), choices=[("", _("- ทั้งหมด -")), *Urgency.choices], required=False
    )
    unit = forms.ModelChoiceField(
        label=_("หน่วยงาน"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("- ทั้งหมด -"),
    )
    status = forms.ChoiceField(
        label=_("สถานะ"), choices=[("", _("- ทั้งหมด -")), *LetterStatus.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _active_units()  # type: ignore[attr-defined]

    def has_criteria(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


class ReportForm(forms.Form):
    FORMATS = (("pdf", "PDF"), ("xlsx", "Excel (XLSX)"))
    # Kinds printed from one list (form 25, form 21) rather than from a date range.
    LIST_KINDS = {"destruction_list": "destruction_list", "handover_list": "handover_list"}

    kind = forms.ChoiceField(label=_("รายงาน"), choices=())
    start = BEDateField(label=_("ตั้งแต่วันที่"), required=False)
    end = BEDateField(label=_("ถึงวันที่"), required=False)
    destruction_list = forms.TypedChoiceField(
        label=_("บัญชีหนังสือขอทำลาย"), coerce=int, choices=(), required=False, empty_value=None
    )
    handover_list = forms.TypedChoiceField(
        label=_("บัญชีส่งมอบหนังสือครบ 20 ปี"),
        coerce=int,
        choices=(),
        required=False,
        empty_value=None,
    )
    fmt = forms.ChoiceField(
        label=_("รูปแบบไฟล์"), choices=FORMATS, initial="pdf", widget=forms.RadioSelect
    )
    thai_digits = forms.BooleanField(label=_("ใช้เลขไทย"), required=False)

    def __init__(
        self,
        *args: Any,
        kinds: dict[str, str],
        destruction_lists: list[tuple[int, str]],
        handover_lists: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds.items())  # type: ignore[attr-defined]
        none = ("", _("- เลือกบัญชี -"))
        self.fields["destruction_list"].choices = [none, *destruction_lists]  # type: ignore[attr-defined]
        self.fields["handover_list"].choices = [none, *handover_lists]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"))
        field = self.LIST_KINDS.get(data.get("kind") or "")
        if field and not data.get(field):
            self.add_error(field, _("โปรดเลือกบัญชี"))
        return data

    def list_id(self) -> int | None:
        field = self.LIST_KINDS.get(self.cleaned_data["kind"])
        return self.cleaned_data.get(field) if field else None
