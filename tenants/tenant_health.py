"""Reads for one municipality's console page: mail and DNS health per record, last backup per
region, billing, usage (from TenantUsage, never its schema), and a combined feed of recent
errors and of what vendor staff did (who and why)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from tenants.models import ConsoleAction, Municipality, OnboardingStatus, TenantUsage

FEED_LIMIT = 30


@dataclasses.dataclass(frozen=True)
class FeedEntry:
    at: dt.datetime | None
    source: str  # onboarding | dns | backup | restore | billing
    source_label: str
    text: str


@dataclasses.dataclass(frozen=True)
class MailDomainHealth:
    domain: Any  # mailhosting.models.MailDomain
    records: list[tuple[Any, Any]]  # (expected DnsRecord, DnsRecordState | None)


@dataclasses.dataclass(frozen=True)
class TenantHealth:
    municipality: Municipality
    mail: list[MailDomainHealth]
    backups: Any  # tenants.backups.selectors.TenantBackupState
    billing_account: Any  # billing.models.BillingAccount | None
    billing_banner: Any  # billing.selectors.BillingBanner | None
    usage: TenantUsage | None
    errors: list[FeedEntry]
    actions: list[ConsoleAction]
    restores: list[Any]  # tenants.backups.models.RestoreRecord


def _mail(municipality: Municipality) -> list[MailDomainHealth]:
    from mailhosting.selectors import mail_domains_of, records_with_state

    return [
        MailDomainHealth(domain, records_with_state(domain=domain))
        for domain in mail_domains_of(municipality=municipality)
    ]


def recent_errors(municipality: Municipality, account: Any = None) -> list[FeedEntry]:
    """Failed onboarding steps, DNS breakages, failed backups and restores, Stripe events that
    failed to apply and a failing Stripe sync, newest first."""
    from billing.selectors import webhook_failures_of
    from mailhosting.selectors import dns_breakages_of
    from tenants.backups.models import RestoreRecord, RestoreStatus
    from tenants.backups.selectors import failed_backups_of

    feed: list[FeedEntry] = []
    for step in municipality.onboarding_steps.filter(status=OnboardingStatus.FAILED):
        feed.append(
            FeedEntry(
                step.started_at,
                "onboarding",
                str(_("การเริ่มใช้งาน")),
                f"{step.name}: {step.last_error}",
            )
        )
    for event in dns_breakages_of(municipality=municipality):
        feed.append(
            FeedEntry(
                event.at,
                "dns",
                str(_("DNS")),
                f"{event.name} ({event.purpose}): {event.from_status or '-'} → {event.to_status}"
                + (f" {event.detail}" if event.detail else ""),
            )
        )
    for backup in failed_backups_of(municipality=municipality):
        failed = [
            f"{c.region}: {c.last_error}" for c in backup.copies.all() if c.status == "failed"
        ]
        feed.append(
            FeedEntry(
                backup.created_at,
                "backup",
                str(_("ข้อมูลสำรอง")),
                "; ".join([f"#{backup.pk} {backup.error}".strip(), *failed]),
            )
        )
    for restore in RestoreRecord.objects.filter(
        municipality=municipality, status=RestoreStatus.FAILED
    ).order_by("-started_at")[:10]:
        feed.append(FeedEntry(restore.started_at, "restore", str(_("การกู้คืน")), restore.error))
    for webhook in webhook_failures_of(municipality=municipality):
        feed.append(
            FeedEntry(
                webhook.received_at,
                "billing",
                str(_("การเรียกเก็บเงิน")),
                f"{webhook.type}: {webhook.last_error}",
            )
        )
    if account is not None and account.sync_error:
        feed.append(
            FeedEntry(
                account.updated_at,
                "billing",
                str(_("การเรียกเก็บเงิน")),
                f"Stripe: {account.sync_error}",
            )
        )
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    feed.sort(key=lambda entry: entry.at or oldest, reverse=True)
    return feed[:FEED_LIMIT]


def tenant_health(municipality: Municipality) -> TenantHealth:
    from billing.selectors import billing_account_for, billing_banner_for
    from tenants.backups.models import RestoreRecord
    from tenants.backups.selectors import tenant_backup_state

    account = billing_account_for(municipality=municipality)
    return TenantHealth(
        municipality=municipality,
        mail=_mail(municipality),
        backups=tenant_backup_state(municipality),
        billing_account=account,
        billing_banner=billing_banner_for(municipality=municipality),
        usage=TenantUsage.objects.filter(municipality=municipality).first(),
        errors=recent_errors(municipality, account),
        actions=list(ConsoleAction.objects.filter(municipality=municipality)[:FEED_LIMIT]),
        restores=list(
            RestoreRecord.objects.filter(municipality=municipality).order_by("-started_at")[:10]
        ),
    )
