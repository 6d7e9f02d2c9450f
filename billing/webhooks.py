"""Stripe's webhook endpoint at the apex. Thin: the service verifies, de-duplicates and applies."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.services import billing_webhook_process


@csrf_exempt  # Stripe signs the body instead; there is no browser session here
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    outcome = billing_webhook_process(
        payload=request.body, signature=request.headers.get("Stripe-Signature", "")
    )
    return JsonResponse(
        {"status": outcome.status, "event": outcome.event_id, "detail": outcome.detail},
        status=outcome.http_status,
    )
