"""The command line uses the same onboarding service as the console."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tenants import onboarding
from tenants.models import Municipality, OnboardingStatus

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]

ARGS = [
    "--name-th", "เทศบาลตำบลบรรทัดคำสั่ง", "--type", "subdistrict_municipality",
    "--province", "Chiang Mai", "--slug", "cli-town", "--letter-code", "ชม 72309",
    "--officer-name", "นายคำสั่ง ทดสอบ", "--officer-phone", "053-111-222",
    "--admin-email", "admin@cli.example",
]  # fmt: skip


def test_onboard_from_the_command_line_prints_each_step() -> None:
    out = StringIO()
    call_command("onboard_municipality", *ARGS, stdout=out)
    municipality = Municipality.objects.get(slug="cli-town")
    assert municipality.onboarding_status == OnboardingStatus.DONE
    assert municipality.province == "เชียงใหม่"  # English province names are accepted
    text = out.getvalue()
    total = len(onboarding.pipeline())
    assert f"[1/{total}]" in text and f"[{total}/{total}]" in text
    assert "Email the invitation" in text


def test_command_line_errors_are_bilingual() -> None:
    bad = [*ARGS]
    bad[bad.index("cli-town")] = "www"
    with pytest.raises(CommandError) as caught:
        call_command("onboard_municipality", *bad, stdout=StringIO())
    message = str(caught.value)
    assert "สงวนไว้" in message and "reserved" in message
    assert not Municipality.objects.filter(slug="www").exists()


def test_archive_from_the_command_line() -> None:
    call_command("onboard_municipality", *ARGS, stdout=StringIO())
    call_command("archive_municipality", "cli-town", "--reason", "ทดสอบ", stdout=StringIO())
    assert Municipality.objects.get(slug="cli-town").state == "archived"
