"""Billing's onboarding step (listed in settings.ONBOARDING_EXTRA_STEPS)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tenants.models import Municipality
from tenants.onboarding import Step


def _run(municipality: Municipality) -> None:
    # Never raises for Stripe being down: the account stays "pending" and the beat task
    # billing.tasks.retry_pending_accounts completes it, so onboarding itself finishes.
    from billing.services import billing_account_create_for

    billing_account_create_for(municipality=municipality)


step_billing = Step("billing", _("เปิดบัญชีเรียกเก็บเงินและช่วงทดลองใช้"), _run)
