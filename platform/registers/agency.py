"""The one door from the tenant plane to the control plane: facts about the current municipality.

Registers code reads the municipality's names and letter-code prefix only through here, so the
boundary stays visible (Sentry's silo idea) and tests can see what is used.
"""

from __future__ import annotations

import dataclasses

from tenants.db import tenant_connection as connection


@dataclasses.dataclass(frozen=True)
class Agency:
    schema_name: str
    slug: str
    name_th: str
    name_en: str
    letter_code_prefix: str


def current_agency() -> Agency:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        raise RuntimeError("registers code runs inside a municipality's schema only")
    return Agency(
        schema_name=tenant.schema_name,
        slug=getattr(tenant, "slug", tenant.schema_name),
        name_th=getattr(tenant, "name_th", ""),
        name_en=getattr(tenant, "name_en", ""),
        letter_code_prefix=getattr(tenant, "letter_code_prefix", ""),
    )
