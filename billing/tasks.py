"""Billing's periodic work (Celery beat, control plane). Thin: each task calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import Q

from billing import services, stripe_gateway
from billing.models import BillingAccount, SyncStatus
from tenants import selectors as tenant_selectors
from tenants.models import LifecycleState, OnboardingStatus

logger = logging.getLogger(__name__)


@shared_task
def apply_lifecycle() -> dict[str, str]:
    """Daily: grace -> read-only -> suspended as time passes; one failure never stops the rest."""
    outcome: dict[str, str] = {}
    accounts = BillingAccount.objects.select_related("municipality").exclude(
        municipality__state=LifecycleState.ARCHIVED
    )
    for account in accounts:
        try:
            municipality = services.billing_apply_lifecycle(account=account)
            outcome[account.municipality.slug] = municipality.state
        except Exception:
            logger.exception("billing lifecycle of %s failed", account.municipality.slug)
            outcome[account.municipality.slug] = "error"
    return outcome


@shared_task
def retry_pending_accounts() -> dict[str, str]:
    """Finish billing accounts that could not reach Stripe (and give onboarded municipalities
    without one an account, e.g. after billing was switched on)."""
    outcome: dict[str, str] = {}
    if not stripe_gateway.enabled():
        return outcome
    for account in BillingAccount.objects.select_related("municipality", "plan").filter(
        ~Q(sync_status=SyncStatus.OK)
    ):
        outcome[account.municipality.slug] = services.billing_account_sync(
            account=account
        ).sync_status
    without = (
        tenant_selectors.municipalities_tenants()
        .filter(onboarding_status=OnboardingStatus.DONE, billing_account__isnull=True)
        .exclude(state=LifecycleState.ARCHIVED)
    )
    for municipality in without:
        created = services.billing_account_create_for(municipality=municipality)
        outcome[municipality.slug] = created.sync_status if created else "off"
    return outcome
