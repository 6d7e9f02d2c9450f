"""The vendor console at the apex: password plus a second factor, and onboarding from a form."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import User
from tenants.models import Municipality, OnboardingStatus
from tenants.tasks import onboarding_run

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]

PASSWORD = "vendor-passphrase-2569"


@pytest.fixture
def vendor(db: None) -> User:
    user = User.objects.create_superuser("vendor-test", "vendor@saraban.example", PASSWORD)
    device = StaticDevice.objects.create(user=user, name="backup")
    device.token_set.create(token="11111111")
    device.token_set.create(token="22222222")
    return user


def _login(client: Client, vendor: User, token: str) -> Any:
    device = StaticDevice.objects.get(user=vendor)
    return client.post(
        "/console/login/?next=/console/",
        {
            "username": vendor.username,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": token,
        },
    )


def test_password_alone_does_not_open_the_console(public_client: Client, vendor: User) -> None:
    response = _login(public_client, vendor, token="")
    assert response.status_code == 200  # the form again
    assert public_client.get("/console/").status_code == 302


def test_a_backup_code_works_once(vendor: User) -> None:
    first, second = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    assert _login(first, vendor, token="22222222").status_code == 302
    assert _login(second, vendor, token="22222222").status_code == 200  # already used


def test_wrong_second_factor_is_refused(public_client: Client, vendor: User) -> None:
    _login(public_client, vendor, token="99999999")
    assert public_client.get("/console/").status_code == 302


def test_vendor_onboards_a_municipality_from_the_console(
    public_client: Client, vendor: User
) -> None:
    assert _login(public_client, vendor, token="11111111").status_code == 302
    assert public_client.get("/console/").status_code == 200
    page = public_client.get("/console/onboard/")
    assert "เพิ่มหน่วยงานใหม่" in page.content.decode()

    form = {
        "name_th": "เทศบาลตำบลคอนโซล",
        "name_en": "Console Test",
        "organisation_type": "subdistrict_municipality",
        "province": "ลำปาง",
        "district": "เมืองลำปาง",
        "dla_code": "",
        "slug": "console-test",
        "custom_domains": "",
        "letter_code_prefix": "ลป 72301",
        "officer_name": "นายคอนโซล ทดสอบ",
        "officer_phone": "054 123 456",
        "admin_name": "",
        "admin_email": "admin@console.example",
    }
    bad = public_client.post("/console/onboard/", {**form, "slug": "www"})
    assert bad.status_code == 200 and "สงวนไว้" in bad.content.decode()
    assert not Municipality.objects.filter(slug="www").exists()

    response = public_client.post("/console/onboard/", form)
    municipality = Municipality.objects.get(slug="console-test")
    assert response.status_code == 302 and str(municipality.pk) in response.url
    # The wizard registers the municipality and leaves its steps to a Celery task (queued
    # after the commit, which this test's transaction never reaches): run the task's body here.
    assert municipality.onboarding_status == OnboardingStatus.PENDING
    assert onboarding_run(municipality.pk) == "done"
    municipality.refresh_from_db()
    assert municipality.onboarding_status == OnboardingStatus.DONE
    assert mail.outbox[-1].to == ["admin@console.example"]
    detail = public_client.get(response.url).content.decode()
    assert "console-test" in detail and "เสร็จสิ้น" in detail


def test_the_console_is_not_served_on_a_tenant_host(alpha_client: Client) -> None:
    assert alpha_client.get("/console/").status_code == 404
