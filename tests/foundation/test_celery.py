"""Celery tasks run in the schema of the tenant that queued them, on a real worker and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from config.celery import app
from tenants.models import Municipality
from tenants.tasks import fan_out

pytestmark = pytest.mark.foundation

REPO = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    params = connection.settings_dict
    host = quote(params["HOST"] or "127.0.0.1", safe="")
    port = f":{params['PORT']}" if params.get("PORT") else ""
    password = f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    return f"postgresql://{params['USER'] or 'postgres'}{password}@{host}{port}/{params['NAME']}"


@pytest.fixture(scope="module")
def worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """A real worker process on a queue of its own, reading the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        database_url = _database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_QUEUE": queue,
        "PYTHONPATH": f"{REPO}:{REPO / 'platform'}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=REPO / "platform",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5, destination=None):
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"Celery worker did not start:\n{output}")
        yield queue
    finally:
        app.conf.task_default_queue = previous_queue
        process.terminate()
        process.wait(timeout=30)


def _expired_session(tenant: Municipality) -> str:
    with tenant:
        store = SessionStore()
        store["marker"] = tenant.slug
        store.set_expiry(timezone.now() - timedelta(days=1))
        store.create()
        return str(store.session_key)


def _exists(tenant: Municipality, key: str) -> bool:
    with tenant:
        return Session.objects.filter(session_key=key).exists()


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_task_queued_in_a_tenant_runs_in_that_tenants_schema(
    worker: str, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        alpha = Municipality.objects.get(slug="alpha")
        beta = Municipality.objects.get(slug="beta")
        alpha_key, beta_key = _expired_session(alpha), _expired_session(beta)
        try:
            with alpha:
                clear_expired_sessions.delay()  # carries alpha's schema in its headers
            assert _wait_for(lambda: not _exists(alpha, alpha_key)), (
                "alpha's session was not cleared"
            )
            time.sleep(1)  # give a wrongly routed task time to do harm
            assert _exists(beta, beta_key), "a task of alpha touched beta's schema"

            fan_out.delay("accounts.tasks.clear_expired_sessions")  # from the public schema
            assert _wait_for(lambda: not _exists(beta, beta_key)), "fan-out did not reach beta"
        finally:
            for tenant, key in ((alpha, alpha_key), (beta, beta_key)):
                with tenant:
                    Session.objects.filter(session_key=key).delete()
            connection.set_schema_to_public()
