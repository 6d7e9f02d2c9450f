"""ภาพรวม: the first page after login, with what waits for this person today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from registers.choices import Direction, EntryStatus, LetterStatus, RegisterKind
from registers.models import Letter, RegisterEntry
from registers.selectors.letters import letters_visible_to
from registers.selectors.routing import overdue_assignments, tasks_for
from registers.views.access import nav_facts, page
from thaiformat.dates import BANGKOK


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    facts = nav_facts(request)
    today = timezone.localdate()
    start_of_day = dt.datetime.combine(today, dt.time(), tzinfo=BANGKOK)
    tasks = tasks_for(user, today=today)
    counts: dict[str, int] = {
        "tasks": tasks.count(),
        "overdue": overdue_assignments(user=user, today=today).count(),
    }
    intake: list[Letter] = []
    if facts["clerk"]:
        queue = letters_visible_to(
            user, Letter.objects.filter(direction=Direction.INCOMING, status=LetterStatus.INTAKE)
        )
        counts["intake"] = queue.count()
        intake = list(queue.order_by("-created_at")[:5])
        counts["drafts"] = Letter.objects.filter(
            direction=Direction.OUTGOING, status=LetterStatus.DRAFT
        ).count()
    if facts["overseer"]:
        counts["overdue_all"] = overdue_assignments(today=today).count()
        counts["received_today"] = RegisterEntry.objects.filter(
            register=RegisterKind.RECEIVE,
            status=EntryStatus.ACTIVE,
            registered_at__gte=start_of_day,
        ).count()
    context = {
        "section": "dashboard",
        "counts": counts,
        "intake": intake,
        "tasks": list(
            tasks.select_related("letter", "to_unit", "to_user", "assigned_by").order_by(
                "due_date", "assigned_at"
            )[:5]
        ),
        "roles": user.roles.all(),
        "today": today,
    }
    return page(request, "registers/dashboard.html", context)
