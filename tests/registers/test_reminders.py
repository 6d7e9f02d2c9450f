"""The daily reminder e-mail: one per person with tasks due today or overdue, once a day."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from accounts.services import tenant_base_url
from registers.choices import Secrecy
from registers.models import Assignment, RegistrySettings
from registers.models.routing import ReminderRun
from registers.selectors.routing import bangkok_today
from registers.services import routing as routing_svc
from registers.tasks.reminders import reminders_send_daily
from tests.conftest import host_of
from tests.registers.helpers_routing import registered_letter, staff, unit_id
from thaiformat.dates import BANGKOK, format_thai_date

pytestmark = [pytest.mark.registers, pytest.mark.django_db]


def _at(hour: int) -> datetime:
    return datetime.combine(bangkok_today(), time(hour, 5), tzinfo=BANGKOK)


def _forward(clerk: Any, *, due_in_days: int, **kwargs: Any) -> Assignment:
    letter_kwargs = kwargs.pop("letter", {})
    assignment = routing_svc.letter_forward(
        letter=registered_letter(clerk, **letter_kwargs), actor=clerk, **kwargs
    )
    # Past due dates cannot be given when forwarding; set them as time would have passed.
    Assignment.objects.filter(pk=assignment.pk).update(
        due_date=bangkok_today() + timedelta(days=due_in_days)
    )
    assignment.refresh_from_db()
    return assignment


@pytest.fixture
def people(in_alpha: Any, clerk: Any) -> dict[str, Any]:
    return {
        "late": staff(in_alpha, "late", unit="finance", first_name="มานะ", email="late@a.example"),
        "engineer": staff(in_alpha, "eng", unit="engineering", email="eng@a.example"),
        "later": staff(in_alpha, "later", unit="education", email="later@a.example"),
        "stand_in": staff(in_alpha, "standin", unit="education", email="standin@a.example"),
        "no_mail": staff(in_alpha, "nomail", unit="finance", email=""),
    }


def test_one_mail_per_person_with_due_or_overdue_tasks(
    in_alpha: Any, clerk: Any, people: dict[str, Any]
) -> None:
    late = _forward(
        clerk,
        due_in_days=-3,
        to_user_id=people["late"].pk,
        instruction="รายงานผลภายในสัปดาห์",
        letter={"subject": "ขอข้อมูลงบประมาณ"},
    )
    secret = _forward(
        clerk,
        due_in_days=0,
        to_user_id=people["late"].pk,
        letter={"secrecy": Secrecy.CONFIDENTIAL, "subject": "เรื่องลับเฉพาะ"},
        instruction="คำสั่งลับ",
    )
    today_unit = _forward(clerk, due_in_days=0, to_unit_id=unit_id("engineering"))
    _forward(clerk, due_in_days=1, to_user_id=people["later"].pk)  # due tomorrow: no mail yet
    finished = _forward(clerk, due_in_days=-1, to_user_id=people["later"].pk)
    routing_svc.assignment_complete(assignment=finished, actor=people["later"])
    today = bangkok_today()
    routing_svc.delegation_create(
        actor=people["late"],
        delegator=people["late"],
        delegate=people["stand_in"],
        starts_on=today,
        ends_on=today,
    )

    result = reminders_send_daily(now=_at(8))

    by_address = {message.to[0]: message for message in mail.outbox}
    # The engineer via the unit, the person late, and who stands in for them; never the rest.
    assert sorted(by_address) == ["eng@a.example", "late@a.example", "standin@a.example"]
    assert len(mail.outbox) == 3 == result["sent"]
    base = tenant_base_url(host_of(in_alpha))
    assert base.startswith("http://alpha.")

    message = by_address["late@a.example"]
    assert message.subject == "[เทศบาลตำบลอัลฟา] งานครบกำหนดและเรื่องค้าง 2 เรื่อง"
    body = str(message.body)
    assert late.due_date is not None
    assert "เรียน มานะ" in body
    assert "ขอข้อมูลงบประมาณ" in body and "เลยกำหนด 3 วัน" in body
    assert f"กำหนดเสร็จ {format_thai_date(late.due_date)}" in body
    assert "รายงานผลภายในสัปดาห์" in body
    assert f"{base}/staff/letters/{late.letter_id}/" in body
    assert f"{base}/staff/tasks/" in body
    # A classified letter shows only that it exists: no subject, no instruction in the mail.
    assert f"{base}/staff/letters/{secret.letter_id}/" in body
    assert "เรื่องลับเฉพาะ" not in body and "คำสั่งลับ" not in body
    assert "หนังสือชั้นความลับ (ลับ)" in body
    assert "ครบกำหนดวันนี้" in body

    engineer_body = str(by_address["eng@a.example"].body)
    assert f"/staff/letters/{today_unit.letter_id}/" in engineer_body
    assert "ครบกำหนดวันนี้" in engineer_body

    stand_in_body = str(by_address["standin@a.example"].body)
    assert "ปฏิบัติหน้าที่แทน มานะ" in stand_in_body
    assert "ขอข้อมูลงบประมาณ" in stand_in_body
    # The stand-in was not named on the classified letter: it is not in their mail.
    assert f"/staff/letters/{secret.letter_id}/" not in stand_in_body


def test_once_a_day_at_the_municipality_hour(clerk: Any, people: dict[str, Any]) -> None:
    _forward(clerk, due_in_days=0, to_user_id=people["late"].pk)
    RegistrySettings.objects.update_or_create(pk=1, defaults={"reminder_hour": 10})

    early = reminders_send_daily(now=_at(9))
    assert early["sent"] == 0 and not mail.outbox
    assert not ReminderRun.objects.exists()

    assert reminders_send_daily(now=_at(10))["sent"] == 1
    assert reminders_send_daily(now=_at(11))["sent"] == 0  # beat runs hourly: once is enough
    assert len(mail.outbox) == 1
    run = ReminderRun.objects.get()
    assert run.day == bangkok_today() and run.recipients == 1

    assert reminders_send_daily(now=_at(11), force=True)["sent"] == 1
    assert len(mail.outbox) == 2


def test_nobody_with_nothing_due_gets_mail(clerk: Any, people: dict[str, Any]) -> None:
    _forward(clerk, due_in_days=2, to_user_id=people["late"].pk)
    _forward(clerk, due_in_days=-1, to_user_id=people["no_mail"].pk)  # has no address
    assert reminders_send_daily(now=_at(8))["sent"] == 0
    assert mail.outbox == []


def test_beat_runs_the_reminders_in_every_municipality() -> None:
    from celery.schedules import crontab

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-daily-reminders"]
    assert entry["task"] == "tenants.tasks.fan_out"
    assert entry["args"] == ["registers.tasks.reminders.send_daily_reminders"]
    assert entry["schedule"] == crontab(minute=0)  # hourly, read in Bangkok time
    assert settings.CELERY_TIMEZONE == "Asia/Bangkok"
    assert "registers.tasks.reminders.send_daily_reminders" in app.tasks
