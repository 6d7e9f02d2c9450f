from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import OrganisationType
from tenants.provinces import PROVINCES
from tenants.validation import OnboardingRequest


class OnboardingForm(forms.Form):
    name_th = forms.CharField(label=_("ชื่อหน่วยงาน (ภาษาไทย)"), max_length=200)
    name_en = forms.CharField(label=_("ชื่อหน่วยงาน (ภาษาอังกฤษ)"), max_length=200, required=False)
    organisation_type = forms.ChoiceField(label=_("ประเภทองค์กร"), choices=OrganisationType.choices)
    province = forms.ChoiceField(label=_("จังหวัด"), choices=[(p, p) for p in sorted(PROVINCES)])
    district = forms.CharField(label=_("อำเภอ/เขต"), max_length=100, required=False)
    dla_code = forms.CharField(label=_("รหัส อปท."), max_length=8, required=False)
    slug = forms.CharField(
        label=_("โดเมนย่อย"), max_length=40, help_text=_("เช่น sila จะได้ sila.<โดเมนของระบบ>")
    )
    custom_domains = forms.CharField(
        label=_("โดเมนของหน่วยงานเอง (ถ้ามี)"), required=False, help_text=_("คั่นด้วยจุลภาค")
    )
    letter_code_prefix = forms.CharField(
        label=_("รหัสหนังสือ"), max_length=32, help_text=_("เช่น ตร 52301")
    )
    officer_name = forms.CharField(label=_("ชื่อผู้รับผิดชอบ"), max_length=200)
    officer_phone = forms.CharField(label=_("โทรศัพท์ผู้รับผิดชอบ"), max_length=32)
    admin_name = forms.CharField(label=_("ชื่อผู้ดูแลระบบคนแรก"), max_length=200, required=False)
    admin_email = forms.CharField(label=_("อีเมลผู้ดูแลระบบคนแรก"), max_length=254)

    def to_request(self) -> OnboardingRequest:
        data = self.cleaned_data
        return OnboardingRequest(
            name_th=data["name_th"],
            name_en=data["name_en"],
            organisation_type=data["organisation_type"],
            province=data["province"],
            district=data["district"],
            dla_code=data["dla_code"],
            slug=data["slug"],
            custom_domains=tuple(d for d in data["custom_domains"].split(",") if d.strip()),
            letter_code_prefix=data["letter_code_prefix"],
            officer_name=data["officer_name"],
            officer_phone=data["officer_phone"],
            admin_name=data["admin_name"],
            admin_email=data["admin_email"],
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผล"), widget=forms.Textarea(attrs={"rows": 3}))
