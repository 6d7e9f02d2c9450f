"""Typed readers for settings that come from the environment.

Every setting of the platform is read here, never with ``os.environ`` scattered through the
code, so that a bad value fails loudly at start-up with the variable's name in the message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ValueError):
    """A variable is missing or cannot be parsed."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ is None else environ
    return source.get(name)


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, environ)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool = False, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name} must be a boolean (true/false, 1/0, yes/no, on/off), got {value!r}")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        parsed = int(value.strip())
    except ValueError as exc:
        raise EnvError(f"{name} must be a whole number, got {value!r}") from exc
    if minimum is not None and parsed < minimum:
        raise EnvError(f"{name} must be at least {minimum}, got {parsed}")
    return parsed


def env_float(name: str, default: float, *, environ: Mapping[str, str] | None = None) -> float:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        return float(value.strip())
    except ValueError as exc:
        raise EnvError(f"{name} must be a number, got {value!r}") from exc


def env_list(
    name: str, default: list[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(
    name: str = "DATABASE_URL",
    default: str | None = None,
    *,
    conn_max_age: int = 600,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A ``DATABASES`` entry for django-tenants' PostgreSQL backend.

    A unix-socket folder may be given as the percent-encoded host
    (``postgresql://user@%2Fpath%2Fto%2Fsockets/db``), as pgserver needs.
    """
    url = env_str(name, default, environ=environ)
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        raise EnvError(f"{name} must be a PostgreSQL URL (postgresql://...), got scheme {scheme!r}")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    except ValueError as exc:
        raise EnvError(f"{name} is not a valid database URL: {exc}") from exc
    if not config.get("NAME"):
        raise EnvError(f"{name} must name a database")
    config["ENGINE"] = "django_tenants.postgresql_backend"
    # Pooled connections must not live for ever: a backend caches catalog entries of every
    # tenant schema it touched (see docs/architecture.md).
    config["CONN_HEALTH_CHECKS"] = True
    return config


def env_redis(
    name: str = "REDIS_URL", default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str:
    """A redis-py URL: ``redis://``, ``rediss://`` or ``unix:///path/redis.sock``."""
    url = env_str(name, default, environ=environ)
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise EnvError(f"{name} must start with redis://, rediss:// or unix://, got {url!r}")
    return url


def celery_broker_url(redis_url: str) -> str:
    """Celery's kombu spells a Redis unix socket ``redis+socket://``; redis-py spells it ``unix://``."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    db = parse_qs(parts.query).get("db", ["0"])[0]
    return f"redis+socket://{unquote(parts.path)}?virtual_host={db}"
