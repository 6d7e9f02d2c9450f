"""The ส่งทางอีเมล form on a registered outgoing letter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DispatchForm(forms.Form):
    recipients = forms.CharField(
        label=_("อีเมลผู้รับ"),
        help_text=_("หลายรายคั่นด้วยจุลภาคหรือขึ้นบรรทัดใหม่"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "email", "spellcheck": "false"}),
        max_length=20000,
    )
