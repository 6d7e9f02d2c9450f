"""A municipality's data in open formats, for when it leaves (issue 6 §4) or asks for a copy.

The export holds one file per table (JSON, or CSV that spreadsheets open), every stored file
(letters' PDFs and attachments, under ``files/`` by their storage path), and the registers and
retention lists printed as PDFs the way the regulation's forms look (``registers/``), with a
manifest giving the SHA-256, size and row count of each part. Optionally zipped.
Archived tenants stay exportable.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.storage import default_storage
from django.db import models

from tenants.models import Municipality

FORMAT_VERSION = 2
FORMATS = ("json", "csv")
# Secrets, not records: session keys, OTP device keys. Password hashes are left out below.
_EXCLUDED_APPS = {"sessions", "django_otp", "otp_totp", "otp_static"}
_EXCLUDED_FIELDS = {"password"}
_CHUNK = 1024 * 1024


def _tenant_models() -> list[type[models.Model]]:
    labels = {apps.get_app_config(app.rsplit(".", 1)[-1]).label for app in settings.TENANT_APPS}
    labels -= _EXCLUDED_APPS
    return [m for label in sorted(labels) for m in apps.get_app_config(label).get_models()]


def _part(folder: Path, path: Path, kind: str, rows: int | None = None) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    part: dict[str, Any] = {
        "file": path.relative_to(folder).as_posix(),
        "kind": kind,
        "bytes": path.stat().st_size,
        "sha256": digest.hexdigest(),
    }
    if rows is not None:
        part["rows"] = rows
    return part


def _json_table(model: type[models.Model], path: Path) -> int:
    rows = model._default_manager.order_by("pk")
    fields = [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and not f.primary_key and f.name not in _EXCLUDED_FIELDS
    ]
    data = serializers.serialize("json", rows, fields=fields, indent=1, ensure_ascii=False)
    path.write_text(data, encoding="utf-8")
    return rows.count()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return str(value)


def _csv_table(model: type[models.Model], path: Path) -> int:
    """One row per record: concrete columns by their database names, many-to-many as JSON ids."""
    fields = [f for f in model._meta.concrete_fields if f.name not in _EXCLUDED_FIELDS]
    many = list(model._meta.many_to_many)
    rows = model._default_manager.order_by("pk")
    if many:
        rows = rows.prefetch_related(*(f.name for f in many))
    count = 0
    # utf-8-sig: spreadsheet programs read Thai correctly only with the byte-order mark.
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([f.attname for f in fields] + [f.name for f in many])
        for obj in rows.iterator(chunk_size=2000):
            values = [_csv_value(f.value_from_object(obj)) for f in fields]
            values += [json.dumps([o.pk for o in getattr(obj, f.name).all()]) for f in many]
            writer.writerow(values)
            count += 1
    return count


def _stored_files() -> Iterator[str]:
    """Storage paths of every file the tenant's rows reference (inside its schema)."""
    for model in _tenant_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names = model._default_manager.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                )
                yield from (str(name) for name in names.order_by(field.name).iterator())


def _export_files(municipality: Municipality, folder: Path) -> list[dict[str, Any]]:
    prefix = f"tenants/{municipality.schema_name}/"
    parts = []
    for name in _stored_files():
        relative = name[len(prefix) :] if name.startswith(prefix) else name
        target = folder / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, _CHUNK)
        part = _part(folder, target, "file")
        part["storage_path"] = name
        parts.append(part)
    return parts


def _register_reports() -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, report_render keyword arguments) for every register year and retention list."""
    from registers.models import DestructionList, HandoverList, RegisterEntry, StorageRecord
    from registers.reports.kinds import REGISTER_KINDS
    from thaiformat.dates import BANGKOK

    for kind in sorted(REGISTER_KINDS):
        years = RegisterEntry.objects.filter(register=kind).datetimes(
            "registered_at", "year", tzinfo=BANGKOK
        )
        for year in years:
            yield kind, {"start": dt.date(year.year, 1, 1), "end": dt.date(year.year, 12, 31)}
    for year in StorageRecord.objects.datetimes("stored_at", "year", tzinfo=BANGKOK):
        yield (
            "storage_register",
            {"start": dt.date(year.year, 1, 1), "end": dt.date(year.year, 12, 31)},
        )
    for list_id in DestructionList.objects.order_by("pk").values_list("pk", flat=True):
        yield "destruction_list", {"start": None, "end": None, "list_id": list_id}
    for list_id in HandoverList.objects.order_by("pk").values_list("pk", flat=True):
        yield "handover_list", {"start": None, "end": None, "list_id": list_id}


def _export_registers(folder: Path) -> list[dict[str, Any]]:
    """Each register per year and each retention list as the regulation's PDF form."""
    from registers.reports import report_render

    target = folder / "registers"
    target.mkdir()
    parts = []
    for kind, arguments in _register_reports():
        rendered = report_render(kind, "pdf", **arguments)
        path = target / rendered.filename
        path.write_bytes(rendered.content)
        part = _part(folder, path, "register")
        part["report"] = kind
        parts.append(part)
    return parts


def _zip(folder: Path) -> Path:
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, arcname=path.relative_to(folder.parent).as_posix())
    shutil.rmtree(folder)
    return archive


def municipality_export(
    *,
    municipality: Municipality,
    destination: Path,
    fmt: str = "json",
    files: bool = True,
    registers: bool = True,
    archive: bool = False,
) -> Path:
    """Write the export into ``destination/<slug>-<UTC time>/`` (or that folder as ``.zip``
    when ``archive``) and return its path."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = destination / f"{municipality.slug}-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    parts = []
    with municipality:
        for model in _tenant_models():
            path = folder / f"{model._meta.label_lower}.{fmt}"
            write = _json_table if fmt == "json" else _csv_table
            rows = write(model, path)
            parts.append(_part(folder, path, "table", rows))
        if files:
            parts += _export_files(municipality, folder)
        if registers:
            parts += _export_registers(folder)
    manifest = {
        "format_version": FORMAT_VERSION,
        "format": fmt,
        "municipality": {"slug": municipality.slug, "name_th": municipality.name_th,
                         "schema": municipality.schema_name, "state": municipality.state},
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "parts": parts,
    }  # fmt: skip
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return _zip(folder) if archive else folder
