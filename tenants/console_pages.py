"""The console's own pages (beside Django's admin lists): the fleet overview as its home, the
onboarding wizard with live progress, and each municipality's page with its actions.

Thin views: reads come from tenants.fleet and tenants.tenant_health, writes from
tenants.console_actions. The site's admin_view() wraps each one, so every page needs vendor
staff with a password and a second factor, on the apex only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tenants import console_actions, fleet
from tenants.console_actions import ConsoleActionRefused
from tenants.forms import OnboardingForm
from tenants.models import LifecycleState, Municipality, OnboardingStatus
from tenants.onboarding import pipeline
from tenants.selectors import municipalities_tenants
from tenants.services import OnboardingValidationError
from tenants.tenant_health import tenant_health
from tenants.validation import primary_domain_for


class ConsoleActionForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผล"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("บันทึกไว้พร้อมชื่อผู้ดำเนินการ"),
    )
    confirm = forms.BooleanField(label=_("ยืนยันการดำเนินการนี้"), required=True)
    confirm_slug = forms.CharField(label=_("พิมพ์ชื่อย่อของหน่วยงานอีกครั้ง"), required=False)

    def __init__(
        self, *args: Any, municipality: Municipality, needs_slug: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.needs_slug = needs_slug
        if not needs_slug:
            del self.fields["confirm_slug"]
        else:
            self.fields["confirm_slug"].required = True

    def clean_confirm_slug(self) -> str:
        value = str(self.cleaned_data.get("confirm_slug") or "").strip()
        if self.needs_slug and value != self.municipality.slug:
            raise forms.ValidationError(
                _("พิมพ์ชื่อย่อ %(slug)s ให้ตรงกัน") % {"slug": self.municipality.slug}
            )
        return value


# name -> (title, service, needs the slug typed again, allowed from these states)
ACTIONS: dict[str, tuple[Any, Any, bool, frozenset[str] | None]] = {
    "resend-invitation": (
        _("ส่งอีเมลเชิญผู้ดูแลระบบอีกครั้ง"),
        console_actions.invitation_resend,
        False,
        None,
    ),
    "suspend": (
        _("ระงับการใช้งาน"),
        console_actions.municipality_suspend,
        False,
        console_actions.SUSPENDABLE,
    ),
    "resume": (
        _("เปิดใช้งานอีกครั้ง"),
        console_actions.municipality_resume,
        False,
        console_actions.RESUMABLE,
    ),
    "archive": (
        _("เก็บถาวร (เลิกใช้บริการ)"),
        console_actions.municipality_archive_from_console,
        True,
        frozenset(set(LifecycleState.values) - {LifecycleState.ARCHIVED}),
    ),
}


def _actor(request: HttpRequest) -> str:
    return f"vendor:{request.user.get_username()}"


def _step_rows(municipality: Municipality) -> list[dict[str, Any]]:
    labels = {step.name: step.label for step in pipeline()}
    return [
        {"record": record, "label": labels.get(record.name, record.name)}
        for record in municipality.onboarding_steps.order_by("position")
    ]


def _onboarding_active(municipality: Municipality) -> bool:
    return municipality.onboarding_status in {OnboardingStatus.PENDING, OnboardingStatus.RUNNING}


class ConsolePagesMixin:
    """Mixed into the console's AdminSite: URLs and views of the pages above."""

    def console_urls(self) -> list[Any]:
        view = self.admin_view  # type: ignore[attr-defined]
        return [
            path("onboard/", view(self.onboard_view), name="onboard"),
            path("onboard/<int:pk>/", view(self.onboard_progress_view), name="onboard_progress"),
            path("onboard/<int:pk>/steps/", view(self.onboard_steps_view), name="onboard_steps"),
            path(
                "onboard/<int:pk>/retry/",
                view(require_POST(self.onboard_retry_view)),
                name="onboard_retry",
            ),
            path("tenant/<int:pk>/", view(self.tenant_view), name="tenant_detail"),
            path(
                "tenant/<int:pk>/<slug:action>/",
                view(self.tenant_action_view),
                name="tenant_action",
            ),
        ]

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.each_context(request), **extra}  # type: ignore[attr-defined]

    # --- the fleet overview (the console's home) ----------------------------------------------

    def fleet_context(self) -> dict[str, Any]:
        now = timezone.now()
        states = fleet.counts_by_state()
        health = fleet.health_counts(now)
        return {
            "fleet_states": states,
            "fleet_total": sum(s.count for s in states),
            "fleet_health": health,
            "fleet_attention": fleet.attention_today(now, health),
            "fleet_now": now,
            "stale_hours": settings.BACKUP_STALE_HOURS,
        }

    # --- the onboarding wizard ------------------------------------------------------------------

    def onboard_view(self, request: HttpRequest) -> HttpResponse:
        form = OnboardingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                municipality = console_actions.onboarding_start(
                    request=form.to_request(), actor=_actor(request)
                )
            except OnboardingValidationError as error:
                for field, field_messages in error.errors.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, str(message))
            else:
                return HttpResponseRedirect(
                    reverse("console:onboard_progress", args=[municipality.pk])
                )
        context = self._context(request, form=form, title=_("เพิ่มหน่วยงานใหม่"))
        return render(request, "console/onboard.html", context)

    def _progress_context(self, request: HttpRequest, pk: int) -> dict[str, Any]:
        municipality = get_object_or_404(municipalities_tenants(), pk=pk)
        return self._context(
            request,
            municipality=municipality,
            steps=_step_rows(municipality),
            active=_onboarding_active(municipality),
            tenant_site=f"//{primary_domain_for(municipality.slug)}/",
            title=_("การเริ่มใช้งาน %(name)s") % {"name": municipality.name_th},
        )

    def onboard_progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "console/onboard_progress.html", self._progress_context(request, pk))

    def onboard_steps_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The polled fragment; once nothing is running it stops asking (no hx-trigger)."""
        return render(request, "console/_onboard_steps.html", self._progress_context(request, pk))

    def onboard_retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        municipality = get_object_or_404(municipalities_tenants(), pk=pk)
        try:
            console_actions.onboarding_retry(municipality=municipality, actor=_actor(request))
        except ConsoleActionRefused as refusal:
            messages.error(request, refusal.text())
        return HttpResponseRedirect(reverse("console:onboard_progress", args=[pk]))

    # --- one municipality -----------------------------------------------------------------------

    def tenant_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        municipality = get_object_or_404(municipalities_tenants(), pk=pk)
        actions = [
            {"name": name, "title": title}
            for name, (title, _service, _slug, states) in ACTIONS.items()
            if states is None or municipality.state in states
        ]
        context = self._context(
            request,
            health=tenant_health(municipality),
            municipality=municipality,
            actions=actions,
            restore_url=reverse("console:backups_restore", args=[municipality.pk]),
            tenant_site=f"//{primary_domain_for(municipality.slug)}/",
            title=municipality.name_th,
        )
        return render(request, "console/tenant.html", context)

    def tenant_action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        title, service, needs_slug, _states = ACTIONS[action]
        municipality = get_object_or_404(municipalities_tenants(), pk=pk)
        form = ConsoleActionForm(
            request.POST or None, municipality=municipality, needs_slug=needs_slug
        )
        if request.method == "POST" and form.is_valid():
            try:
                service(
                    municipality=municipality,
                    actor=_actor(request),
                    reason=form.cleaned_data["reason"],
                )
            except ConsoleActionRefused as refusal:
                form.add_error(None, refusal.text())
            else:
                messages.success(
                    request,
                    _("%(action)s: %(name)s เรียบร้อย") % {"action": title, "name": municipality},
                )
                return HttpResponseRedirect(reverse("console:tenant_detail", args=[pk]))
        context = self._context(
            request, municipality=municipality, form=form, action_title=title, title=title
        )
        return render(request, "console/tenant_action.html", context)
