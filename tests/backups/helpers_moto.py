"""S3 regions for tests and benchmarks: one ``python -m moto.server`` process per region.

A subprocess (not moto's in-process server) so that a test can stop a region and start it
again on the same port, as an outage would. Buckets are made as production has them: in their
region, with versioning on.
"""

from __future__ import annotations

import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from tests.moto_server import moto_start

REGIONS = {"primary": "ap-southeast-7", "secondary": "ap-southeast-1"}
BUCKETS = {"primary": "saraban-backups-bkk", "secondary": "saraban-backups-sin"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """One S3 region: a moto server process that can be stopped and started on the same port."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.region = REGIONS[name]
        self.bucket = BUCKETS[name]
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = moto_start(self.port, name=f"moto of {self.name}")
        self.create_bucket()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a busy machine: never leave a server behind
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def reset(self) -> None:
        """Forget every bucket and object (moto's reset API), then make the bucket again."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
        self.create_bucket()

    @property
    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=f"key-{self.name}",
            aws_secret_access_key=f"secret-{self.name}",
        )

    def create_bucket(self) -> None:
        """The bucket as production has it: in its region, with versioning on."""
        client = self.client
        client.create_bucket(
            Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": self.region}
        )
        client.put_bucket_versioning(
            Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}
        )

    def keys(self, prefix: str = "") -> set[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        return {
            item["Key"]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        }

    def settings(self) -> dict[str, str]:
        return {
            "ENDPOINT_URL": self.endpoint,
            "REGION": self.region,
            "BUCKET": self.bucket,
            "ACCESS_KEY_ID": f"key-{self.name}",
            "SECRET_ACCESS_KEY": f"secret-{self.name}",
            "KMS_KEY_ID": "",
        }


@contextmanager
def moto_regions() -> Iterator[dict[str, MotoServer]]:
    """Both regions started (primary and secondary), stopped on the way out."""
    servers = {name: MotoServer(name) for name in REGIONS}
    try:
        for server in servers.values():
            server.start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def regions_settings(servers: dict[str, MotoServer]) -> dict[str, dict[str, str]]:
    """``BACKUP_REGIONS`` pointing at the servers."""
    return {name: server.settings() for name, server in servers.items()}
