"""The person's own second-factor page (and, for the tenant admin, the municipality's policy)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import is_tenant_admin
from accounts.two_factor import selectors, services
from accounts.two_factor.forms import CodeForm, PolicyForm


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = BytesIO()
    image.save(out)
    return out.getvalue().decode()


def _secret_groups(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("token")
@never_cache
@login_required
def two_factor_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {"nav": True, "code_form": CodeForm()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = CodeForm(request.POST)
        try:
            if action == "start":
                context["pending"] = services.totp_enrol_start(user=user)
            elif action == "confirm" and form.is_valid():
                device, codes = services.totp_enrol_confirm(
                    user=user, token=form.cleaned_data["token"]
                )
                otp_login(request, device)  # this session has just proved the factor
                context["backup_codes"] = codes
                messages.success(request, _("เปิดใช้การยืนยันตัวตนสองขั้นตอนแล้ว"))
            elif action == "codes" and form.is_valid():
                context["backup_codes"] = services.backup_codes_regenerate(
                    user=user, token=form.cleaned_data["token"]
                )
            elif action == "disable" and form.is_valid():
                services.two_factor_disable(user=user, token=form.cleaned_data["token"])
                messages.success(request, _("ปิดการยืนยันตัวตนสองขั้นตอนแล้ว"))
                return redirect("accounts:two_factor")
            elif action == "policy":
                policy_form = PolicyForm(request.POST)
                if policy_form.is_valid():
                    services.policy_set(
                        actor=user, two_factor=policy_form.cleaned_data["two_factor"]
                    )
                    messages.success(request, _("บันทึกนโยบายแล้ว"))
                    return redirect("accounts:two_factor")
            elif not form.is_valid():
                context["code_form"] = form
        except services.TwoFactorError as error:
            messages.error(request, error.text())
            if action == "confirm":
                context["pending"] = TOTPDevice.objects.filter(user=user, confirmed=False).last()
    pending = context.get("pending")
    if pending is not None:
        context["qr_svg"] = mark_safe(_qr_svg(pending.config_url))  # noqa: S308 - our own SVG
        context["secret"] = _secret_groups(pending)
    policy = selectors.policy_current()
    context.update(
        {
            "enrolled": selectors.has_second_factor(user),
            "required": selectors.is_required(user, policy),
            "verified": user.is_verified(),
            "codes_left": selectors.backup_codes_left(user),
            "policy": policy,
            "is_admin": is_tenant_admin(user),
        }
    )
    if context["is_admin"]:
        context["policy_form"] = PolicyForm(initial={"two_factor": policy})
    return render(request, "accounts/two_factor.html", context)


@require_POST
@login_required
def two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=user_id)
    try:
        services.two_factor_reset(actor=request.user, user=person)  # type: ignore[arg-type]
        messages.success(request, _("ล้างการยืนยันตัวตนสองขั้นตอนของ %(name)s แล้ว") % {"name": person})
    except services.TwoFactorError as error:
        messages.error(request, error.text())
    target = request.POST.get("next", "")
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else "accounts:two_factor"
    )
