"""The console's home: counts by lifecycle state and by health, and what needs attention today,
from aggregate queries whose number does not grow with the fleet."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.models import Municipality, OnboardingStep

pytestmark = [pytest.mark.portal, pytest.mark.django_db]

_serial = itertools.count(1)


def _municipality(*, state: str = "active", onboarding: str = "done", age_hours: float = 0) -> Any:
    """A registry row only (no schema): the overview reads the control plane, never schemas."""
    n = next(_serial)
    municipality = Municipality.objects.create(
        schema_name=f"t_fleet{n}",
        slug=f"fleet{n}",
        name_th=f"เทศบาลตำบลฟลีท {n}",
        organisation_type="subdistrict_municipality",
        province="ลำปาง",
        letter_code_prefix="ลป 72301",
        officer_name="นายทดสอบ",
        officer_phone="054123456",
        admin_email=f"admin@fleet{n}.example",
        state=state,
        onboarding_status=onboarding,
    )
    if age_hours:
        created = timezone.now() - dt.timedelta(hours=age_hours)
        Municipality.objects.filter(pk=municipality.pk).update(created_at=created)
        municipality.created_at = created
    return municipality


def _dns_failing(municipality: Any) -> None:
    from mailhosting.models import MailDomain

    MailDomain.objects.create(
        municipality=municipality,
        name=f"{municipality.slug}.go.th",
        kind="own",
        status="failing",
        ownership_token="t",
    )


def _fresh_backup(municipality: Any) -> None:
    from tenants.backups.models import BackupCopy, TenantBackup
    from tenants.backups.regions import configured_regions

    backup = TenantBackup.objects.create(municipality=municipality, status="complete")
    for region in configured_regions():
        BackupCopy.objects.create(backup=backup, region=region, status="complete")


def _failed_onboarding(age_hours: float = 0) -> Any:
    municipality = _municipality(state="trial", onboarding="failed", age_hours=age_hours)
    OnboardingStep.objects.create(
        municipality=municipality,
        name="invitation",
        position=5,
        status="failed",
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    return municipality


def _counts(page: str, attribute: str) -> dict[str, int]:
    found = re.findall(
        rf'{attribute}="([a-z_]+)"><a [^>]*><span class="console-count" data-count>(\d+)<', page
    )
    return {key: int(value) for key, value in found}


def _overview(console: Client) -> str:
    response = console.get("/console/")
    assert response.status_code == 200
    return response.content.decode()


def _problems(count: int) -> list[Any]:
    """``count`` of each problem the overview counts, plus healthy rows around them."""
    from tests.billing.helpers_billing_ui import account_create

    made = []
    for _ in range(count):
        made.append(_municipality(state="suspended"))
        dns = _municipality(age_hours=1)
        _dns_failing(dns)
        made.append(dns)
        made.append(_municipality(age_hours=72))  # no backup for three days: stale
        fresh = _municipality(age_hours=72)
        _fresh_backup(fresh)  # a good copy in every region today: not stale
        made.append(fresh)
        overdue = _municipality(state="grace")
        account_create(overdue, past_due_days=9)
        made.append(overdue)
        made.append(_failed_onboarding())
        made.append(_municipality(state="trial", onboarding="running", age_hours=2))  # stuck
        made.append(_municipality(state="trial", onboarding="running"))  # just started
    return made


def test_counts_by_state_and_by_health(console: Client) -> None:
    before = _overview(console)
    states0, health0 = _counts(before, "data-state"), _counts(before, "data-health")

    _problems(2)
    page = _overview(console)
    states, health = _counts(page, "data-state"), _counts(page, "data-health")
    assert states["suspended"] - states0["suspended"] == 2
    assert states["grace"] - states0["grace"] == 2
    assert states["trial"] - states0["trial"] == 6
    assert states["active"] - states0["active"] == 6
    assert health["dns"] - health0["dns"] == 2
    assert health["backups"] - health0["backups"] == 2
    assert health["billing"] - health0["billing"] == 2
    assert health["onboarding"] - health0["onboarding"] == 4  # failed, and running for 2 hours
    total = sum(states.values())
    assert total == Municipality.objects.exclude(schema_name="public").count()
    assert f"หน่วยงานทั้งหมด {total} แห่ง" in page


def test_attention_today_lists_each_problem_with_a_link(console: Client) -> None:
    made = _problems(1)
    page = _overview(console)
    failed = next(m for m in made if m.onboarding_status == "failed")
    assert f"/console/onboard/{failed.pk}/" in page
    assert "ConnectionRefusedError" in page  # the failed step's error
    overdue = next(m for m in made if m.state == "grace")
    dns = next(m for m in made if m.mail_domains.exists())
    for municipality in (overdue, dns):
        assert f"/console/tenant/{municipality.pk}/" in page
    for kind in ("onboarding", "dns", "backups", "billing"):
        assert f'data-attention="{kind}"' in page
    # The healthy rows are not listed.
    fresh = [m for m in made if m.backups.exists()]
    assert fresh and all(f'/console/tenant/{m.pk}/"' not in page for m in fresh)


def test_the_overview_costs_the_same_queries_for_ten_times_the_fleet(console: Client) -> None:
    _problems(1)
    with CaptureQueriesContext(connection) as small:
        _overview(console)
    _problems(10)
    with CaptureQueriesContext(connection) as large:
        page = _overview(console)
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"][:120] for q in large.captured_queries
    ]
    health = _counts(page, "data-health")
    assert health["dns"] >= 11
    assert f"DNS ของโดเมนอีเมลไม่ถูกต้อง ({health['dns']})" in page


def test_an_empty_day_says_so(console: Client) -> None:
    page = _overview(console)
    health = _counts(page, "data-health")
    if not any(health.values()):
        assert "ไม่มีเรื่องที่ต้องดูแลในวันนี้" in page
    else:  # other committed tenants of the session may need attention: then it is listed
        assert "สิ่งที่ต้องดูแลวันนี้" in page
