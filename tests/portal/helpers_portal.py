"""Municipalities for the listing tests: control-plane rows only (the listing reads no schema)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from mailhosting.dns_check import CheckResult
from mailhosting.dns_records import expected_records
from mailhosting.models import MailDomain, RecordStatus
from mailhosting.services import dns_check_record, mail_domain_add, mail_domain_make_primary
from tenants.models import Domain, Municipality


def listed_municipality(
    name_th: str,
    name_en: str = "",
    *,
    province: str = "ขอนแก่น",
    organisation_type: str = "subdistrict_municipality",
    district: str = "",
    officer_phone: str = "043 000 000",
    own_domain: str = "",
    **extra: Any,
) -> tuple[Municipality, MailDomain]:
    """An onboarded municipality (no schema: the listing never opens one) with a mail domain."""
    slug = f"p{uuid.uuid4().hex[:10]}"
    municipality = Municipality.objects.create(
        schema_name=slug,
        slug=slug,
        name_th=name_th,
        name_en=name_en,
        province=province,
        district=district,
        organisation_type=organisation_type,
        letter_code_prefix="ขก 0000",
        officer_name=extra.pop("officer_name", "นางสาวสมใจ ใจดี"),
        officer_phone=officer_phone,
        admin_email=f"admin@{slug}.example",
        onboarding_status="done",
        state=extra.pop("state", "active"),
        **extra,
    )
    Domain.objects.create(
        domain=f"{slug}.{settings.PLATFORM_DOMAIN}", tenant=municipality, is_primary=True
    )
    name = own_domain or f"{slug}.{settings.MAIL_PLATFORM_ZONE}"
    domain = mail_domain_add(
        municipality=municipality, name=name, kind="own" if own_domain else "platform"
    )
    mail_domain_make_primary(domain=domain)
    return municipality, domain


def record_check(domain: MailDomain, *, ok: bool, at: datetime | None = None) -> None:
    """Record a DNS check's outcome through the mail service (as dns_check_run would)."""
    results = [
        CheckResult(
            record,
            RecordStatus.OK if ok or record.purpose != "mx" else RecordStatus.MISSING,
            record.value if ok or record.purpose != "mx" else "",
        )
        for record in expected_records(domain)
    ]
    dns_check_record(domain=domain, results=results, now=at or timezone.now())
    domain.refresh_from_db()
