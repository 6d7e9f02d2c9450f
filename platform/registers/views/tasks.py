"""งานของฉัน, เรื่องค้าง and มอบหมายปฏิบัติแทน (delegation while someone is away)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import OrgUnit
from registers.errors import RegistersError
from registers.forms import DelegationForm, NoteForm
from registers.models import Delegation
from registers.selectors.routing import overdue_assignments, tasks_for
from registers.services.routing import delegation_create, delegation_revoke
from registers.views.access import ADMINS, OVERSEERS, has_any, page

PAGE_SIZE = 50
TASK_RELATED = ("letter", "to_unit", "to_user", "assigned_by")


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    tasks = (
        tasks_for(user, today=today)
        .select_related(*TASK_RELATED)
        .order_by("due_date", "assigned_at", "pk")
    )
    page_obj = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    acting_for = (
        Delegation.objects.filter(
            delegate=user,
            revoked_at__isnull=True,
            starts_on__lte=today,
            ends_on__gte=today,
        )
        .select_related("delegator")
        .order_by("ends_on")
    )
    context = {
        "section": "tasks",
        "page_obj": page_obj,
        "tasks": page_obj.object_list,
        "today": today,
        "acting_for": list(acting_for),
        "done_form": NoteForm(prefix="done"),
    }
    return page(request, "registers/my_tasks.html", context)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Overseers see every overdue task (by unit if chosen); others see their own."""
    today = timezone.localdate()
    everyone = has_any(request, OVERSEERS) and request.GET.get("mine") != "1"
    unit_id: int | None = None
    if everyone and (request.GET.get("unit") or "").isdigit():
        unit_id = int(request.GET["unit"])
    tasks = overdue_assignments(
        user=None if everyone else request.user, unit_id=unit_id, today=today
    ).select_related(*TASK_RELATED)
    page_obj = Paginator(tasks.order_by("due_date", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "section": "overdue",
        "page_obj": page_obj,
        "tasks": page_obj.object_list,
        "today": today,
        "everyone": everyone,
        "units": OrgUnit.objects.filter(is_active=True) if everyone else [],
        "unit_id": unit_id,
        "done_form": NoteForm(prefix="done"),
    }
    return page(request, "registers/overdue.html", context)


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    """มอบหมายปฏิบัติแทน: name who acts on my tasks while I am away."""
    user: Any = request.user
    form = DelegationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation_create(
                actor=user,
                delegator=user,
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, _("บันทึกการมอบหมายปฏิบัติแทนแล้ว"))
            return redirect("registers:delegations")
    rows = (
        Delegation.objects.filter(Q(delegator=user) | Q(delegate=user))
        .select_related("delegator", "delegate")
        .order_by("-starts_on", "-pk")[:100]
    )
    context = {
        "section": "tasks",
        "form": form,
        "delegations": list(rows),
        "today": timezone.localdate(),
    }
    return page(request, "registers/delegations.html", context)


@require_POST
@login_required
def delegation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    mine = Delegation.objects.filter(delegator=user)
    delegation = get_object_or_404(
        Delegation.objects.all() if has_any(request, ADMINS) else mine, pk=pk
    )
    try:
        delegation_revoke(delegation=delegation, actor=request.user)
    except RegistersError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("ยกเลิกการมอบหมายแล้ว"))
    return redirect("registers:delegations")
