"""The only door to Stripe: one ``StripeClient`` built from settings, and webhook verification.

Billing is off while ``STRIPE_SECRET_KEY`` is empty (tenants stay on trial). ``STRIPE_API_BASE``
points the client at another server (the tests' local stub of Stripe's API).
"""

from __future__ import annotations

import json
from typing import Any

import stripe
from django.conf import settings

__all__ = [
    "InvalidRequestError",
    "SignatureInvalid",
    "StripeError",
    "client",
    "enabled",
    "is_transient",
    "to_dict",
    "verify_event",
]

StripeError = stripe.StripeError
InvalidRequestError = stripe.InvalidRequestError

# A Stripe call made while a request or onboarding waits must not hang for Stripe's 80 s default.
_TIMEOUT_SECONDS = 20

_cached: tuple[tuple[str, str, int], stripe.StripeClient] | None = None


class SignatureInvalid(Exception):
    """The Stripe-Signature header does not match the payload (or the payload is not an event)."""


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    """The process's client for the current settings (rebuilt when they change, as in tests)."""
    global _cached
    key = (
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )
    if not key[0]:
        raise RuntimeError("billing is off: STRIPE_SECRET_KEY is empty")
    if _cached is None or _cached[0] != key:
        base_addresses: dict[str, str | None] = {}
        if settings.STRIPE_API_BASE:
            base_addresses = {"api": settings.STRIPE_API_BASE.rstrip("/")}
        _cached = (
            key,
            stripe.StripeClient(
                key[0],
                base_addresses=base_addresses,  # type: ignore[arg-type]
                max_network_retries=key[2],
                http_client=stripe.new_default_http_client(timeout=_TIMEOUT_SECONDS),
            ),
        )
    return _cached[1]


def is_transient(error: BaseException) -> bool:
    """Worth retrying later: Stripe unreachable, overloaded or failing on its side."""
    if isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError)):
        return True
    status = getattr(error, "http_status", None)
    return isinstance(error, stripe.APIError) or (isinstance(status, int) and status >= 500)


def to_dict(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain JSON data (webhook payloads and API answers share one shape)."""
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict()
    return dict(obj)


def verify_event(payload: bytes, signature: str) -> dict[str, Any]:
    """The event in ``payload`` after checking its signature the way Stripe documents it."""
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except stripe.SignatureVerificationError as exc:
        raise SignatureInvalid(str(exc)) from exc
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise SignatureInvalid(f"payload is not JSON: {exc}") from exc
    if not isinstance(event, dict) or event.get("object") != "event" or not event.get("id"):
        raise SignatureInvalid("payload is not a Stripe event")
    return event
