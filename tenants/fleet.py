"""Reads for the console's fleet overview: counts by lifecycle state and by health, and what
needs attention today. Every count is one aggregate query, whatever the size of the fleet."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.models import LifecycleState, Municipality, OnboardingStatus
from tenants.selectors import municipalities_tenants

# An onboarding that has not finished this long after it was registered is stuck.
ONBOARDING_STUCK_AFTER = dt.timedelta(minutes=30)
# How many entries of each kind the attention list shows (the count says how many there are).
ATTENTION_LIMIT = 25


@dataclasses.dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclasses.dataclass(frozen=True)
class HealthCounts:
    dns_failing: int
    backups_stale: int
    billing_overdue: int
    onboarding_stuck: int


@dataclasses.dataclass(frozen=True)
class AttentionItem:
    municipality: Municipality
    detail: str
    since: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class AttentionGroup:
    kind: str
    title: Promise
    count: int
    items: list[AttentionItem]


def onboarding_stuck(now: dt.datetime | None = None) -> QuerySet[Municipality]:
    """Onboardings that failed, or that are still not done well after they started."""
    now = now or timezone.now()
    return (
        municipalities_tenants()
        .exclude(onboarding_status=OnboardingStatus.DONE)
        .filter(
            Q(onboarding_status=OnboardingStatus.FAILED)
            | Q(created_at__lt=now - ONBOARDING_STUCK_AFTER)
        )
    )


def counts_by_state() -> list[StateCount]:
    found = dict(municipalities_tenants().values_list("state").annotate(n=Count("pk")).order_by())
    return [StateCount(s.value, str(s.label), int(found.get(s.value, 0))) for s in LifecycleState]


def _dns_failing_ids() -> Any:
    from mailhosting.selectors import municipality_ids_with_dns_failing

    return municipality_ids_with_dns_failing()


def health_counts(now: dt.datetime | None = None) -> HealthCounts:
    from billing.selectors import accounts_overdue
    from tenants.backups.selectors import stale_municipalities

    now = now or timezone.now()
    return HealthCounts(
        dns_failing=municipalities_tenants().filter(pk__in=_dns_failing_ids()).count(),
        backups_stale=stale_municipalities(now).count(),
        billing_overdue=accounts_overdue().count(),
        onboarding_stuck=onboarding_stuck(now).count(),
    )


def _failed_step_details(municipalities: list[Municipality]) -> dict[int, str]:
    from tenants.models import OnboardingStep

    rows = OnboardingStep.objects.filter(
        municipality__in=municipalities, status=OnboardingStatus.FAILED
    ).values_list("municipality_id", "name", "last_error")
    return {pk: f"{name}: {error}"[:200] for pk, name, error in rows}


def attention_today(
    now: dt.datetime | None = None, counts: HealthCounts | None = None
) -> list[AttentionGroup]:
    """What vendor staff should look at today, most urgent kind first; a bounded number of
    queries, each limited to ATTENTION_LIMIT rows. ``counts`` (from health_counts at the same
    ``now``) saves counting again."""
    from billing.selectors import accounts_overdue, webhook_failures_since
    from mailhosting.selectors import domains_failing
    from tenants.backups.selectors import stale_municipalities

    now = now or timezone.now()
    counts = counts or health_counts(now)
    groups: list[AttentionGroup] = []

    stuck_qs = onboarding_stuck(now).order_by("created_at")
    stuck = list(stuck_qs[:ATTENTION_LIMIT])
    errors = _failed_step_details(stuck)
    groups.append(
        AttentionGroup(
            "onboarding",
            _("การเริ่มใช้งานค้างหรือล้มเหลว"),
            counts.onboarding_stuck,
            [
                AttentionItem(
                    m, errors.get(m.pk, str(m.get_onboarding_status_display())), m.created_at
                )
                for m in stuck
            ],
        )
    )

    failing_qs = domains_failing()
    groups.append(
        AttentionGroup(
            "dns",
            _("DNS ของโดเมนอีเมลไม่ถูกต้อง"),
            counts.dns_failing,
            [
                AttentionItem(d.municipality, d.name, d.last_checked_at)
                for d in failing_qs[:ATTENTION_LIMIT]
            ],
        )
    )

    stale_qs = stale_municipalities(now).order_by("name_th")
    groups.append(
        AttentionGroup(
            "backups",
            _("ข้อมูลสำรองเก่ากว่ากำหนด"),
            counts.backups_stale,
            [AttentionItem(m, "", None) for m in stale_qs[:ATTENTION_LIMIT]],
        )
    )

    overdue_qs = accounts_overdue()
    groups.append(
        AttentionGroup(
            "billing",
            _("ค้างชำระค่าบริการ"),
            counts.billing_overdue,
            [
                AttentionItem(a.municipality, f"{a.amount_due_satang / 100:,.2f}", a.past_due_since)
                for a in overdue_qs[:ATTENTION_LIMIT]
            ],
        )
    )

    webhooks = webhook_failures_since(now - dt.timedelta(days=1))
    groups.append(
        AttentionGroup(
            "webhooks", _("เหตุการณ์จาก Stripe ที่ประมวลผลไม่สำเร็จ (24 ชม.)"), webhooks.count(), []
        )
    )
    return groups
