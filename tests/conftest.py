"""Fixtures for the whole suite: real PostgreSQL and Redis, two session-scoped tenants.

The tenants are onboarded once per test session with the real onboarding service (committed),
so each test only pays for its own rows, which roll back with the test's transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tenants import routing_cache


def _setup_default_database_always() -> None:
    """pytest-django creates only the databases that django_db tests ask for; our session setup
    (and the tests that commit for threads and subprocesses) always need the default one, even
    when such a test runs alone."""
    import pytest_django.fixtures as django_fixtures

    original = django_fixtures._get_databases_for_setup

    def with_default(items: Any) -> tuple[set[str], set[str]]:
        aliases, serialized = original(items)
        return aliases | {"default"}, serialized

    django_fixtures._get_databases_for_setup = with_default


_setup_default_database_always()

ALPHA = {
    "name_th": "เทศบาลตำบลอัลฟา",
    "name_en": "Alpha Subdistrict Municipality",
    "organisation_type": "subdistrict_municipality",
    "province": "ขอนแก่น",
    "district": "เมืองขอนแก่น",
    "slug": "alpha",
    "letter_code_prefix": "ขก 72101",
    "officer_name": "นายอัลฟา ทดสอบ",
    "officer_phone": "043 111 222",
    "admin_email": "admin@alpha.example",
    "admin_name": "ผู้ดูแล อัลฟา",
    "dla_code": "6400201",
}
BETA = {
    **ALPHA,
    "name_th": "องค์การบริหารส่วนตำบลเบตา",
    "name_en": "Beta SAO",
    "organisation_type": "sao",
    "province": "ตราด",
    "district": "เมืองตราด",
    "slug": "beta",
    "letter_code_prefix": "ตร 52301",
    "officer_name": "นางเบตา ทดสอบ",
    "admin_email": "admin@beta.example",
    "dla_code": "6230101",
}


def pytest_configure(config: pytest.Config) -> None:
    """The suite runs on the test settings only; a leaked DJANGO_SETTINGS_MODULE must not win."""
    module = os.environ.get("DJANGO_SETTINGS_MODULE")
    if module != "config.settings.test":
        raise pytest.UsageError(
            f"DJANGO_SETTINGS_MODULE is {module!r}; the suite needs config.settings.test"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a missing component: it fails the run instead of passing quietly."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        for report in skipped:
            reporter.write_line(f"CI forbids skipped tests: {report.nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from tenants import services
    from tenants.schema_template import build_template
    from tenants.validation import OnboardingRequest

    with django_db_blocker.unblock():
        services.public_tenant_ensure()
        build_template()
        for data in (ALPHA, BETA):
            services.onboard_municipality(OnboardingRequest(**data))
        connection.set_schema_to_public()
    yield


@pytest.fixture(autouse=True)
def _public_schema_and_fresh_routing() -> Iterator[None]:
    """Each test starts in the public schema with an empty host cache (rows may have rolled back)."""
    routing_cache.invalidate()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def alpha(db: None) -> Any:
    from tenants.models import Municipality

    return Municipality.objects.get(slug="alpha")


@pytest.fixture
def beta(db: None) -> Any:
    from tenants.models import Municipality

    return Municipality.objects.get(slug="beta")


def host_of(tenant: Any) -> str:
    return str(tenant.get_primary_domain().domain)


def client_for(tenant: Any) -> Client:
    """A browser on the tenant's own host."""
    return Client(HTTP_HOST=host_of(tenant))


@pytest.fixture
def public_client(db: None) -> Client:
    from django.conf import settings

    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN)


@pytest.fixture
def alpha_client(alpha: Any) -> Client:
    return client_for(alpha)


@pytest.fixture
def beta_client(beta: Any) -> Client:
    return client_for(beta)


def make_staff(
    tenant: Any, username: str = "clerk", password: str = "a-long-passphrase-2569", **extra: Any
) -> Any:
    from accounts.services import user_create_staff

    with tenant:
        return user_create_staff(
            username=username,
            email=extra.pop("email", f"{username}@{tenant.slug}.example"),
            password=password,
            **extra,
        )


@pytest.fixture
def alpha_staff_client(alpha: Any) -> Client:
    """A logged-in central registry clerk of alpha, on alpha's host."""
    user = make_staff(alpha, role_codes=("central_clerk",))
    client = client_for(alpha)
    with alpha:
        client.force_login(user)
    return client


@pytest.fixture
def committed_tenant(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """A throwaway municipality whose rows are committed (for threads and other processes).

    Tests that use it are not marked django_db: they never flush the session's tenants.
    Everything is dropped afterwards.
    """
    from tests.cleanup import committed_municipality

    with django_db_blocker.unblock(), committed_municipality() as tenant:
        yield tenant
