"""Forms of the tenant admin's mail page (staff mailboxes and aliases)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mailhosting.models import MailDomain
from mailhosting.staff_mailboxes import MIN_PASSWORD_LENGTH, validate_password
from thaiformat.bilingual import BilingualError


def _clean_password(form: forms.Form) -> str:
    password = str(form.cleaned_data["password"])
    try:
        validate_password(password)
    except BilingualError as error:
        raise forms.ValidationError(error.text()) from error
    return password


class _DomainChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: MailDomain) -> str:
        return obj.name


def _limit_domains(field: forms.Field, domains: QuerySet[MailDomain]) -> None:
    """Only the municipality's own domains; the primary one (listed first) is preselected."""
    assert isinstance(field, _DomainChoice)
    field.queryset = domains
    field.empty_label = None


class StaffMailboxForm(forms.Form):
    domain = _DomainChoice(label=_("โดเมน"), queryset=MailDomain.objects.none())
    local_part = forms.CharField(label=_("ชื่อหน้า @"), max_length=64)
    display_name = forms.CharField(label=_("ชื่อที่แสดง"), max_length=200, required=False)
    password = forms.CharField(
        label=_("รหัสผ่าน"),
        min_length=MIN_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, domains: QuerySet[MailDomain], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _limit_domains(self.fields["domain"], domains)

    def clean_password(self) -> str:
        return _clean_password(self)


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("รหัสผ่านใหม่"),
        min_length=MIN_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        return _clean_password(self)


class AliasForm(forms.Form):
    domain = _DomainChoice(label=_("โดเมน"), queryset=MailDomain.objects.none())
    local_part = forms.CharField(label=_("ชื่อหน้า @"), max_length=64)
    destinations = forms.CharField(
        label=_("ส่งต่อไปยัง (ที่อยู่ละหนึ่งบรรทัด)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, domains: QuerySet[MailDomain], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _limit_domains(self.fields["domain"], domains)
