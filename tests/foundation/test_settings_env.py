"""The environment parsers, and production refusing insecure settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import env

pytestmark = pytest.mark.foundation

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("", False),
    ],
)
def test_env_bool(raw: str, expected: bool) -> None:
    assert env.env_bool("X", environ={"X": raw}) is expected


def test_env_bool_rejects_nonsense_and_defaults() -> None:
    with pytest.raises(env.EnvError, match="X must be a boolean"):
        env.env_bool("X", environ={"X": "maybe"})
    assert env.env_bool("X", True, environ={}) is True


def test_env_int() -> None:
    assert env.env_int("N", 5, environ={}) == 5
    assert env.env_int("N", 5, environ={"N": " 42 "}) == 42
    with pytest.raises(env.EnvError, match="whole number"):
        env.env_int("N", 5, environ={"N": "4.2"})
    with pytest.raises(env.EnvError, match="at least 1"):
        env.env_int("N", 5, minimum=1, environ={"N": "0"})


def test_env_str_required() -> None:
    with pytest.raises(env.EnvError, match="SECRET_KEY must be set"):
        env.env_str("SECRET_KEY", environ={})
    assert env.env_str("S", "d", environ={"S": ""}) == "d"


def test_env_list() -> None:
    assert env.env_list("L", environ={"L": "a.example, b.example,,"}) == ["a.example", "b.example"]
    assert env.env_list("L", ["x"], environ={}) == ["x"]


def test_env_database_tcp_and_socket() -> None:
    tcp = env.env_database(
        environ={"DATABASE_URL": "postgresql://u:p%40ss@db.internal:6432/saraban"}
    )
    assert tcp["ENGINE"] == "django_tenants.postgresql_backend"
    assert (tcp["HOST"], tcp["PORT"], tcp["NAME"], tcp["USER"], tcp["PASSWORD"]) == (
        "db.internal",
        6432,
        "saraban",
        "u",
        "p@ss",
    )
    socket = env.env_database(
        environ={"DATABASE_URL": "postgresql://postgres@%2Fsrv%2Fpg%2Fsock/saraban"}
    )
    assert socket["HOST"] == "/srv/pg/sock" and socket["NAME"] == "saraban"


@pytest.mark.parametrize("url", ["mysql://root@localhost/x", "postgresql://localhost", "nonsense"])
def test_env_database_rejects(url: str) -> None:
    with pytest.raises(env.EnvError):
        env.env_database(environ={"DATABASE_URL": url})


def test_env_redis_and_celery_broker() -> None:
    assert (
        env.env_redis(environ={"REDIS_URL": "redis://127.0.0.1:6379/2"})
        == "redis://127.0.0.1:6379/2"
    )
    with pytest.raises(env.EnvError):
        env.env_redis(environ={"REDIS_URL": "http://x"})
    assert (
        env.celery_broker_url("unix:///var/run/redis.sock")
        == "redis+socket:///var/run/redis.sock?virtual_host=0"
    )
    assert env.celery_broker_url("redis://h:1/3") == "redis://h:1/3"


SAFE_PRODUCTION_ENV = {
    "SECRET_KEY": "q8#Vn2!pLz$0wX7^rT4&mB9*kD1(eH6)sJ3_yF5+uG0=aC8-iN2",
    "PLATFORM_DOMAIN": "saraban.example.go.th",
    "DATABASE_URL": "postgresql://app@db/saraban",
    "REDIS_URL": "redis://redis:6379/0",
}


def _import_production(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "PLATFORM_DOMAIN", "DATABASE_URL", "REDIS_URL"}
    }
    environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "PYTHONPATH": f"{REPO}:{REPO / 'platform'}",
            **extra,
        }
    )
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False
    )


def test_production_starts_with_safe_settings() -> None:
    result = _import_production(SAFE_PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"PLATFORM_DOMAIN": "localhost"}, "PLATFORM_DOMAIN"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
    ],
)
def test_production_refuses_insecure_defaults(override: dict[str, str], complaint: str) -> None:
    environ = {**SAFE_PRODUCTION_ENV, **override}
    environ = {k: v for k, v in environ.items() if v != ""}
    result = _import_production(environ)
    assert result.returncode != 0
    assert complaint in result.stderr
