"""The daily reminder: one e-mail per person whose open tasks are due today or overdue.

Beat fans the task out to every municipality each hour (tenants.tasks.fan_out); each one mails
at its own hour (RegistrySettings.reminder_hour, Bangkok time, 08:00 by default) or at the first
run after it, and only once a day: the day's ReminderRun row is the guard.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, datetime
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import tenant_base_url
from registers.agency import current_agency
from registers.models import Assignment
from registers.models.routing import ReminderRun
from registers.selectors.routing import (
    OPEN_STATUSES,
    assignment_acting_for,
    delegations_active,
    tasks_for,
)
from registers.selectors.settings import registry_settings
from tenants.db import tenant_connection
from thaiformat.dates import BANGKOK, format_thai_date

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReminderLine:
    title: str
    due: str
    days_late: int
    on_behalf_of: str
    instruction: str
    link: str


def _site_host() -> str:
    tenant: Any = tenant_connection.tenant
    domain = tenant.get_primary_domain()
    if domain is None:
        return f"{current_agency().slug}.{settings.PLATFORM_DOMAIN}"
    return str(domain.domain)


def _link(base: str, name: str, *args: Any) -> str:
    try:
        path = reverse(f"registers:{name}", args=args, urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:  # the page is not mounted: the staff home still leads there
        logger.warning("reminder link %s has no URL; linking the staff home instead", name)
        path = "/staff/"
    return f"{base}{path}"


def _people_with_due_tasks(today: date) -> list[User]:
    """Addressees of open assignments due by ``today``, members of addressed units, and the
    people acting for any of them today."""
    due = Assignment.objects.filter(status__in=OPEN_STATUSES, due_date__lte=today)
    ids = set(due.exclude(to_user=None).values_list("to_user_id", flat=True))
    unit_ids = due.exclude(to_unit=None).values("to_unit_id")
    ids |= set(User.objects.filter(org_unit_id__in=unit_ids).values_list("pk", flat=True))
    ids |= set(
        delegations_active(today=today)
        .filter(delegator_id__in=ids)
        .values_list("delegate_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk"))


def _line(assignment: Assignment, user: User, today: date, base: str) -> ReminderLine:
    letter = assignment.letter
    assert assignment.due_date is not None
    if letter.is_restricted:
        # The e-mail leaves the system: a classified letter shows only that it exists.
        title = _("%(reference)s หนังสือชั้นความลับ (%(secrecy)s) โปรดเปิดดูในระบบ") % {
            "reference": letter.reference,
            "secrecy": letter.get_secrecy_display(),
        }
        instruction = ""
    else:
        title = " ".join(part for part in (letter.reference, _("เรื่อง"), letter.subject) if part)
        instruction = assignment.instruction
    acting_for = assignment_acting_for(assignment, user, today=today)
    on_behalf_of = str(acting_for) if acting_for is not None and acting_for.pk != user.pk else ""
    return ReminderLine(
        title=title.strip(),
        due=format_thai_date(assignment.due_date),
        days_late=(today - assignment.due_date).days,
        on_behalf_of=on_behalf_of,
        instruction=instruction,
        link=_link(base, "letter-detail", letter.pk),
    )


def _message(user: User, lines: list[ReminderLine], base: str, agency_name: str) -> EmailMessage:
    context = {
        "name": user.get_full_name() or user.username,
        "agency_name": agency_name,
        "lines": lines,
        "count": len(lines),
        "overdue": sum(1 for line in lines if line.days_late > 0),
        "tasks_link": _link(base, "my-tasks"),
    }
    subject = _("[%(agency)s] งานครบกำหนดและเรื่องค้าง %(count)s เรื่อง") % {
        "agency": agency_name,
        "count": len(lines),
    }
    body = render_to_string("registers/email/reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def reminders_send_daily(*, force: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Mail today's reminders of this municipality once (``force`` sends again, at any hour)."""
    local = (now or timezone.now()).astimezone(BANGKOK)
    today = local.date()
    result: dict[str, Any] = {"schema": tenant_connection.schema_name, "day": today.isoformat()}
    if not force and local.hour < registry_settings().reminder_hour:
        return {**result, "sent": 0, "skipped": "before the reminder hour"}
    with transaction.atomic():
        # Held until commit: a second run the same day waits here, then finds the row.
        run, created = ReminderRun.objects.get_or_create(day=today)
        if not created and not force:
            return {**result, "sent": 0, "skipped": "already sent today"}
        base = tenant_base_url(_site_host())
        agency = current_agency()
        sent = failed = 0
        with translation.override("th"), get_connection() as mail:
            for user in _people_with_due_tasks(today):
                tasks = tasks_for(user, today=today).filter(due_date__lte=today)
                lines = [_line(assignment, user, today, base) for assignment in tasks]
                if not lines:
                    continue
                message = _message(user, lines, base, agency.name_th)
                message.connection = mail
                try:
                    message.send()
                    sent += 1
                except Exception:  # one bad address must not stop everyone else's reminder
                    logger.exception("daily reminder to user %s failed", user.pk)
                    failed += 1
        run.recipients = sent
        run.failures = failed
        run.save(update_fields=["recipients", "failures"])
    return {**result, "sent": sent, "failed": failed}


@shared_task
def send_daily_reminders(force: bool = False) -> dict[str, Any]:
    return reminders_send_daily(force=force)
