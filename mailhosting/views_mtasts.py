"""The MTA-STS policy (RFC 8461) of every mail domain, at https://mta-sts.<domain>/.

The routing middleware sends every `mta-sts.*` host here before it looks for a tenant: the
name belongs to a mail domain, not to a municipality's web site. The TXT record's id
(dns_records.mta_sts_policy_id) is a hash of this very text, so the two cannot disagree.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from mailhosting.dns_records import mta_sts_policy
from mailhosting.models import MailDomain
from tenants.models import LifecycleState

HOST_PREFIX = "mta-sts."
POLICY_PATH = "/.well-known/mta-sts.txt"


def is_mta_sts_host(hostname: str) -> bool:
    return hostname.startswith(HOST_PREFIX)


def mta_sts_policy_view(request: HttpRequest, hostname: str) -> HttpResponse:
    domain = (
        MailDomain.objects.filter(name=hostname.removeprefix(HOST_PREFIX))
        .exclude(municipality__state=LifecycleState.ARCHIVED)
        .first()
    )
    if request.path_info != POLICY_PATH or domain is None or request.method not in {"GET", "HEAD"}:
        return HttpResponseNotFound("not found\n", content_type="text/plain; charset=utf-8")
    response = HttpResponse(mta_sts_policy(domain), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "max-age=3600"
    return response
