"""A municipality's usage (letters this year, storage), measured in its own schema and kept in
the control plane's TenantUsage so that the console never visits thousands of schemas."""

from __future__ import annotations

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from tenants.db import tenant_connection
from tenants.models import Municipality, TenantUsage

# The schema's tables, indexes and TOAST, found through pg_class's namespace (one query).
_SCHEMA_BYTES = """
    SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = %s AND c.relkind IN ('r', 'm')
"""


def usage_record_current() -> TenantUsage:
    """Measure the active tenant schema (a task queued per tenant runs in it) and store it."""
    from registers.models import Attachment, Letter

    schema = tenant_connection.schema_name
    municipality = Municipality.objects.get(schema_name=schema)
    now = timezone.localtime()
    letters = Letter.objects.filter(created_at__year=now.year).count()
    files = Attachment.objects.aggregate(total=Sum("size"))["total"] or 0
    with connection.cursor() as cursor:
        cursor.execute(_SCHEMA_BYTES, [schema])
        (database_bytes,) = cursor.fetchone()
    usage, _created = TenantUsage.objects.update_or_create(
        municipality=municipality,
        defaults={
            "year": now.year,
            "letters_this_year": letters,
            "files_bytes": int(files),
            "database_bytes": int(database_bytes),
            "computed_at": timezone.now(),
        },
    )
    return usage
