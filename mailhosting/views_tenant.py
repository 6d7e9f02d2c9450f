"""The tenant admin's mail page: the municipality's addresses, staff mailboxes and aliases, and
the DNS records to publish."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mailhosting import staff_mailboxes as svc
from mailhosting.forms_tenant import AliasForm, PasswordForm, StaffMailboxForm
from mailhosting.models import MailAlias, Mailbox
from mailhosting.selectors import mail_domains_of, records_with_state
from registers.views.access import ADMINS, page, roles_required
from thaiformat.bilingual import BilingualError


def _domains(request: HttpRequest) -> Any:
    # Tenant-plane code reaches the control plane through mailhosting.selectors only.
    return mail_domains_of(municipality=request.tenant)  # type: ignore[attr-defined]


def _render(
    request: HttpRequest,
    *,
    mailbox_form: StaffMailboxForm | None = None,
    alias_form: AliasForm | None = None,
    status: int = 200,
) -> HttpResponse:
    domains = _domains(request)
    context = {
        "section": "mail",
        "domains": [
            {
                "domain": domain,
                "records": records_with_state(domain=domain),
                "mailboxes": domain.mailboxes.order_by("kind", "local_part"),
                "aliases": domain.aliases.order_by("local_part"),
            }
            for domain in domains
        ],
        "mailbox_form": mailbox_form or StaffMailboxForm(domains=domains, prefix="mailbox"),
        "alias_form": alias_form or AliasForm(domains=domains, prefix="alias"),
        "password_form": PasswordForm(prefix="password"),
    }
    return page(request, "mailhosting/settings.html", context, status=status)


@roles_required(ADMINS)
def mail_settings(request: HttpRequest) -> HttpResponse:
    return _render(request)


@roles_required(ADMINS)
@require_POST
def mailbox_create(request: HttpRequest) -> HttpResponse:
    form = StaffMailboxForm(request.POST, domains=_domains(request), prefix="mailbox")
    if form.is_valid():
        try:
            mailbox = svc.staff_mailbox_create(
                domain=form.cleaned_data["domain"],
                local_part=form.cleaned_data["local_part"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password"],
                actor=request.user,
            )
        except BilingualError as error:
            form.add_error("local_part", error.text())
        else:
            messages.success(
                request, _("สร้างกล่องจดหมาย %(address)s แล้ว") % {"address": mailbox.address}
            )
            return redirect("mailhosting:settings")
    return _render(request, mailbox_form=form, status=400)


def _own_mailbox(request: HttpRequest, pk: int) -> Mailbox:
    # Only this municipality's rows: another tenant's id is a 404, never a change.
    mailbox = (
        Mailbox.objects.select_related("domain")
        .filter(
            pk=pk,
            domain__municipality=request.tenant,  # type: ignore[attr-defined]
        )
        .first()
    )
    if mailbox is None:
        raise Http404
    return mailbox


@roles_required(ADMINS)
@require_POST
def mailbox_password(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _own_mailbox(request, pk)
    form = PasswordForm(request.POST, prefix="password")
    if not form.is_valid():
        for error in form.errors.get("password", []):
            messages.error(request, f"{mailbox.address}: {error}")
        return redirect("mailhosting:settings")
    try:
        svc.staff_mailbox_set_password(
            mailbox=mailbox, password=form.cleaned_data["password"], actor=request.user
        )
    except BilingualError as error:
        messages.error(request, f"{mailbox.address}: {error.text()}")
    else:
        messages.success(request, _("ตั้งรหัสผ่านของ %(address)s แล้ว") % {"address": mailbox.address})
    return redirect("mailhosting:settings")


@roles_required(ADMINS)
@require_POST
def mailbox_active(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _own_mailbox(request, pk)
    try:
        svc.staff_mailbox_set_active(
            mailbox=mailbox, active=request.POST.get("active") == "1", actor=request.user
        )
    except BilingualError as error:
        messages.error(request, error.text())
    return redirect("mailhosting:settings")


@roles_required(ADMINS)
@require_POST
def alias_create(request: HttpRequest) -> HttpResponse:
    form = AliasForm(request.POST, domains=_domains(request), prefix="alias")
    if form.is_valid():
        try:
            alias = svc.staff_alias_create(
                domain=form.cleaned_data["domain"],
                local_part=form.cleaned_data["local_part"],
                destinations=form.cleaned_data["destinations"].splitlines(),
                actor=request.user,
            )
        except BilingualError as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, _("สร้างชื่อแทน %(address)s แล้ว") % {"address": str(alias)})
            return redirect("mailhosting:settings")
    return _render(request, alias_form=form, status=400)


@roles_required(ADMINS)
@require_POST
def alias_active(request: HttpRequest, pk: int) -> HttpResponse:
    alias = (
        MailAlias.objects.select_related("domain")
        .filter(
            pk=pk,
            domain__municipality=request.tenant,  # type: ignore[attr-defined]
        )
        .first()
    )
    if alias is None:
        raise Http404
    svc.staff_alias_set_active(
        alias=alias, active=request.POST.get("active") == "1", actor=request.user
    )
    return redirect("mailhosting:settings")
