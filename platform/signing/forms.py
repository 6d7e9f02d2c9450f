"""Forms of the signing pages (Thai labels; English comes from the catalogue)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from signing.services.credentials import MAX_PKCS12_BYTES


class Pkcs12Form(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์ใบรับรอง (.p12 หรือ .pfx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".p12,.pfx,application/x-pkcs12"}),
    )
    password = forms.CharField(
        label=_("รหัสผ่านของไฟล์"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PKCS12_BYTES:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกินไป (ไม่เกิน 64 KB)"))
        return bytes(upload.read())


class KmsForm(forms.Form):
    key_id = forms.CharField(label=_("รหัสหรือ ARN ของกุญแจใน AWS KMS"), max_length=300)
    certificate = forms.FileField(label=_("ใบรับรองของกุญแจนี้ (PEM พร้อมสายใบรับรอง)"))

    def clean_certificate(self) -> bytes:
        return bytes(self.cleaned_data["certificate"].read(MAX_PKCS12_BYTES))
