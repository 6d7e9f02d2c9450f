"""Words in attached PDFs find the letter: pdftotext reads the Thai, bounded in pages and time."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.postgres.search import SearchQuery

from registers.choices import AttachmentRole
from registers.inputs import FileInput
from registers.models import Attachment, Letter
from registers.pdf import text as text_module
from registers.pdf.text import pdf_text
from registers.search.indexing import segment
from registers.services import letters as svc
from registers.services.attachments import attachment_store
from tests.registers.conftest import letter_input, pdf_bytes
from tests.registers.helpers_pdf import page_image, thai_pdf

pytestmark = [pytest.mark.registers]

BODY = "ขอความร่วมมือขุดลอกคลองส่งน้ำหมู่ที่ 7 ตำบลน้ำใส"


def _found(term: str) -> list[int]:
    query = SearchQuery(" ".join(segment(term)), config="simple", search_type="plain")
    return list(Letter.objects.filter(search_document=query).values_list("pk", flat=True))


def test_thai_text_comes_out_in_reading_order() -> None:
    text = pdf_text(thai_pdf(body=BODY))
    assert BODY in text
    assert "ที่ ขก 0023.3/ว 1234" in text


def test_pages_are_bounded() -> None:
    pdf = thai_pdf(body=BODY, pages=3)
    assert text_module.pdf_text(pdf).count("หน้าถัดไป") == 2
    assert text_module.pdf_text(pdf, max_pages=2).count("หน้าถัดไป") == 1


def test_no_text_gives_empty_string() -> None:
    assert pdf_text(b"") == ""
    assert pdf_text(b"not a pdf at all") == ""
    assert pdf_text(b"%PDF-1.7\n garbage without pages") == ""
    assert pdf_text(pdf_bytes()) == ""  # a blank page


def test_time_limit_gives_empty_string(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    def slow(*args: Any, **kwargs: Any) -> Any:
        raise subprocess.TimeoutExpired(cmd="pdftotext", timeout=kwargs.get("timeout", 0))

    monkeypatch.setattr(text_module.subprocess, "run", slow)
    assert pdf_text(thai_pdf()) == ""


def test_missing_pdftotext_gives_empty_string(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert pdf_text(thai_pdf()) == ""


@pytest.mark.django_db
def test_intake_pdf_text_is_stored_and_finds_the_letter(clerk: Any) -> None:
    letter = svc.intake_create(
        data=letter_input(subject="เรื่องที่ไม่เกี่ยวกับคลอง"),
        files=[FileInput(name="หนังสือ.pdf", content=thai_pdf(body=BODY))],
        actor=clerk,
    )
    main = Attachment.objects.get(letter=letter, role=AttachmentRole.MAIN)
    assert BODY in main.text
    assert _found("ขุดลอกคลองส่งน้ำ") == [letter.pk]
    assert _found("น้ำใส") == [letter.pk]
    assert _found("ขุดลอกคลองส่งน้ำ ไม่มีคำนี้ในเอกสาร") == []


@pytest.mark.django_db
def test_attachment_added_later_reindexes_the_letter(clerk: Any) -> None:
    letter = svc.intake_create(data=letter_input(), actor=clerk)
    assert _found("ขุดลอกคลองส่งน้ำ") == []
    attachment_store(
        letter=letter,
        upload=FileInput(name="แนบ.pdf", content=thai_pdf(body=BODY)),
        actor=clerk,
    )
    assert _found("ขุดลอกคลองส่งน้ำ") == [letter.pk]


@pytest.mark.django_db
def test_images_and_office_files_store_no_text(clerk: Any) -> None:
    from tests.registers.helpers_pdf import docx_bytes

    letter = svc.intake_create(
        data=letter_input(),
        files=[
            FileInput(name="scan.png", content=page_image(thai_pdf(body=BODY), fmt="png")),
            FileInput(name="a.docx", content=docx_bytes()),
        ],
        actor=clerk,
    )
    assert list(letter.attachments.values_list("text", flat=True)) == ["", ""]
