"""The default connection, typed as django-tenants' wrapper (schema_name, set_tenant, ...)."""

from typing import cast

from django.db import connection
from django_tenants.postgresql_backend.base import DatabaseWrapper

# ``connection`` is a proxy to the current thread's wrapper; the cast only informs the type checker.
tenant_connection = cast(DatabaseWrapper, connection)
