"""Refusals of the billing services, each with a message in Thai and in English."""

from __future__ import annotations

from thaiformat.bilingual import BilingualError


class BillingError(BilingualError):
    """A refusal of the billing services (Thai / English, see thaiformat.bilingual)."""


class BillingOff(BillingError):
    """STRIPE_SECRET_KEY is empty: there is no Stripe to talk to."""


class StripeUnavailable(BillingError):
    """Stripe could not be reached or refused the request."""


class InvalidOverride(BillingError):
    """A manual override is missing its reason or does not fit the account."""
