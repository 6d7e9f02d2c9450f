"""Creating a tenant schema without running the migration history for every new tenant.

A schema named ``settings.TENANT_TEMPLATE_SCHEMA`` is migrated once per migration state; its DDL
and seed rows (migration records, content types, permissions) are captured with ``pg_dump`` and
kept in ``SchemaTemplate``. A new tenant schema is that SQL replayed under the new name: one
round trip whose cost does not depend on how many schemas the database already holds.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_exists

from tenants.db import tenant_connection
from tenants.models import SchemaTemplate

logger = logging.getLogger(__name__)

# pg_dump lines that would change the session (search_path, roles) or are psql meta-commands.
_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config|\\)")


class SchemaTemplateError(RuntimeError):
    pass


def template_schema_name() -> str:
    return str(settings.TENANT_TEMPLATE_SCHEMA)


@functools.cache
def migration_fingerprint() -> str:
    """A digest of every migration of the tenant apps, as found on disk (fixed per process)."""
    tenant_labels = {
        apps.get_app_config(app.rsplit(".", 1)[-1]).label for app in settings.TENANT_APPS
    }
    loader = MigrationLoader(None, ignore_no_migrations=True)
    names = sorted(key for key in loader.disk_migrations if key[0] in tenant_labels)
    digest = hashlib.sha256(repr(names).encode())
    return digest.hexdigest()


def _pg_dump_binary(server_major: int) -> str:
    configured = os.environ.get("PG_DUMP")
    if configured:
        return configured
    system = Path(f"/usr/lib/postgresql/{server_major}/bin/pg_dump")
    if system.exists():
        return str(system)
    try:  # the embedded server (pgserver) ships its own client tools
        from pgserver._commands import POSTGRES_BIN_PATH

        embedded = Path(POSTGRES_BIN_PATH) / "pg_dump"
        if embedded.exists():
            return str(embedded)
    except ImportError:
        pass
    found = shutil.which("pg_dump")
    if found:
        return found
    raise SchemaTemplateError("pg_dump not found: install the PostgreSQL client or set PG_DUMP")


def _dump_schema(schema: str) -> str:
    params = connection.settings_dict
    server_major = tenant_connection.pg_version // 10000
    command = [
        _pg_dump_binary(server_major),
        "--schema",
        schema,
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--inserts",
        "--dbname",
        params["NAME"],
        "--username",
        params.get("USER") or "postgres",
    ]
    if params.get("HOST"):
        command += ["--host", params["HOST"]]
    if params.get("PORT"):
        command += ["--port", str(params["PORT"])]
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SchemaTemplateError(f"pg_dump of {schema} failed: {result.stderr.strip()}")
    lines = [line for line in result.stdout.splitlines() if not _SESSION_LINE.match(line)]
    return "\n".join(lines)


def build_template(*, force: bool = False) -> SchemaTemplate:
    """Migrate the template schema and capture it. Needs committed data (runs pg_dump)."""
    fingerprint = migration_fingerprint()
    existing = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
    if existing is not None and not force:
        return existing
    schema = template_schema_name()
    logger.info("building tenant schema template %s (%s)", schema, fingerprint[:12])
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
    tenant_connection.set_schema_to_public()
    sql = _dump_schema(schema)
    if f"CREATE SCHEMA {schema};" not in sql:
        raise SchemaTemplateError("pg_dump output does not create the template schema")
    template, _created = SchemaTemplate.objects.update_or_create(
        fingerprint=fingerprint, defaults={"sql": sql}
    )
    SchemaTemplate.objects.exclude(pk=template.pk).delete()
    return template


def current_template() -> SchemaTemplate:
    """The template of the current migrations, built now if there is none. Building it runs
    pg_dump in another session, which would wait for ever on the locks of a transaction this
    connection holds: inside one, a missing template is an error, not a hang. Callers that
    create schemas in transactions (onboarding, spare schemas) call this first, outside them."""
    template = SchemaTemplate.objects.filter(fingerprint=migration_fingerprint()).first()
    if template is not None:
        return template
    if connection.in_atomic_block:
        raise SchemaTemplateError(
            "the tenant schema template is out of date and cannot be rebuilt inside a"
            " transaction (pg_dump would wait for it): run `manage.py platform_bootstrap`"
        )
    return build_template()


def render_for(template: SchemaTemplate, schema_name: str) -> str:
    source = template_schema_name()
    sql = template.sql.replace(f"CREATE SCHEMA {source};", f'CREATE SCHEMA "{schema_name}";')
    return re.sub(rf"\b{re.escape(source)}\.", f'"{schema_name}".', sql)


def create_schema_from_template(schema_name: str) -> bool:
    """Create ``schema_name`` with every tenant table. False if it already existed."""
    if schema_exists(schema_name):
        return False
    sql = render_for(current_template(), schema_name)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return True
