"""Downloads: only for those who may see the letter; classified letters leave watermarked with
the viewer's name and the time, and each such download is audited; normal ones leave as stored."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.utils import timezone

from registers.choices import AttachmentRole, Secrecy
from registers.errors import AttachmentRejected, NotAllowed
from registers.inputs import FileInput
from registers.models import Attachment, AuditEntry
from registers.services import letters as svc
from registers.services.downloads import attachment_for_download
from tests.conftest import make_staff
from tests.registers.conftest import letter_input
from tests.registers.helpers_pdf import (
    docx_bytes,
    page_image,
    page_sizes,
    pdf_to_text,
    region_colours,
    rotated,
    thai_pdf,
    translucent_red,
)

pytestmark = [pytest.mark.registers, pytest.mark.django_db]


@pytest.fixture
def somchai(in_alpha: Any) -> Any:
    """A clerk with a full Thai name, who files the classified letters."""
    return make_staff(
        in_alpha, "somchai", role_codes=("central_clerk",), first_name="สมชาย", last_name="ใจดี"
    )


@pytest.fixture
def outsider(in_alpha: Any) -> Any:
    return make_staff(
        in_alpha, "outsider", role_codes=("officer",), first_name="วิชัย", last_name="นอกวง"
    )


def _letter(actor: Any, files: list[FileInput], secrecy: str = Secrecy.NORMAL) -> Any:
    return svc.intake_create(
        data=letter_input(secrecy=secrecy, subject=f"เรื่องทดสอบ {secrecy}"),
        files=files,
        actor=actor,
    )


def _main(letter: Any) -> Attachment:
    return Attachment.objects.get(letter=letter, role=AttachmentRole.MAIN)


def test_normal_letter_file_leaves_byte_for_byte(somchai: Any, outsider: Any) -> None:
    original = thai_pdf()
    letter = _letter(somchai, [FileInput(name="หนังสือ.pdf", content=original)])
    download = attachment_for_download(attachment=_main(letter), viewer=outsider)
    assert download.content == original
    assert download.content_type == "application/pdf"
    assert download.filename == "หนังสือ.pdf"
    assert "สมชาย" not in pdf_to_text(download.content)
    assert "วิชัย" not in pdf_to_text(download.content)
    assert region_colours(download.content, (0.2, 0.4, 0.8, 0.6)) == []
    assert not AuditEntry.objects.filter(action="attachment.download").exists()


@pytest.mark.parametrize("secrecy", [Secrecy.CONFIDENTIAL, Secrecy.SECRET])
def test_classified_pdf_is_watermarked_on_every_page_and_audited(
    somchai: Any, secrecy: str
) -> None:
    original = thai_pdf(pages=2)
    letter = _letter(somchai, [FileInput(name="ลับ.pdf", content=original)], secrecy=secrecy)
    main = _main(letter)

    download = attachment_for_download(attachment=main, viewer=somchai)

    assert download.content_type == "application/pdf"
    assert download.filename == "ลับ.pdf"
    assert download.content != original
    assert not download.content.startswith(original)  # rewritten whole, not a peelable update
    # The name runs along the diagonal (read in drawing order) and along the foot of each page.
    assert "สมชาย ใจดี" in pdf_to_text(download.content, raw=True)
    footer = pdf_to_text(download.content)
    label = "ลับมาก" if secrecy == Secrecy.SECRET else "ลับ"
    assert footer.count(f"สมชาย ใจดี · {label} · ") == 2
    today = timezone.localtime()
    from thaiformat.dates import format_thai_date

    assert format_thai_date(today) in footer
    assert "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น" in footer  # the letter itself is still there
    # Light red ink across the middle of every page, where the letter has no text of its own.
    middle = (0.2, 0.4, 0.8, 0.6)
    assert region_colours(original, middle) == []
    for page in (1, 2):
        colours = region_colours(download.content, middle, page=page)
        assert translucent_red(colours) > 0.8 * len(colours) > 50
    # The stored original is untouched.
    main.refresh_from_db()
    assert main.open_bytes() == original
    audit = AuditEntry.objects.get(action="attachment.download")
    assert audit.actor == somchai and audit.letter_id == letter.pk
    assert audit.data["attachment"] == main.pk
    assert audit.data["sha256"] == main.sha256
    assert audit.data["served_sha256"] == hashlib.sha256(download.content).hexdigest()
    assert audit.data["watermark"] == "สมชาย ใจดี"
    attachment_for_download(attachment=main, viewer=somchai)
    assert AuditEntry.objects.filter(action="attachment.download").count() == 2


def test_watermark_follows_a_rotated_page(somchai: Any) -> None:
    letter = _letter(
        somchai, [FileInput(name="r.pdf", content=rotated(thai_pdf(), 90))], Secrecy.CONFIDENTIAL
    )
    download = attachment_for_download(attachment=_main(letter), viewer=somchai)
    assert page_sizes(download.content)[0][2] == 90
    assert "สมชาย ใจดี ·" in pdf_to_text(download.content)
    assert translucent_red(region_colours(download.content, (0.3, 0.4, 0.7, 0.6))) > 50


def test_classified_letter_is_refused_to_someone_not_named(somchai: Any, outsider: Any) -> None:
    letter = _letter(somchai, [FileInput(name="ลับ.pdf", content=thai_pdf())], Secrecy.SECRET)
    with pytest.raises(NotAllowed) as caught:
        attachment_for_download(attachment=_main(letter), viewer=outsider)
    assert "ไม่มีสิทธิ์" in caught.value.text("th")
    assert not AuditEntry.objects.filter(action="attachment.download").exists()


def test_a_person_granted_access_gets_their_own_name(somchai: Any, outsider: Any) -> None:
    letter = _letter(somchai, [FileInput(name="ลับ.pdf", content=thai_pdf())], Secrecy.CONFIDENTIAL)
    svc.letter_grant_access(letter=letter, actor=somchai, user_ids=[outsider.pk])
    download = attachment_for_download(attachment=_main(letter), viewer=outsider)
    text = pdf_to_text(download.content)
    assert "วิชัย นอกวง ·" in text and "สมชาย" not in text


def test_classified_image_becomes_a_watermarked_pdf(somchai: Any) -> None:
    scan = page_image(thai_pdf(), dpi=60, fmt="png")
    letter = _letter(somchai, [FileInput(name="สแกน.png", content=scan)], Secrecy.CONFIDENTIAL)
    download = attachment_for_download(attachment=_main(letter), viewer=somchai)
    assert download.content_type == "application/pdf"
    assert download.filename == "สแกน.pdf"
    assert download.content.startswith(b"%PDF")
    assert "สมชาย ใจดี ·" in pdf_to_text(download.content)
    assert translucent_red(region_colours(download.content, (0.2, 0.4, 0.8, 0.6))) > 50


def test_classified_office_file_is_refused_with_a_clear_reason(somchai: Any) -> None:
    letter = _letter(
        somchai, [FileInput(name="บันทึก.docx", content=docx_bytes())], Secrecy.CONFIDENTIAL
    )
    with pytest.raises(NotAllowed) as caught:
        attachment_for_download(attachment=_main(letter), viewer=somchai)
    message = caught.value.text("th")
    assert "บันทึก.docx" in message and "ลายน้ำ" in message and "PDF" in message


def test_damaged_classified_pdf_is_refused_not_sent_bare(somchai: Any) -> None:
    from django.core.files.base import ContentFile

    letter = _letter(somchai, [FileInput(name="ลับ.pdf", content=thai_pdf())], Secrecy.CONFIDENTIAL)
    main = _main(letter)
    junk = b"%PDF-1.4\n%%EOF\n"
    main.file.save("x.pdf", ContentFile(junk), save=False)
    main.sha256 = hashlib.sha256(junk).hexdigest()
    main.save()
    with pytest.raises(AttachmentRejected):
        attachment_for_download(attachment=main, viewer=somchai)
    assert not AuditEntry.objects.filter(action="attachment.download").exists()


def test_removed_file_is_refused(somchai: Any) -> None:
    letter = _letter(somchai, [FileInput(name="a.pdf", content=thai_pdf())])
    main = _main(letter)
    main.removed_at = timezone.now()
    main.save(update_fields=["removed_at"])
    with pytest.raises(NotAllowed) as caught:
        attachment_for_download(attachment=main, viewer=somchai)
    assert "ทำลาย" in caught.value.text("th")


def test_stored_bytes_that_no_longer_match_their_hash_are_not_served(somchai: Any) -> None:
    from django.core.files.base import ContentFile

    from registers.errors import InvalidState

    letter = _letter(somchai, [FileInput(name="a.pdf", content=thai_pdf())])
    main = _main(letter)
    main.file.save("swapped.pdf", ContentFile(thai_pdf(body="ข้อความที่ถูกแก้")), save=False)
    main.save()
    with pytest.raises(InvalidState):
        attachment_for_download(attachment=main, viewer=somchai)
