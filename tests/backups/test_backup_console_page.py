"""Backups in the vendor console (password + OTP): last good backup per region with its age, red
when older than 26 hours; runs with progress; drills; the restore action with its checks."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import User
from tenants.backups.models import (
    BackupCopy,
    BackupKind,
    BackupRun,
    BackupStatus,
    CopyStatus,
    RestoreMode,
    RestoreRecord,
    RestoreStatus,
    RunStatus,
    TenantBackup,
)

pytestmark = [pytest.mark.backups]

PASSWORD = "vendor-passphrase-2569"
LIST = "/console/backups/tenantbackup/"


def _vendor() -> User:
    user = User.objects.create_superuser(
        f"vendor-{uuid.uuid4().hex[:6]}", "vendor@saraban.example", PASSWORD
    )
    device = StaticDevice.objects.create(user=user, name="backup")
    device.token_set.create(token="11111111")
    return user


def _logged_in(vendor: User) -> Client:
    client = Client(HTTP_HOST="localhost")
    device = StaticDevice.objects.get(user=vendor)
    response = client.post(
        "/console/login/?next=/console/",
        {
            "username": vendor.username,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "11111111",
        },
    )
    assert response.status_code == 302, "vendor login with OTP failed"
    return client


def _backup(tenant: Any, hours_ago: float, regions: dict[str, str]) -> TenantBackup:
    backup = TenantBackup.objects.create(
        municipality=tenant,
        created_at=timezone.now() - dt.timedelta(hours=hours_ago),
        status=BackupStatus.COMPLETE
        if set(regions.values()) == {CopyStatus.COMPLETE}
        else BackupStatus.PARTIAL,
    )
    for region, status in regions.items():
        BackupCopy.objects.create(backup=backup, region=region, status=status)
    return backup


def _row(html: str, marker: str) -> str:
    found = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(marker) + r".*?</tr>", html, re.S)
    assert found, f"no table row with {marker!r}"
    return found.group(0)


def _cell_class(row: str, region: str) -> str:
    found = re.search(r'<td class="([^"]+)" data-region="' + region + '"', row)
    assert found, f"no {region} cell"
    return found.group(1)


@pytest.mark.django_db
def test_the_backup_page_shows_each_region_and_flags_stale_ones(alpha: Any, beta: Any) -> None:
    complete, pending = CopyStatus.COMPLETE, CopyStatus.PENDING
    _backup(alpha, 30, {"primary": complete, "secondary": complete})
    latest = _backup(alpha, 2, {"primary": complete, "secondary": pending})
    beta_backup = _backup(beta, 1, {"primary": complete, "secondary": complete})
    BackupRun.objects.create(
        kind=BackupKind.DAILY,
        total=3,
        done=2,
        failed=1,
        status=RunStatus.PARTIAL,
        finished_at=timezone.now(),
        summary={
            "failed_tenants": [{"slug": "gamma", "error": "schema gamma does not exist"}],
            "partial_tenants": ["alpha"],
        },
    )
    BackupRun.objects.create(kind=BackupKind.DAILY, total=10, done=4, failed=0)
    RestoreRecord.objects.create(
        municipality=beta,
        backup=beta_backup,
        mode=RestoreMode.DRILL,
        target_schema="drill_x",
        actor="system:drill",
        status=RestoreStatus.SUCCEEDED,
        verification={"ok": True},
        finished_at=timezone.now(),
    )

    client = _logged_in(_vendor())
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()

    alpha_row = _row(html, alpha.name_th)
    assert _cell_class(alpha_row, "primary") == "backup-ok"
    assert _cell_class(alpha_row, "secondary") == "backup-stale"
    assert "30.0 ชม." in alpha_row and "2.0 ชม." in alpha_row
    assert f"#{latest.pk}" in alpha_row
    beta_row = _row(html, beta.name_th)
    assert _cell_class(beta_row, "primary") == _cell_class(beta_row, "secondary") == "backup-ok"
    assert "ข้อมูลสำรองเก่ากว่า 26 ชั่วโมง" in html

    assert "สำเร็จ 2 ล้มเหลว 1 คงเหลือ 0 จาก 3" in html
    assert "สำเร็จ 4 ล้มเหลว 0 คงเหลือ 6 จาก 10" in html  # a run still going
    assert "gamma" in html and "schema gamma does not exist" in html
    drills = html[html.index('id="backup-drills"') :]
    drills = drills[: drills.index("</table>")]
    assert beta.name_th in drills and f"#{beta_backup.pk}" in drills
    assert "ตรงกับข้อมูลสำรอง" in drills

    page = client.get(f"/console/backups/tenantbackup/restore/{alpha.pk}/?backup={latest.pk}")
    assert page.status_code == 200
    form = page.content.decode()
    assert f'value="{latest.pk}" selected' in form
    # Without a confirmation, or replacing without the slug typed again, nothing happens.
    refused = client.post(
        f"/console/backups/tenantbackup/restore/{alpha.pk}/",
        {"backup": latest.pk, "mode": RestoreMode.FRESH, "reason": "ทดสอบ"},
    )
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    refused = client.post(
        f"/console/backups/tenantbackup/restore/{alpha.pk}/",
        {
            "backup": latest.pk,
            "mode": RestoreMode.REPLACE,
            "reason": "ทดสอบ",
            "confirm": "on",
            "confirm_slug": "beta",
        },
    )
    assert refused.status_code == 200
    assert "ต้องพิมพ์ชื่อย่อ alpha ให้ตรงกัน" in refused.content.decode()
    assert not RestoreRecord.objects.filter(municipality=alpha).exists()

    assert client.get("/console/backups/backuprun/").status_code == 200
    assert client.get("/console/backups/restorerecord/").status_code == 200


def test_the_restore_action_restores_into_a_fresh_schema_and_reports_it(
    local_regions: Any,
    make_tenant: Any,
    restored_schemas: list[str],
    celery_eager: None,
) -> None:
    from tenants.backups.fleet import backup_tenant_run

    tenant = make_tenant(letters=2)
    backup = backup_tenant_run(municipality=tenant)
    assert backup.status == BackupStatus.COMPLETE
    vendor = _vendor()
    try:
        client = _logged_in(vendor)
        response = client.post(
            f"/console/backups/tenantbackup/restore/{tenant.pk}/",
            {
                "backup": backup.pk,
                "mode": RestoreMode.FRESH,
                "reason": "ตรวจสอบหนังสือที่ถูกลบ",
                "confirm": "on",
            },
        )
        assert response.status_code == 302
        assert "/console/backups/restorerecord/" in response.url
        record = RestoreRecord.objects.get(municipality=tenant)
        restored_schemas.append(record.target_schema)
        assert record.status == RestoreStatus.SUCCEEDED, record.error
        assert record.mode == RestoreMode.FRESH
        assert record.actor == f"vendor:{vendor.username}"
        assert record.reason == "ตรวจสอบหนังสือที่ถูกลบ"
        assert record.verification["ok"] is True
        assert record.target_schema != tenant.schema_name
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [record.target_schema])
            assert cursor.fetchone() is not None
        listing = client.get(response.url).content.decode()
        assert record.target_schema in listing
    finally:
        _delete_vendor(vendor)


def _delete_vendor(vendor: User) -> None:
    """The committed vendor goes again. Not ``vendor.delete()``: its collector would look for
    the tenant-plane tables that refer to users, which the public schema does not have."""
    StaticDevice.objects.filter(user=vendor).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE id = %s", [vendor.pk])  # noqa: S608
