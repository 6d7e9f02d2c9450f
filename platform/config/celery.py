"""The Celery app: tasks run with the schema of the tenant that queued them active.

tenant-schemas-celery stores the schema in each message's headers and activates it in the worker;
a task queued from a request of tenant A can only ever run in A's schema.
"""

from __future__ import annotations

import os

from config.paths import ensure_import_roots

ensure_import_roots()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from celery.signals import task_prerun, worker_init  # noqa: E402
from tenant_schemas_celery.app import CeleryApp  # noqa: E402


class SarabanCelery(CeleryApp):
    pass


app = SarabanCelery("saraban")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _tag_sentry_with_schema(**_kwargs: object) -> None:
    from django.conf import settings

    from tenants.db import tenant_connection

    if settings.SENTRY_DSN:
        from config.sentry import tag_tenant

        tag_tenant(tenant_connection.schema_name)


@worker_init.connect
def _warm_up(**_kwargs: object) -> None:
    """Before the worker forks its pool: every child starts with the Thai dictionary loaded."""
    from config.warmup import warm_up

    warm_up()
