"""The vendor console: Django's admin at the apex, behind a password and a second factor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from tenants import services
from tenants.console_pages import ConsolePagesMixin
from tenants.models import Domain, LifecycleEvent, Municipality, OnboardingStep


class VendorLoginForm(OTPAdminAuthenticationForm):
    """Password and code in one submit when the person has a single device (the usual case)."""

    otp_token = forms.CharField(
        label=_("รหัสยืนยันตัวตน (OTP) หรือรหัสสำรอง"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user))
            if len(devices) == 1:
                return devices[0]
        return device


class VendorConsoleSite(ConsolePagesMixin, OTPAdminSite):
    login_form = VendorLoginForm
    site_header = _("คอนโซลผู้ให้บริการ สารบรรณคลาวด์")
    site_title = _("คอนโซลผู้ให้บริการ")
    index_title = _("ภาพรวม")
    index_template = "console/fleet.html"

    def has_permission(self, request: HttpRequest) -> bool:
        # Only the apex serves the console; vendor staff exist only in the public schema.
        tenant = getattr(request, "tenant", None)
        return (
            tenant is not None
            and tenant.schema_name == "public"
            and super().has_permission(request)
        )

    def get_urls(self) -> list[Any]:
        return [*self.console_urls(), *super().get_urls()]

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The fleet overview, above the admin's list of models."""
        return super().index(request, {**self.fleet_context(), **(extra_context or {})})


vendor_console = VendorConsoleSite(name="console")


class OnboardingStepInline(admin.TabularInline):
    model = OnboardingStep
    extra = 0
    can_delete = False
    fields = ("position", "name", "status", "attempts", "last_error", "started_at", "finished_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ("domain", "is_primary")


@admin.register(Municipality, site=vendor_console)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = (
        "name_th",
        "province",
        "organisation_type",
        "slug",
        "state",
        "onboarding_status",
        "created_at",
        "console_page",
    )
    list_filter = ("state", "onboarding_status", "organisation_type", "province")
    search_fields = ("name_th", "name_en", "slug", "dla_code", "province")
    readonly_fields = (
        "schema_name",
        "slug",
        "state",
        "onboarding_status",
        "created_at",
        "updated_at",
        "archived_at",
    )
    inlines = (DomainInline, OnboardingStepInline)
    actions = ("resume_onboarding",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Municipality]:
        return super().get_queryset(request).exclude(schema_name="public")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new municipalities come through the onboarding page only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive instead: nothing is ever deleted silently

    @admin.display(description=_("หน้าหน่วยงาน"))
    def console_page(self, obj: Municipality) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("console:tenant_detail", args=[obj.pk]), _("เปิด")
        )

    @admin.action(description=_("ดำเนินการเริ่มใช้งานต่อจากขั้นตอนที่ค้าง"))
    def resume_onboarding(self, request: HttpRequest, queryset: QuerySet[Municipality]) -> None:
        for municipality in queryset:
            try:
                services.onboarding_resume(municipality)
                self.message_user(request, _("%(name)s: เสร็จสิ้น") % {"name": municipality})
            except services.OnboardingFailed as failure:
                self.message_user(
                    request,
                    _("%(name)s: หยุดที่ขั้นตอน %(step)s")
                    % {"name": municipality, "step": failure.step},
                    level=messages.ERROR,
                )
            except services.OnboardingBusy:
                self.message_user(
                    request,
                    _("%(name)s: กำลังดำเนินการอยู่") % {"name": municipality},
                    level=messages.WARNING,
                )


@admin.register(LifecycleEvent, site=vendor_console)
class LifecycleEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "municipality", "from_state", "to_state", "actor", "reason")
    list_filter = ("to_state",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
