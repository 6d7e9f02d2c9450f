"""Vendor staff for the console tests: a public-schema superuser with backup codes as second
factor, and a test client logged in with password and code (as tests/foundation/test_console)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

PASSWORD = "vendor-passphrase-2569"
CODES = ("41414141", "42424242", "43434343")


def vendor_create(username: str = "vendor-console") -> Any:
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts.models import User

    user = User.objects.create_superuser(username, f"{username}@saraban.example", PASSWORD)
    device = StaticDevice.objects.create(user=user, name="backup")
    for code in CODES:
        device.token_set.create(token=code)
    return user


def console_login(client: Client, user: Any, code: str = CODES[0]) -> Any:
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.get(user=user)
    return client.post(
        "/console/login/?next=/console/",
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code,
        },
    )


@pytest.fixture
def vendor(db: None) -> Any:
    return vendor_create()


@pytest.fixture
def console(vendor: Any) -> Client:
    client = Client(HTTP_HOST="localhost")
    assert console_login(client, vendor).status_code == 302
    return client
