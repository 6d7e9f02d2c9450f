"""The export for a municipality that leaves: its tables in CSV (or JSON), its stored files,
and its registers as PDFs, zipped with a manifest of SHA-256 sums."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.backups]


def test_leaving_export_zip_holds_tables_files_and_register_pdfs(
    make_tenant: Any, tmp_path: Path
) -> None:
    from io import StringIO

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from registers.models import Attachment

    tenant = make_tenant(letters=3)
    with tenant:
        attachments = {str(a.file.name): a.sha256 for a in Attachment.objects.all()}

    out = StringIO()
    call_command(
        "export_municipality", tenant.slug, "--out", str(tmp_path), "--format", "csv", "--zip",
        stdout=out,
    )  # fmt: skip

    (archive,) = tmp_path.iterdir()
    assert archive.suffix == ".zip" and "exported" in out.getvalue()
    with zipfile.ZipFile(archive) as bundle:
        root = archive.stem
        manifest = json.loads(bundle.read(f"{root}/manifest.json"))
        assert manifest["format"] == "csv"
        for part in manifest["parts"]:
            data = bundle.read(f"{root}/{part['file']}")
            assert hashlib.sha256(data).hexdigest() == part["sha256"], part["file"]
            assert len(data) == part["bytes"]
        kinds = {p["kind"] for p in manifest["parts"]}
        assert kinds == {"table", "file", "register"}

        letters = bundle.read(f"{root}/registers.letter.csv").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(letters)))
        assert len(rows) == 3
        assert {r["subject"] for r in rows} >= {"หนังสือทดสอบการสำรองข้อมูล ฉบับที่ 1"}
        users = bundle.read(f"{root}/accounts.user.csv").decode("utf-8-sig")
        assert "password" not in users.splitlines()[0].split(",")

        files = {p["storage_path"]: p for p in manifest["parts"] if p["kind"] == "file"}
        assert set(files) == set(attachments)
        for path, sha in attachments.items():
            data = bundle.read(f"{root}/{files[path]['file']}")
            assert hashlib.sha256(data).hexdigest() == sha
            with default_storage.open(path, "rb") as original:
                assert original.read() == data

        registers = [p for p in manifest["parts"] if p["kind"] == "register"]
        assert [p["report"] for p in registers] == ["receive"]
        pdf = bundle.read(f"{root}/{registers[0]['file']}")
        assert pdf.startswith(b"%PDF")
