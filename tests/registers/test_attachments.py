"""Upload checks: the type is judged from the bytes, sizes are bounded, refusals are bilingual."""

from __future__ import annotations

from typing import Any

import pytest

from registers.errors import AttachmentRejected
from registers.inputs import FileInput
from registers.services import letters as svc
from registers.services.attachments import attachment_check, clean_file_name
from registers.services.downloads import download_name
from tests.registers.conftest import letter_input
from tests.registers.helpers_pdf import docx_bytes, exe_bytes, page_image, thai_pdf

pytestmark = [pytest.mark.registers]

THAI = range(0x0E00, 0x0E80)


def _has_thai(text: str) -> bool:
    return any(ord(ch) in THAI for ch in text)


def test_a_program_named_pdf_is_refused_in_thai_and_english() -> None:
    with pytest.raises(AttachmentRejected) as caught:
        attachment_check(FileInput(name="หนังสือราชการ.pdf", content=exe_bytes()), max_bytes=10**6)
    error = caught.value
    assert "หนังสือราชการ.pdf" in error.text("th")
    assert "ไม่ใช่ชนิดที่รับได้" in error.text("th")
    assert str(error) == f"{error.text('th')} / {error.text('en')}"


def test_an_empty_file_is_refused_in_thai_and_english() -> None:
    with pytest.raises(AttachmentRejected) as caught:
        attachment_check(FileInput(name="ว่าง.pdf", content=b""), max_bytes=10**6)
    error = caught.value
    assert error.text("th") == "ไฟล์ ว่าง.pdf ว่างเปล่า"
    assert error.text("en") == "The file ว่าง.pdf is empty"
    assert str(error) == "ไฟล์ ว่าง.pdf ว่างเปล่า / The file ว่าง.pdf is empty"


def test_an_oversized_file_is_refused_in_thai_and_english() -> None:
    pdf = thai_pdf()
    with pytest.raises(AttachmentRejected) as caught:
        attachment_check(FileInput(name="ใหญ่.pdf", content=pdf), max_bytes=len(pdf) - 1)
    error = caught.value
    assert "เกินกำหนด" in error.text("th")
    assert "over the limit" in error.text("en") and not _has_thai(
        error.text("en").replace("ใหญ่.pdf", "")
    )
    # Exactly at the limit is fine.
    assert attachment_check(FileInput(name="a.pdf", content=pdf), max_bytes=len(pdf))


@pytest.mark.django_db
def test_size_limit_comes_from_the_registry_settings(in_alpha: Any) -> None:
    from registers.models import RegistrySettings

    RegistrySettings.objects.update_or_create(pk=1, defaults={"max_attachment_mb": 1})
    big = thai_pdf() + b"\n%" + b"0" * (1024 * 1024)
    with pytest.raises(AttachmentRejected):
        attachment_check(FileInput(name="big.pdf", content=big))
    assert attachment_check(FileInput(name="small.pdf", content=thai_pdf())) == "application/pdf"


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("บันทึก.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("หนังสือ.pdf", thai_pdf, "application/pdf"),
        ("scan.png", lambda: page_image(thai_pdf(), fmt="png"), "image/png"),
        ("scan.jpg", lambda: page_image(thai_pdf(), fmt="jpeg"), "image/jpeg"),
        # The name says Word, the bytes say PDF: the bytes win.
        ("misnamed.docx", thai_pdf, "application/pdf"),
    ],
)  # fmt: skip
def test_allowed_types_are_judged_by_content(name: str, make: Any, content_type: str) -> None:
    assert attachment_check(FileInput(name=name, content=make()), max_bytes=10**7) == content_type


@pytest.mark.django_db
def test_intake_refuses_all_files_when_one_is_bad(clerk: Any) -> None:
    from registers.models import Letter

    with pytest.raises(AttachmentRejected):
        svc.intake_create(
            data=letter_input(),
            files=[
                FileInput(name="ok.pdf", content=thai_pdf()),
                FileInput(name="virus.pdf", content=exe_bytes()),
            ],
            actor=clerk,
        )
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_docx_is_stored_with_its_thai_name_and_hash(clerk: Any) -> None:
    import hashlib

    content = docx_bytes()
    letter = svc.intake_create(
        data=letter_input(),
        files=[FileInput(name="C:\\เอกสาร\\บันทึก.docx", content=content)],
        actor=clerk,
    )
    (stored,) = letter.attachments.all()
    assert stored.original_name == "บันทึก.docx"
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert stored.open_bytes() == content
    assert "บันทึก" not in stored.file.name  # storage keys never carry the sender's name


def test_file_names_are_cleaned_and_download_names_match_the_content() -> None:
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("ชื่อ\x00ไฟล์\n.pdf") == "ชื่อไฟล์.pdf"
    assert download_name("หนังสือ.pdf", "application/pdf") == "หนังสือ.pdf"
    assert download_name("หนังสือ.PDF", "application/pdf") == "หนังสือ.PDF"
    assert download_name("หนังสือ.exe", "application/pdf") == "หนังสือ.pdf"
    assert download_name("scan.jpeg", "image/jpeg") == "scan.jpeg"
    assert download_name("scan", "image/png") == "scan.png"
