"""Only vendor staff, with a password and a second factor, on the apex reach the console's
pages; tenant staff never do (not on their own host, not with their credentials on the apex)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_staff
from tests.console.conftest import PASSWORD, console_login

pytestmark = [pytest.mark.portal, pytest.mark.django_db]


def _pages(tenant: Any) -> list[str]:
    return [
        "/console/",
        "/console/onboard/",
        f"/console/onboard/{tenant.pk}/",
        f"/console/onboard/{tenant.pk}/steps/",
        f"/console/tenant/{tenant.pk}/",
        f"/console/tenant/{tenant.pk}/suspend/",
    ]


def test_anonymous_visitors_are_sent_to_the_login(public_client: Client, alpha: Any) -> None:
    for url in _pages(alpha):
        response = public_client.get(url)
        assert response.status_code == 302 and "/console/login/" in response.url, url
    retry = public_client.post(f"/console/onboard/{alpha.pk}/retry/")
    assert retry.status_code == 302 and "/console/login/" in retry.url


def test_tenant_staff_cannot_reach_the_console(alpha: Any, alpha_staff_client: Client) -> None:
    # On their own host the console does not exist.
    for url in _pages(alpha):
        assert alpha_staff_client.get(url).status_code == 404, url
    # Their credentials mean nothing on the apex (staff live in the tenant's schema).
    admin = make_staff(alpha, "tenant-admin", password=PASSWORD, role_codes=("tenant_admin",))
    apex = Client(HTTP_HOST="localhost")
    login = apex.post(
        "/console/login/?next=/console/",
        {"username": admin.username, "password": PASSWORD, "otp_token": "41414141"},
    )
    assert login.status_code == 200  # the form again
    for url in _pages(alpha):
        assert apex.get(url).status_code == 302, url


def test_a_public_user_who_is_not_vendor_staff_is_refused(alpha: Any) -> None:
    from tests.console.conftest import vendor_create

    user = vendor_create("not-staff")
    user.is_staff = False
    user.is_superuser = False
    user.save()
    client = Client(HTTP_HOST="localhost")
    console_login(client, user)
    for url in _pages(alpha):
        response = client.get(url)
        assert response.status_code == 302 and "/console/login/" in response.url, url


def test_a_password_without_the_second_factor_is_not_enough(alpha: Any, vendor: Any) -> None:
    client = Client(HTTP_HOST="localhost")
    assert console_login(client, vendor, code="00000000").status_code == 200
    for url in _pages(alpha):
        assert client.get(url).status_code == 302, url
