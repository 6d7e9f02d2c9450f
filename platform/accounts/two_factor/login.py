"""The login's second step: a correct password alone only opens the code page.

The person is not logged in until the code is right; the pending state lives in the anonymous
session for a few minutes and a handful of attempts, then the password is asked again."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token

from accounts.forms import StaffAuthenticationForm
from accounts.two_factor import selectors
from accounts.two_factor.forms import CodeForm

PENDING = "two_factor_pending"
PENDING_SECONDS = 300


class StaffLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if selectors.has_second_factor(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "since": time.time(),
                "attempts": 0,
            }
            return HttpResponseRedirect(reverse("accounts:login_verify"))
        response = super().form_valid(form)
        if selectors.is_required(user):
            messages.info(
                self.request,
                _("หน่วยงานกำหนดให้ใช้การยืนยันตัวตนสองขั้นตอน กรุณาตั้งค่าก่อนใช้งานระบบ"),
            )
            return redirect("accounts:two_factor")
        return response


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.error(request, _("หมดเวลายืนยันตัวตน กรุณาเข้าสู่ระบบใหม่"))
        return redirect("accounts:login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"].strip().replace(" ", ""))
        if device is not None:
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse(settings.LOGIN_REDIRECT_URL)
            return HttpResponseRedirect(target)
        pending["attempts"] += 1
        if pending["attempts"] >= settings.ACCOUNTS_TWO_FACTOR_MAX_ATTEMPTS:
            request.session.pop(PENDING, None)
            messages.error(request, _("ใส่รหัสผิดหลายครั้ง กรุณาเข้าสู่ระบบใหม่"))
            return redirect("accounts:login")
        request.session[PENDING] = pending
        form.add_error("token", _("รหัสยืนยันไม่ถูกต้องหรือหมดอายุแล้ว กรุณาลองใหม่"))
    return render(request, "accounts/login_verify.html", {"form": form})
