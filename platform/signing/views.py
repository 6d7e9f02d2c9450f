"""My signing credential (ใบรับรองสำหรับลงนาม): upload, replace or revoke one's own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from registers.views.access import page, staff_required
from signing.errors import SigningError
from signing.forms import KmsForm, Pkcs12Form
from signing.models import SigningCredential
from signing.selectors import credential_active, credentials_of
from signing.services import credential_register_kms, credential_revoke, credential_upload_pkcs12


@staff_required
def my_credential(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    pkcs12_form = Pkcs12Form(prefix="p12")
    kms_form = KmsForm(prefix="kms")
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind")
        form: Pkcs12Form | KmsForm
        if kind == "kms":
            form = kms_form = KmsForm(request.POST, request.FILES, prefix="kms")
        else:
            form = pkcs12_form = Pkcs12Form(request.POST, request.FILES, prefix="p12")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if isinstance(form, KmsForm):
                    credential_register_kms(
                        user=user, key_id=data["key_id"], certificate_pem=data["certificate"]
                    )
                else:
                    credential_upload_pkcs12(
                        user=user, data=data["file"], password=data["password"]
                    )
            except SigningError as error:
                form.add_error(None, error.bilingual())
            else:
                messages.success(request, _("บันทึกใบรับรองสำหรับลงนามแล้ว"))
                return redirect("signing:my-credential")
        status = 400
    context = {
        "section": "signing",
        "active": credential_active(user),
        "credentials": list(credentials_of(user)[:20]),
        "pkcs12_form": pkcs12_form,
        "kms_form": kms_form,
    }
    return page(request, "signing/my_credential.html", context, status=status)


@require_POST
@staff_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(SigningCredential, pk=pk, user=request.user)
    credential_revoke(user=request.user, credential=credential)
    messages.success(request, _("เพิกถอนใบรับรองแล้ว ระบบจะไม่ใช้ลงนามอีก"))
    return redirect("signing:my-credential")
