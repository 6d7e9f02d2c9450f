"""Tenant admin pages: registry options and letter-code prefix, org units, people and roles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import OrgUnit, RoleCode, User
from accounts.services import SYSTEM_USERNAME
from accounts.two_factor import selectors as two_factor_selectors
from registers.errors import RegistersError
from registers.forms_admin import (
    LetterCodePrefixForm,
    OrgUnitCreateForm,
    OrgUnitEditForm,
    RegistrySettingsForm,
    StaffEditForm,
    StaffInviteForm,
)
from registers.selectors.settings import registry_settings
from registers.services import admin_settings as svc
from registers.views.admin_common import invitation_host, page, tenant_admin_required
from tenants.db import tenant_connection
from tenants.services import OnboardingValidationError

ROLE_DUTIES = {
    RoleCode.CENTRAL_CLERK: gettext_lazy("ลงรับ ออกเลข ส่ง และจัดเก็บหนังสือของหน่วยงาน"),
    RoleCode.UNIT_CLERK: gettext_lazy("ลงรับและส่งหนังสือของกองหรือสำนัก"),
    RoleCode.EXECUTIVE: gettext_lazy("เกษียนหนังสือและสั่งการ"),
    RoleCode.OFFICER: gettext_lazy("รับเรื่องที่ได้รับมอบหมายและรายงานผล"),
    RoleCode.TENANT_ADMIN: gettext_lazy("ตั้งค่าระบบ หน่วยงานภายใน และผู้ใช้งาน"),
}


def _roles() -> list[dict[str, Any]]:
    return [
        {"code": code, "label": label, "duty": ROLE_DUTIES.get(RoleCode(code), "")}
        for code, label in RoleCode.choices
    ]


def _agency_name() -> str:
    return str(getattr(tenant_connection.tenant, "name_th", ""))


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def settings_home(request: HttpRequest) -> HttpResponse:
    options = registry_settings()
    tenant = tenant_connection.tenant
    registry_form = RegistrySettingsForm(instance=options, prefix="registry")
    prefix_form = LetterCodePrefixForm(
        initial={"letter_code": tenant.letter_code_prefix}, prefix="code"
    )
    action = request.POST.get("action")
    if request.method == "POST" and action == "registry":
        registry_form = RegistrySettingsForm(request.POST, instance=options, prefix="registry")
        if registry_form.is_valid():
            # The form fills the instance while validating; the service compares with the row.
            values = {name: registry_form.cleaned_data[name] for name in registry_form.fields}
            svc.registry_settings_update(actor=request.user, values=values)  # type: ignore[arg-type]
            messages.success(request, _("บันทึกการตั้งค่าทะเบียนแล้ว"))
            return redirect("registers:settings")
    elif request.method == "POST" and action == "prefix":
        prefix_form = LetterCodePrefixForm(request.POST, prefix="code")
        if prefix_form.is_valid():
            try:
                new = svc.agency_letter_code_prefix_set(
                    actor=request.user,  # type: ignore[arg-type]
                    prefix=prefix_form.cleaned_data["letter_code"],
                )
            except OnboardingValidationError as error:
                for message in error.messages(request.LANGUAGE_CODE).get("letter_code_prefix", []):
                    prefix_form.add_error("letter_code", message)
            else:
                messages.success(
                    request,
                    _("บันทึกรหัสหนังสือแล้ว หนังสือส่งฉบับต่อไปจะใช้ “ที่ %(example)s”")
                    % {"example": f"{new}/…"},
                )
                return redirect("registers:settings")
    elif request.method == "POST":
        return redirect("registers:settings")
    context = {
        "section": "general",
        "registry_form": registry_form,
        "prefix_form": prefix_form,
        "current_prefix": tenant.letter_code_prefix,
    }
    status = 400 if request.method == "POST" else 200
    return page(request, "registers/admin/settings.html", context, status=status)


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def settings_units(request: HttpRequest) -> HttpResponse:
    form = OrgUnitCreateForm(prefix="new")
    if request.method == "POST":
        form = OrgUnitCreateForm(request.POST, prefix="new")
        if form.is_valid():
            data = form.cleaned_data
            try:
                unit = svc.org_unit_create(
                    actor=request.user,  # type: ignore[arg-type]
                    name_th=data["name_th"],
                    name_en=data["name_en"],
                    code=data["code"],
                    parent=data["parent"],
                )
            except RegistersError as error:
                form.add_error(None, error.text())
            else:
                messages.success(request, _("เพิ่มหน่วยงาน %(name)s แล้ว") % {"name": unit.name_th})
                return redirect("registers:settings-units")
    units = OrgUnit.objects.select_related("parent").annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    )
    context = {"section": "units", "units": units, "form": form}
    status = 400 if request.method == "POST" else 200
    return page(request, "registers/admin/units.html", context, status=status)


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def settings_unit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=pk)
    form = OrgUnitEditForm(unit=unit)
    if request.method == "POST":
        form = OrgUnitEditForm(request.POST, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.org_unit_update(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=unit,
                    name_th=data["name_th"],
                    name_en=data["name_en"],
                    parent=data["parent"],
                    is_active=data["is_active"],
                )
            except RegistersError as error:
                form.add_error(None, error.text())
            else:
                messages.success(request, _("บันทึกหน่วยงานแล้ว"))
                return redirect("registers:settings-units")
    members = User.objects.filter(org_unit=unit, is_active=True).order_by("first_name")
    context = {"section": "units", "unit": unit, "form": form, "members": members}
    status = 400 if request.method == "POST" else 200
    return page(request, "registers/admin/unit.html", context, status=status)


@tenant_admin_required
def settings_people(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    show_inactive = request.GET.get("inactive") == "1"
    # The system account (automatic registrations) is not a person to manage.
    people = (
        User.objects.select_related("org_unit")
        .prefetch_related("roles")
        .exclude(username=SYSTEM_USERNAME)
    )
    if not show_inactive:
        people = people.filter(is_active=True)
    for word in query.split():
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
            | Q(position__icontains=word)
            | Q(org_unit__name_th__icontains=word)
        )
    context = {
        "section": "people",
        "people": people.order_by("-is_active", "first_name", "username"),
        "query": query,
        "show_inactive": show_inactive,
        "roles": _roles(),
    }
    return page(request, "registers/admin/people.html", context)


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def settings_person_new(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm()
    if request.method == "POST":
        form = StaffInviteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = svc.staff_invite(
                    actor=request.user,  # type: ignore[arg-type]
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    position=data["position"],
                    org_unit=data["org_unit"],
                    role_codes=data["roles"],
                    host=invitation_host(request),
                    organisation_name=_agency_name(),
                )
            except RegistersError as error:
                form.add_error(None, error.text())
            except OSError:
                # The account exists; only the e-mail failed (SMTP down). It can be resent.
                messages.error(request, _("สร้างบัญชีแล้ว แต่ส่งอีเมลเชิญไม่สำเร็จ โปรดส่งคำเชิญอีกครั้ง"))
                person = User.objects.get(username=data["username"])
                return redirect("registers:settings-person", pk=person.pk)
            else:
                messages.success(
                    request,
                    _("ส่งคำเชิญถึง %(email)s แล้ว ลิงก์ใช้ได้ 3 วัน") % {"email": person.email},
                )
                return redirect("registers:settings-people")
    context = {"section": "people", "form": form, "roles": _roles()}
    status = 400 if request.method == "POST" else 200
    return page(request, "registers/admin/person_new.html", context, status=status)


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def settings_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = StaffEditForm(person=person)
    if request.method == "POST":
        form = StaffEditForm(request.POST, person=person)
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.staff_update(
                    actor=request.user,  # type: ignore[arg-type]
                    user=person,
                    position=data["position"],
                    org_unit=data["org_unit"],
                    role_codes=data["roles"],
                    is_active=data["is_active"],
                )
            except RegistersError as error:
                form.add_error(None, error.text())
            else:
                messages.success(request, _("บันทึกข้อมูลของ %(name)s แล้ว") % {"name": person})
                return redirect("registers:settings-people")
    context = {
        "section": "people",
        "person": person,
        "form": form,
        "roles": _roles(),
        "invitation_pending": person.is_active and not person.has_usable_password(),
        "two_factor_enrolled": two_factor_selectors.has_second_factor(person),
    }
    status = 400 if request.method == "POST" else 200
    return page(request, "registers/admin/person.html", context, status=status)


@tenant_admin_required
@require_POST
def settings_person_reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    try:
        svc.staff_resend_invitation(
            actor=request.user,  # type: ignore[arg-type]
            user=person,
            host=invitation_host(request),
            organisation_name=_agency_name(),
        )
    except RegistersError as error:
        messages.error(request, error.text())
    except OSError:
        messages.error(request, _("ส่งอีเมลเชิญไม่สำเร็จ โปรดลองอีกครั้งภายหลัง"))
    else:
        messages.success(request, _("ส่งคำเชิญถึง %(email)s อีกครั้งแล้ว") % {"email": person.email})
    return redirect("registers:settings-person", pk=person.pk)
