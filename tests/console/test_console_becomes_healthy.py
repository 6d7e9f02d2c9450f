"""The vendor onboards a municipality through the console's wizard and watches it become
healthy on its console page: its mail domain's records verify against a real BIND, and its
first backup reaches both regions (two moto S3 servers)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client

from tests.backups.conftest import moto_servers, s3_regions  # noqa: F401  (fixtures)
from tests.console.conftest import console_login, vendor_create

pytestmark = [pytest.mark.portal]


def _badges(page: str, attribute: str) -> dict[str, str]:
    """``data-<attribute>="name"`` rows -> the status class of the badge in that row."""
    found: dict[str, str] = {}
    for name, row in re.findall(rf'data-{attribute}="([^"]+)"(.*?)</tr>', page, flags=re.S):
        badge = re.search(r'console-badge ([a-z_]+)"', row)
        found[name] = badge.group(1) if badge else ""
    return found


def test_an_onboarded_municipality_becomes_healthy(
    django_db_setup: None,
    django_db_blocker: Any,
    s3_regions: Any,  # noqa: F811
    settings: LazySettings,
) -> None:
    from django.db import connection
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts.models import User
    from mailhosting.dns_records import expected_records, zone_file
    from mailhosting.models import MailDomain
    from mailhosting.services import dns_check_run
    from tenants.backups.fleet import backup_tenant_run
    from tenants.backups.models import TenantBackup
    from tenants.models import Municipality
    from tenants.tasks import onboarding_run
    from tests.cleanup import delete_with_dependants
    from tests.mail.helpers_dns import authoritative_dns

    slug = f"h{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        vendor = vendor_create(f"vendor-{slug}")
        client = Client(HTTP_HOST="localhost")
        assert console_login(client, vendor).status_code == 302
        form = {
            "name_th": "เทศบาลตำบลสุขภาพดี",
            "name_en": "Healthy Subdistrict Municipality",
            "organisation_type": "subdistrict_municipality",
            "province": "ลำปาง",
            "district": "เมืองลำปาง",
            "dla_code": "",
            "slug": slug,
            "custom_domains": "",
            "letter_code_prefix": "ลป 72302",
            "officer_name": "นางสาวสุขใจ ดีมาก",
            "officer_phone": "054 123 457",
            "admin_name": "",
            "admin_email": f"admin@{slug}.example",
        }
        assert client.post("/console/onboard/", form).status_code == 302
        municipality = Municipality.objects.get(slug=slug)
        try:
            assert onboarding_run(municipality.pk) == "done"
            page_url = f"/console/tenant/{municipality.pk}/"
            before = client.get(page_url).content.decode()
            assert set(_badges(before, "dns-record").values()) == {"pending"}
            assert set(_badges(before, "backup-region").values()) == {"pending"}  # none yet

            # The records the console tells the municipality to publish, served by a real BIND.
            domain = MailDomain.objects.get(municipality=municipality, is_primary=True)
            with authoritative_dns() as server:
                settings.MAIL_DNS_NAMESERVERS = [server.address]
                server.serve(
                    {
                        domain.name: zone_file(
                            domain.name,
                            expected_records(domain),
                            nameserver=f"ns1.{domain.name}",
                            nameserver_address="127.0.0.1",
                            serial=1,
                        )
                    }
                )
                dns_check_run(domain=domain)
            domain.refresh_from_db()
            assert domain.status == "verified"

            backup = backup_tenant_run(municipality=municipality)
            assert backup.status == "complete"

            after = client.get(page_url).content.decode()
            records = _badges(after, "dns-record")
            assert records and set(records.values()) == {"ok"}, records
            regions = _badges(after, "backup-region")
            assert len(regions) == 2 and set(regions.values()) == {"ok"}, regions
            assert "ยังไม่มี" not in after.split('data-section="backups"')[1].split("</table>")[0]
            assert "ไม่มีข้อผิดพลาด" in after
            # Nothing about it on the fleet overview's list of what needs attention today.
            assert page_url not in client.get("/console/").content.decode()
        finally:
            connection.set_schema_to_public()
            TenantBackup.objects.filter(municipality=municipality).delete()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{municipality.schema_name}" CASCADE')
            delete_with_dependants(Municipality.objects.filter(pk=municipality.pk))
            # The vendor lives in the public schema, where the tenant tables its delete would
            # cascade to do not exist: remove its device and row directly.
            StaticDevice.objects.filter(user=vendor).delete()
            User.objects.filter(pk=vendor.pk)._raw_delete(connection.alias)
