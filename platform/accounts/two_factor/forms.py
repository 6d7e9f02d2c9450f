from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import TwoFactorRequirement


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("รหัสจากแอปยืนยันตัวตน หรือรหัสสำรอง"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )


class PolicyForm(forms.Form):
    two_factor = forms.ChoiceField(
        label=_("การยืนยันตัวตนสองขั้นตอนของเจ้าหน้าที่"),
        choices=TwoFactorRequirement.choices,
        widget=forms.RadioSelect,
    )
