"""Fixtures of the backup tests: two S3 regions served by moto, and tenants with committed data.

Each region is its own ``python -m moto.server`` process on a free port (a subprocess, so that a
test can stop a region and start it again on the same port). Backups read a consistent snapshot
over their own transaction, so the tenants they back up hold committed rows: these fixtures
unblock the database like ``committed_tenant`` in tests/registers/conftest.py and remove
everything they made afterwards.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.backups.helpers_moto import REGIONS, MotoServer, moto_regions, regions_settings
from tests.cleanup import delete_with_dependants


@pytest.fixture(scope="session")
def moto_servers() -> Iterator[dict[str, MotoServer]]:
    with moto_regions() as servers:
        yield servers


@pytest.fixture
def s3_regions(moto_servers: dict[str, MotoServer], tmp_path: Path) -> Iterator[Any]:
    """Both regions on moto, emptied for this test; staging under the test's own folder."""
    for server in moto_servers.values():
        if server.process is None:  # a test stopped it and failed before starting it again
            server.start()
        else:
            server.reset()
    regions = regions_settings(moto_servers)
    with override_settings(BACKUP_REGIONS=regions, VAR_DIR=tmp_path / "var"):
        yield moto_servers


@pytest.fixture
def local_regions(tmp_path: Path) -> Iterator[Path]:
    """The embedded default: each region a local folder."""
    root = tmp_path / "regions"
    regions = {
        name: {"REGION": region, "BUCKET": "", "ENDPOINT_URL": ""}
        for name, region in REGIONS.items()
    }
    with override_settings(
        BACKUP_REGIONS=regions, BACKUP_LOCAL_REGIONS_DIR=root, VAR_DIR=tmp_path / "var"
    ):
        yield root


@pytest.fixture
def celery_eager() -> Iterator[None]:
    """Tasks (and the tasks they queue) run inline, as on a worker, in this process."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


# --- tenants with committed letters and files -----------------------------------------------


@dataclass
class MadeTenants:
    """Municipalities a test onboarded; ``drop()`` removes them and every committed backup."""

    made: list[Any] = field(default_factory=list)

    def drop(self) -> None:
        from django.core.files.storage import default_storage
        from django.db import connection

        from tenants.backups.models import BackupRun, RestoreRecord, TenantBackup
        from tenants.models import Municipality

        connection.set_schema_to_public()
        # Fleet runs also back up the session's tenants (alpha, beta): every committed backup
        # row goes, not only those of the tenants made here.
        RestoreRecord.objects.all().delete()
        TenantBackup.objects.all().delete()
        BackupRun.objects.all().delete()
        for tenant in self.made:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
            location = getattr(default_storage, "location", None)
            if location:
                shutil.rmtree(Path(location) / "tenants" / tenant.schema_name, ignore_errors=True)
            for found in Municipality.objects.filter(pk=tenant.pk):
                delete_with_dependants(found)


def add_letters(tenant: Any, count: int, *, files: bool = True, prefix: str = "") -> list[int]:
    """``count`` incoming letters registered through the real services, each with a PDF."""
    from registers.inputs import FileInput
    from registers.services import letters as svc
    from tests.conftest import make_staff
    from tests.registers.conftest import letter_input, pdf_bytes

    username = f"bk{uuid.uuid4().hex[:6]}"
    clerk = make_staff(tenant, username, role_codes=("central_clerk",))
    ids = []
    with tenant:
        for number in range(count):
            subject = f"{prefix}หนังสือทดสอบการสำรองข้อมูล ฉบับที่ {number + 1}"
            attached = (
                [FileInput(name=f"หนังสือ-{number + 1}.pdf", content=pdf_bytes(subject))]
                if files
                else []
            )
            letter = svc.intake_create(
                data=letter_input(subject=subject), files=attached, actor=clerk
            )
            svc.letter_register_incoming(letter=letter, actor=clerk)
            ids.append(letter.pk)
    return ids


@pytest.fixture
def make_tenant(django_db_setup: None, django_db_blocker: Any) -> Iterator[Callable[..., Any]]:
    """``make_tenant(letters=3)``: a committed municipality with letters and their files."""
    from tenants import services
    from tenants.models import Municipality
    from tenants.validation import OnboardingRequest
    from tests.conftest import ALPHA

    made = MadeTenants()

    def make(letters: int = 3, *, files: bool = True) -> Any:
        slug = f"b{uuid.uuid4().hex[:8]}"
        services.onboard_municipality(
            OnboardingRequest(
                **{**ALPHA, "slug": slug, "dla_code": "", "admin_email": f"admin@{slug}.example"}
            )
        )
        tenant = Municipality.objects.get(slug=slug)
        made.made.append(tenant)
        if letters:
            add_letters(tenant, letters, files=files)
        return tenant

    with django_db_blocker.unblock():
        try:
            yield make
        finally:
            made.drop()


@pytest.fixture
def restored_schemas(
    make_tenant: Callable[..., Any], django_db_blocker: Any
) -> Iterator[list[str]]:
    """Schemas a restore test made (fresh targets, kept ``_replaced_`` schemas): dropped after
    the test, with their files."""
    from django.core.files.storage import default_storage
    from django.db import connection

    from tenants.db import tenant_connection

    names: list[str] = []
    yield names
    with django_db_blocker.unblock():
        tenant_connection.set_schema_to_public()
        for name in names:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            location = getattr(default_storage, "location", None)
            if location:
                shutil.rmtree(Path(location) / "tenants" / name, ignore_errors=True)
