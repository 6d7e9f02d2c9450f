"""The typed-name signature (amendment No. 4 of 2564): recorded with the logged-in user, the
time, the IP and the document's SHA-256, and printed on the document as a visible block."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from registers.models import AuditEntry
from signing.selectors import typed_signatures_for_hash
from signing.services import SignatureAppearance, typed_name_sign
from tests.conftest import make_staff
from tests.signing.conftest import letter_pdf

pytestmark = [pytest.mark.letters, pytest.mark.django_db]


def test_typed_name_is_recorded_and_printed(alpha: Any, tmp_path: Path) -> None:
    user = make_staff(alpha, "typist", role_codes=("executive",), first_name="สมหญิง")
    original = letter_pdf()
    before = timezone.now()
    with alpha:
        result = typed_name_sign(
            pdf=original,
            user=user,
            visible=SignatureAppearance(
                name_th="นางสมหญิง รักษ์ถิ่น", position_th="ปลัดเทศบาลตำบลอัลฟา", page=0
            ),
            ip_address="203.0.113.7",
            reason="ลงนามหนังสือภายใน",
        )
        record = result.record
        assert record.user == user
        assert record.ip_address == "203.0.113.7"
        assert record.document_sha256 == hashlib.sha256(original).hexdigest()
        assert record.signed_sha256 == hashlib.sha256(result.pdf).hexdigest()
        assert before <= record.signed_at <= timezone.now()
        assert list(typed_signatures_for_hash(record.document_sha256)) == [record]
        assert list(typed_signatures_for_hash(record.signed_sha256)) == [record]
        entry = AuditEntry.objects.get(action="signing.typed_name")
        assert entry.actor == user and entry.data["document_sha256"] == record.document_sha256
    assert result.pdf.startswith(original)  # an incremental update: the original is untouched
    path = tmp_path / "typed.pdf"
    path.write_bytes(result.pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "ลงลายมือชื่อโดยพิมพ์ชื่อ" in text
    assert "นางสมหญิง รักษ์ถิ่น" in text
    assert record.document_sha256[:16] in text
    local = timezone.localtime(record.signed_at)  # Asia/Bangkok
    assert f"{local:%H:%M} น." in text
    shots = Path(settings.VAR_DIR) / "screenshots" / "signing"
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(shots / "typed-name"),
        ],
        check=True,
    )
