"""Letters' files in S3 through django-storages: per-tenant keys, encryption, same bytes back.

The S3 endpoint is moto in server mode (a real S3-protocol server in a subprocess), the one
outside service CI stands in for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.test import override_settings

from registers.inputs import FileInput
from registers.services import letters as svc
from tests.moto_server import moto_start
from tests.registers.conftest import letter_input, pdf_bytes
from tests.registers.helpers_browser import free_port

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

BUCKET = "saraban-letters-test"
REGION = "ap-southeast-7"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    process = moto_start(port)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_endpoint: str) -> Iterator[Any]:
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": REGION,
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "default_acl": None,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield boto3.client(
            "s3",
            endpoint_url=s3_endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


def test_each_tenants_files_live_under_its_own_prefix(
    s3_storage: Any, alpha: Any, beta: Any
) -> None:
    from tests.conftest import make_staff

    stored = {}
    for tenant in (alpha, beta):
        clerk = make_staff(tenant, "s3clerk", role_codes=("central_clerk",))
        content = pdf_bytes(f"letter of {tenant.slug}")
        with tenant:
            letter = svc.intake_create(
                data=letter_input(subject=f"หนังสือของ {tenant.name_th}"),
                files=[FileInput(name="หนังสือราชการ.pdf", content=content)],
                actor=clerk,
            )
            attachment = letter.attachments.get()
            assert attachment.open_bytes() == content
            assert attachment.sha256 == hashlib.sha256(content).hexdigest()
            stored[tenant.schema_name] = attachment.file.name

    for schema, key in stored.items():
        assert key.startswith(f"tenants/{schema}/letters/"), key
        assert "หนังสือราชการ" not in key  # never the sender's file name in the key
        head = s3_storage.head_object(Bucket=BUCKET, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
        assert head["ContentLength"] > 0
    keys = {obj["Key"] for obj in s3_storage.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert set(stored.values()) <= keys
