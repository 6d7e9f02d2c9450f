"""Billing URLs of the apex (included under /billing/ by config.urls_public)."""

from django.urls import path

from billing import webhooks

app_name = "billing_public"

urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe-webhook"),
]
