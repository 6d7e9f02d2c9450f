"""A municipality's data in open formats: one JSON file per table of its schema, and a manifest.

Used when a municipality leaves (archived tenants stay exportable) and by the vendor on request.
Stored files and register PDFs join the export when the registers and backups issues add them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import models

from tenants.models import Municipality

FORMAT_VERSION = 1
# Secrets, not records: session keys, OTP device keys. Password hashes are left out below.
_EXCLUDED_APPS = {"sessions", "django_otp", "otp_totp", "otp_static"}
_EXCLUDED_FIELDS = {"password"}


def _tenant_models() -> list[type[models.Model]]:
    labels = {apps.get_app_config(app.rsplit(".", 1)[-1]).label for app in settings.TENANT_APPS}
    labels -= _EXCLUDED_APPS
    return [m for label in sorted(labels) for m in apps.get_app_config(label).get_models()]


def municipality_export(*, municipality: Municipality, destination: Path) -> Path:
    """Write the export into ``destination/<slug>-<UTC time>/`` and return that folder."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = destination / f"{municipality.slug}-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    parts = []
    with municipality:
        for model in _tenant_models():
            name = f"{model._meta.label_lower}.json"
            rows = model._default_manager.order_by("pk")
            fields = [
                f.name
                for f in model._meta.get_fields()
                if f.concrete and not f.primary_key and f.name not in _EXCLUDED_FIELDS
            ]
            data = serializers.serialize("json", rows, fields=fields, indent=1, ensure_ascii=False)
            path = folder / name
            path.write_text(data, encoding="utf-8")
            parts.append(
                {
                    "file": name,
                    "rows": rows.count(),
                    "bytes": path.stat().st_size,
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                }
            )
    manifest = {
        "format_version": FORMAT_VERSION,
        "municipality": {"slug": municipality.slug, "name_th": municipality.name_th,
                         "schema": municipality.schema_name, "state": municipality.state},
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "parts": parts,
    }  # fmt: skip
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return folder
