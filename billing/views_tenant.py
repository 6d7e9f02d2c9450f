"""The tenant admin's billing page at /staff/billing/: plan, status, invoices, Stripe's portal.

Reads go through billing.selectors only; the portal link is made on demand (POST, because it
opens a Stripe session) and the page stays reachable in every lifecycle state (payment).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing.errors import BillingError
from billing.selectors import billing_account_for, invoices_for
from registers.views.access import ADMINS, page, roles_required

INVOICES_SHOWN = 36  # three years of monthly invoices


@roles_required(ADMINS)
def billing_home(request: HttpRequest) -> HttpResponse:
    tenant: Any = request.tenant  # type: ignore[attr-defined]
    account = billing_account_for(municipality=tenant)
    invoices = list(invoices_for(municipality=tenant)[:INVOICES_SHOWN]) if account else []
    context = {
        "section": "billing",
        "tenant": tenant,
        "account": account,
        "invoices": invoices,
    }
    return page(request, "billing/home.html", context)


@require_POST
@roles_required(ADMINS)
def billing_portal(request: HttpRequest) -> HttpResponse:
    """Send the admin to Stripe's customer portal (payment methods, invoices, receipts)."""
    from billing.services import billing_portal_url

    tenant: Any = request.tenant  # type: ignore[attr-defined]
    return_url = request.build_absolute_uri(reverse("billing:home"))
    try:
        url = billing_portal_url(municipality=tenant, return_url=return_url)
    except BillingError as error:
        messages.error(request, error.text())
        return redirect("billing:home")
    return HttpResponseRedirect(url)
