"""Forms of the settings and retention pages: Thai labels, BE years and dates, plain HTML."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, RoleCode
from registers.choices import ArchivesAnswer, DestructionDecision
from registers.forms import BEDateField
from registers.models import RegistrySettings

MIN_BE_YEAR = 2500
MAX_BE_YEAR = 2800


def be_year_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        min_value=MIN_BE_YEAR,
        max_value=MAX_BE_YEAR,
        error_messages={
            "invalid": _("กรอกปี พ.ศ. เป็นตัวเลข 4 หลัก เช่น 2569"),
            "min_value": _("กรอกปี พ.ศ. เช่น 2569 (ไม่ใช่ ค.ศ.)"),
            "max_value": _("ปี พ.ศ. มากเกินไป"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def role_choices() -> list[tuple[str, Any]]:
    return list(RoleCode.choices)


def active_units() -> Any:
    return OrgUnit.objects.filter(is_active=True)


# --- settings ---------------------------------------------------------------------------------


class RegistrySettingsForm(forms.ModelForm):
    class Meta:
        model = RegistrySettings
        fields = [
            "numbering_reset",
            "circular_own_sequence",
            "thai_digits",
            "stamp_agency_name",
            "stamp_right_mm",
            "stamp_top_mm",
            "max_attachment_mb",
            "default_retention",
            "reminder_hour",
            "mail_auto_register",
        ]
        widgets = {
            "numbering_reset": forms.RadioSelect,
            "default_retention": forms.Select,
            "mail_auto_register": forms.RadioSelect,
        }
        help_texts = {
            "numbering_reset": _(
                "ระเบียบกำหนดให้เริ่มเลขใหม่ทุกปีปฏิทิน เปลี่ยนเมื่อขึ้นปีใหม่เท่านั้น เพราะเลขที่ออกไปแล้วจะไม่เปลี่ยน"
            ),
            "circular_own_sequence": _("หนังสือเวียน (ว) มีลำดับเลขแยกจากหนังสือส่งทั่วไป"),
            "thai_digits": _("ข้อมูลเก็บเป็นเลขอารบิกเสมอ และค้นหาได้ทั้งสองแบบ"),
            "stamp_right_mm": _("ตรารับอยู่มุมขวาบนของหน้าแรก ขนาดประมาณ 2.5 × 5 ซม."),
            "max_attachment_mb": _("อย่างน้อย 25 MB เพื่อรับอีเมลจาก Gmail และ Outlook ได้"),
            "mail_auto_register": _(
                "หนังสือที่ลงรับอัตโนมัติได้เลขรับทันที และผู้ส่งได้รับอีเมลแจ้งผลการรับ หนังสืออื่นเข้ารายการรอลงรับ"
            ),
        }

    reminder_hour = forms.TypedChoiceField(
        label=_("เวลาส่งการแจ้งเตือนประจำวัน (นาฬิกา)"),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00 น.") for hour in range(24)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = {
            "stamp_right_mm": (0, 150),
            "stamp_top_mm": (0, 250),
            "max_attachment_mb": (25, 200),
        }
        for name, (low, high) in limits.items():
            field = self.fields[name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high, "inputmode": "numeric"})
            field.error_messages["min_value"] = _("ต้องไม่น้อยกว่า %(limit_value)s")
            field.error_messages["max_value"] = _("ต้องไม่เกิน %(limit_value)s")


class LetterCodePrefixForm(forms.Form):
    letter_code = forms.CharField(
        label=_("รหัสตัวพยัญชนะและเลขประจำหน่วยงาน"),
        max_length=32,
        help_text=_(
            "ใช้ขึ้นต้น “ที่” ของหนังสือส่ง เช่น ตร 52301/123 และหนังสือเวียน ตร 52301/ว 45 "
            "หนังสือที่ออกเลขไปแล้วไม่เปลี่ยนตาม"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ตร 52301"}),
    )


class OrgUnitCreateForm(forms.Form):
    name_th = forms.CharField(label=_("ชื่อหน่วยงาน (ภาษาไทย)"), max_length=200)
    name_en = forms.CharField(label=_("ชื่อหน่วยงาน (ภาษาอังกฤษ)"), max_length=200, required=False)
    code = forms.SlugField(
        label=_("รหัส"),
        max_length=40,
        required=False,
        help_text=_("ภาษาอังกฤษตัวเล็ก ตัวเลข และขีดกลาง เช่น finance เว้นว่างได้"),
        error_messages={"invalid": _("รหัสใช้ได้เฉพาะ a-z 0-9 และขีดกลาง")},
    )
    parent = forms.ModelChoiceField(
        label=_("สังกัด"), queryset=OrgUnit.objects.none(), required=False, empty_label="-"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = active_units()  # type: ignore[attr-defined]


class OrgUnitEditForm(forms.Form):
    name_th = forms.CharField(label=_("ชื่อหน่วยงาน (ภาษาไทย)"), max_length=200)
    name_en = forms.CharField(label=_("ชื่อหน่วยงาน (ภาษาอังกฤษ)"), max_length=200, required=False)
    parent = forms.ModelChoiceField(
        label=_("สังกัด"), queryset=OrgUnit.objects.none(), required=False, empty_label="-"
    )
    is_active = forms.BooleanField(label=_("ใช้งาน"), required=False)

    def __init__(self, *args: Any, unit: OrgUnit, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name_th": unit.name_th,
                "name_en": unit.name_en,
                "parent": unit.parent_id,
                "is_active": unit.is_active,
            },
        )
        kwargs.setdefault("prefix", f"unit{unit.pk}")
        super().__init__(*args, **kwargs)
        # The current parent stays selectable even when it was deactivated later.
        self.fields["parent"].queryset = OrgUnit.objects.exclude(pk=unit.pk).filter(  # type: ignore[attr-defined]
            pk__in=[*active_units().values_list("pk", flat=True), unit.parent_id or 0]
        )


class StaffInviteForm(forms.Form):
    first_name = forms.CharField(label=_("ชื่อ"), max_length=150)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=150)
    email = forms.EmailField(
        label=_("อีเมล"),
        help_text=_("ระบบส่งลิงก์ให้ตั้งรหัสผ่านไปที่อีเมลนี้"),
        error_messages={"invalid": _("อีเมลไม่ถูกต้อง")},
    )
    username = forms.RegexField(
        label=_("ชื่อผู้ใช้"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("ใช้เข้าสู่ระบบ: ภาษาอังกฤษ ตัวเลข และ . @ + - _"),
        error_messages={"invalid": _("ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร ตัวเลข และ . @ + - _")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    position = forms.CharField(label=_("ตำแหน่ง"), max_length=200, required=False)
    org_unit = forms.ModelChoiceField(
        label=_("หน่วยงานภายใน"), queryset=OrgUnit.objects.none(), required=False, empty_label="-"
    )
    roles = forms.MultipleChoiceField(
        label=_("บทบาท"),
        choices=role_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("โปรดเลือกบทบาทอย่างน้อยหนึ่งบทบาท")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = active_units()  # type: ignore[attr-defined]


class StaffEditForm(forms.Form):
    position = forms.CharField(label=_("ตำแหน่ง"), max_length=200, required=False)
    org_unit = forms.ModelChoiceField(
        label=_("หน่วยงานภายใน"), queryset=OrgUnit.objects.none(), required=False, empty_label="-"
    )
    roles = forms.MultipleChoiceField(
        label=_("บทบาท"), choices=role_choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("ใช้งาน"), required=False)

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "position": person.position,
                "org_unit": person.org_unit_id,
                "roles": list(person.roles.values_list("code", flat=True)),
                "is_active": person.is_active,
            },
        )
        kwargs.setdefault("prefix", f"user{person.pk}")
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[*active_units().values_list("pk", flat=True), person.org_unit_id or 0]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_active") and not data.get("roles"):
            self.add_error("roles", _("โปรดเลือกบทบาทอย่างน้อยหนึ่งบทบาท"))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("ชื่อโทเคน"),
        max_length=100,
        help_text=_("ตั้งชื่อให้รู้ว่าใช้กับระบบใด เช่น ระบบบัญชีของกองคลัง"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


# --- retention --------------------------------------------------------------------------------


class StorageRangeForm(forms.Form):
    start = BEDateField(label=_("ตั้งแต่วันที่"), required=False)
    end = BEDateField(label=_("ถึงวันที่"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น"))
        return data


class YearForm(forms.Form):
    year = be_year_field(_("ปี พ.ศ."))


class CommitteeChairForm(forms.Form):
    chair_name = forms.CharField(label=_("ชื่อประธานกรรมการ"), max_length=200)
    chair_position = forms.CharField(label=_("ตำแหน่ง"), max_length=200)


class CommitteeMemberForm(forms.Form):
    name = forms.CharField(label=_("ชื่อกรรมการ"), max_length=200, required=False)
    position = forms.CharField(label=_("ตำแหน่ง"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("position") and not data.get("name"):
            self.add_error("name", _("โปรดกรอกชื่อกรรมการ"))
        if data.get("name") and not data.get("position"):
            self.add_error("position", _("โปรดกรอกตำแหน่งของกรรมการ"))
        return data


CommitteeMemberFormSet = forms.formset_factory(CommitteeMemberForm, extra=0)
MIN_COMMITTEE_MEMBERS = 2


def committee_members(formset: Any) -> list[tuple[str, str]]:
    """The filled rows of a valid member formset, in order."""
    return [
        (form.cleaned_data["name"].strip(), form.cleaned_data["position"].strip())
        for form in formset.forms
        if form.cleaned_data.get("name")
    ]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("การพิจารณา"),
        choices=[
            (DestructionDecision.DESTROY, _("ทำลาย")),
            (DestructionDecision.KEEP, _("ไม่ทำลาย ขยายเวลาเก็บ")),
        ],
        widget=forms.RadioSelect,
    )
    keep_until_year = be_year_field(_("ขยายเวลาเก็บถึง พ.ศ."), required=False)
    remarks = forms.CharField(label=_("หมายเหตุ"), max_length=500, required=False)

    def __init__(self, *args: Any, list_year: int, **kwargs: Any) -> None:
        self.list_year = list_year
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == DestructionDecision.KEEP:
            year = data.get("keep_until_year")
            if year is None:
                self.add_error("keep_until_year", _("โปรดระบุปี พ.ศ. ที่ขยายเวลาเก็บถึง"))
            elif year <= self.list_year:
                self.add_error(
                    "keep_until_year",
                    _("ปีที่ขยายเวลาเก็บถึงต้องหลังปี พ.ศ. %(year)s") % {"year": self.list_year},
                )
        else:
            data["keep_until_year"] = None
        return data


class SendForm(forms.Form):
    reference = forms.CharField(
        label=_("ที่หนังสือนำส่ง"),
        max_length=120,
        help_text=_("เลขที่หนังสือที่ส่งบัญชีนี้ไปยังหอจดหมายเหตุแห่งชาติ กรมศิลปากร"),
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("คำตอบของหอจดหมายเหตุ"), choices=ArchivesAnswer.choices, widget=forms.RadioSelect
    )
    answered_on = BEDateField(label=_("วันที่ตอบ (หรือวันที่ครบ 60 วัน)"))
    note = forms.CharField(
        label=_("รายละเอียด"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DestroyForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("ยืนยันการทำลาย"),
        error_messages={"required": _("โปรดทำเครื่องหมายยืนยันก่อนทำลาย")},
    )
    count = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, expected: int, **kwargs: Any) -> None:
        self.expected = expected
        kwargs.setdefault("initial", {"count": expected})
        super().__init__(*args, **kwargs)

    def clean_count(self) -> int:
        count = int(self.cleaned_data["count"])
        if count != self.expected:
            # The list changed since the page was shown: confirm the new count again.
            raise forms.ValidationError(
                _("จำนวนหนังสือที่จะทำลายเปลี่ยนไป (ขณะนี้ %(count)s ฉบับ) โปรดตรวจสอบและยืนยันอีกครั้ง"),
                params={"count": self.expected},
            )
        return count
