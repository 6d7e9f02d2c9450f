"""The billing banner on every staff page of a municipality that owes money or is restricted.

Everyone on the staff sees what restricts their work (grace, read-only, suspended, an invoice
past its due date); notices that only the payer acts on (an invoice not yet due, the trial
ending) go to the tenant admin alone.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from billing.selectors import BillingBanner, billing_banner_for

_CACHE_ATTR = "_saraban_billing_banner"
_THAI = re.compile("[\u0e00-\u0e7f]")


@dataclasses.dataclass(frozen=True)
class BannerView:
    """What the banner template shows: the selector's banner plus who is looking."""

    banner: BillingBanner
    level: str
    past_due: bool
    for_admin: bool
    message_en: str  # "" until the English translation exists (never Thai twice)


def banner_for_request(request: HttpRequest) -> BannerView | None:
    if hasattr(request, _CACHE_ATTR):
        cached: BannerView | None = getattr(request, _CACHE_ATTR)
        return cached
    view = _banner(request)
    setattr(request, _CACHE_ATTR, view)
    return view


def _banner(request: HttpRequest) -> BannerView | None:
    tenant: Any = getattr(request, "tenant", None)
    user: Any = getattr(request, "user", None)
    if tenant is None or tenant.schema_name == "public" or user is None:
        return None
    if not user.is_authenticated:
        return None
    banner = billing_banner_for(municipality=tenant)
    if banner is None:
        return None
    from registers.views.access import ADMINS, has_any

    is_admin = has_any(request, ADMINS)
    past_due = banner.due_date is not None and banner.due_date < timezone.localdate()
    level = banner.level
    if level == "info" and past_due:
        level = "warning"  # an unpaid invoice past its date concerns everyone before grace ends
    if level == "info" and not is_admin:
        return None
    english = "" if _THAI.search(banner.message_en) else banner.message_en
    return BannerView(
        banner=banner, level=level, past_due=past_due, for_admin=is_admin, message_en=english
    )


def billing(request: HttpRequest) -> dict[str, Any]:
    return {"billing_banner": banner_for_request(request)}
