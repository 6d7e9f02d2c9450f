"""A person's own API tokens: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from registers.api.tokens import api_token_create, api_token_revoke
from registers.errors import RegistersError
from registers.forms_admin import ApiTokenForm
from registers.models import ApiToken
from registers.views.admin_common import page


def _page(
    request: HttpRequest, form: ApiTokenForm, raw: str = "", status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")  # type: ignore[misc]
    context = {"section": "tokens", "form": form, "tokens": tokens, "raw_token": raw}
    response = page(request, "registers/admin/tokens.html", context, status=status)
    if raw:
        # The raw token is on this page only: no cache, no back-button copy.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except RegistersError as error:
            form.add_error("name", error.text())
        else:
            messages.success(request, _("สร้างโทเคน %(name)s แล้ว") % {"name": token.name})
            return _page(request, ApiTokenForm(), raw=raw)
    return _page(request, form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own tokens: another person's token is "not found", not "forbidden".
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
    except RegistersError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("เพิกถอนโทเคน %(name)s แล้ว") % {"name": token.name})
    return redirect("registers:tokens")
