"""The tenant admin's mail page: the municipality's addresses and the DNS records to publish."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from mailhosting.selectors import mail_domains_of, records_with_state
from registers.views.access import ADMINS, page, roles_required


@roles_required(ADMINS)
def mail_settings(request: HttpRequest) -> HttpResponse:
    # Tenant-plane code reaches the control plane through mailhosting.selectors only.
    domains = [
        {
            "domain": domain,
            "records": records_with_state(domain=domain),
            "mailboxes": domain.mailboxes.order_by("kind", "local_part"),
        }
        for domain in mail_domains_of(municipality=request.tenant)  # type: ignore[attr-defined]
    ]
    return page(request, "mailhosting/settings.html", {"section": "mail", "domains": domains})
