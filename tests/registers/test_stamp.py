"""The receipt stamp (ตรารับ, form 12): top right of page 1 as displayed, Thai text extractable,
original untouched, once per receipt, and caught up by the beat task when the hook failed."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pytest

from registers.choices import AttachmentRole, EntryStatus
from registers.errors import InvalidState
from registers.inputs import FileInput
from registers.models import Attachment, AuditEntry, RegistrySettings
from registers.pdf import stamp as stamp_module
from registers.pdf.render import PdfError
from registers.pdf.stamp import ReceiptStamp, stamp_first_page, stamp_overlay
from registers.services import letters as svc
from registers.services import stamping
from registers.services.audit import audit_verify
from registers.services.stamping import letter_stamp_receipt
from registers.tasks.receipts import stamp_missing_receipts
from tests.registers.conftest import letter_input
from tests.registers.helpers_pdf import (
    blue_mask,
    docx_bytes,
    ink_box,
    overlap,
    page_image,
    pdf_to_text,
    rotated,
    shifted_origin,
    thai_pdf,
    turned_half,
)

pytestmark = [pytest.mark.registers]

STAMP = ReceiptStamp(agency="เทศบาลตำบลอัลฟา", number="12", date="21 พฤศจิกายน 2569", time="10.35 น.")


def _expected_box(width_mm: float, height_mm: float, right: float = 10, top: float = 10) -> tuple:
    """(left, top, right, bottom) of a 50 x 25 mm stamp as fractions of the displayed page."""
    return (
        (width_mm - right - 50) / width_mm,
        top / height_mm,
        (width_mm - right) / width_mm,
        (top + 25) / height_mm,
    )


def _assert_box(found: Any, expected: tuple, tolerance: float = 0.012) -> None:
    assert found is not None, "no stamp ink on the page"
    for got, want in zip(found[:4], expected, strict=True):
        assert abs(got - want) < tolerance, (found[:4], expected)


# --- the PDF operation itself --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "size_mm"),
    [
        ("a4 portrait", lambda: thai_pdf(), (210, 297)),
        ("a4 landscape", lambda: thai_pdf(landscape=True), (297, 210)),
        ("portrait turned 90", lambda: rotated(thai_pdf(), 90), (297, 210)),
        ("portrait turned 180", lambda: rotated(thai_pdf(), 180), (210, 297)),
        ("portrait turned 270", lambda: rotated(thai_pdf(), 270), (297, 210)),
        ("landscape turned 90", lambda: rotated(thai_pdf(landscape=True), 90), (210, 297)),
        ("media box not at 0,0", lambda: shifted_origin(thai_pdf()), (210, 297)),
    ],
)
def test_stamp_lands_top_right_as_displayed_and_upright(
    name: str, make: Any, size_mm: tuple
) -> None:
    original = make()
    stamped = stamp_first_page(original, STAMP)
    _assert_box(ink_box(stamped), _expected_box(*size_mm))
    # Upright: the stamp on the page looks like the stamp alone, not like it turned over.
    reference = blue_mask(stamp_overlay(STAMP))
    on_page = blue_mask(stamped)
    assert overlap(on_page, reference) > 0.5
    assert overlap(on_page, reference) > overlap(on_page, turned_half(reference)) + 0.2
    # The letter's own text is still there and no other ink was added.
    assert ink_box(original, blue=False) is not None
    assert ink_box(original) is None


def test_stamp_position_follows_the_settings_offsets() -> None:
    stamped = stamp_first_page(thai_pdf(), STAMP, right_mm=30, top_mm=50)
    _assert_box(ink_box(stamped), _expected_box(210, 297, right=30, top=50))


def test_stamp_only_on_the_first_page() -> None:
    stamped = stamp_first_page(thai_pdf(pages=3), STAMP)
    assert ink_box(stamped, page=1) is not None
    assert ink_box(stamped, page=2) is None
    assert ink_box(stamped, page=3) is None


def test_small_page_gets_a_smaller_stamp_inside_the_page() -> None:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=40 * 72 / 25.4, height=30 * 72 / 25.4)  # a 4 x 3 cm slip
    out = io.BytesIO()
    writer.write(out)
    found = ink_box(stamp_first_page(out.getvalue(), STAMP), dpi=150)
    assert found is not None
    left, top, right, bottom = found[:4]
    assert left >= 0 and right <= 1 and top >= 0 and bottom <= 1
    assert right > 0.9 and top < 0.1


def test_stamped_text_is_thai_that_pdftotext_reads() -> None:
    text = pdf_to_text(stamp_first_page(thai_pdf(), STAMP))
    assert "เทศบาลตำบลอัลฟา" in text
    assert "เลขรับ" in text and "12" in text
    assert "21 พฤศจิกายน 2569" in text
    assert "10.35 น." in text
    assert "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น" in text  # the letter's own words survive


def test_stamped_copy_is_an_incremental_update_of_the_original() -> None:
    original = thai_pdf()
    stamped = stamp_first_page(original, STAMP)
    assert stamped.startswith(original)  # a signature over the original still verifies
    assert len(stamped) > len(original)


def test_damaged_and_password_pdfs_are_refused() -> None:
    with pytest.raises(PdfError):
        stamp_first_page(b"%PDF-1.7\nnot really a pdf", STAMP)
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(thai_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(PdfError):
        stamp_first_page(locked.getvalue(), STAMP)


def test_owner_password_only_pdf_is_stamped_as_a_plain_copy() -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(thai_pdf())))
    writer.encrypt(user_password="", owner_password="owner")
    protected = io.BytesIO()
    writer.write(protected)
    stamped = stamp_first_page(protected.getvalue(), STAMP)
    assert "เลขรับ" in pdf_to_text(stamped)
    _assert_box(ink_box(stamped), _expected_box(210, 297))


# --- the service on a received letter --------------------------------------------------------


def _received(clerk: Any, files: list[FileInput], **overrides: Any) -> Any:
    letter = svc.intake_create(data=letter_input(**overrides), files=files, actor=clerk)
    return svc.letter_register_incoming(letter=letter, actor=clerk)


@pytest.mark.django_db
def test_stamping_a_received_letter_keeps_the_original_and_audits_both_hashes(clerk: Any) -> None:
    original_bytes = thai_pdf()
    entry = _received(clerk, [FileInput(name="หนังสือเชิญประชุม.pdf", content=original_bytes)])
    main = Attachment.objects.get(letter=entry.letter, role=AttachmentRole.MAIN)

    stamped = letter_stamp_receipt(entry=entry, actor=clerk)

    assert stamped is not None
    assert stamped.role == AttachmentRole.STAMPED
    assert stamped.derived_from_id == main.pk
    assert stamped.content_type == "application/pdf"
    assert stamped.original_name == "หนังสือเชิญประชุม-ตรารับ.pdf"
    stamped_bytes = stamped.open_bytes()
    assert stamped.sha256 == hashlib.sha256(stamped_bytes).hexdigest() != main.sha256
    assert stamped.size == len(stamped_bytes)
    main.refresh_from_db()
    assert main.open_bytes() == original_bytes
    assert main.sha256 == hashlib.sha256(original_bytes).hexdigest()
    text = pdf_to_text(stamped_bytes)
    assert "เทศบาลตำบลอัลฟา" in text  # alpha's name_th, no stamp name set
    assert f"เลขรับ {entry.number}" in text
    audit = AuditEntry.objects.get(action="attachment.stamp", letter=entry.letter)
    assert audit.data["source_sha256"] == main.sha256
    assert audit.data["stamped_sha256"] == stamped.sha256
    assert audit.data["entry"] == entry.pk and audit.data["number"] == entry.number
    assert audit.actor == clerk
    assert audit_verify().ok


@pytest.mark.django_db
def test_stamping_twice_makes_one_copy(clerk: Any) -> None:
    entry = _received(clerk, [FileInput(name="a.pdf", content=thai_pdf())])
    first = letter_stamp_receipt(entry=entry)
    second = letter_stamp_receipt(entry=entry)
    assert first is not None and second is not None and first.pk == second.pk
    assert Attachment.objects.filter(letter=entry.letter, role=AttachmentRole.STAMPED).count() == 1
    assert AuditEntry.objects.filter(action="attachment.stamp").count() == 1


@pytest.mark.django_db
def test_stamp_uses_the_settings_name_and_thai_digits(clerk: Any) -> None:
    RegistrySettings.objects.update_or_create(
        pk=1, defaults={"stamp_agency_name": "สำนักปลัดเทศบาล", "thai_digits": True}
    )
    entry = _received(clerk, [FileInput(name="a.pdf", content=thai_pdf())])
    stamped = letter_stamp_receipt(entry=entry)
    assert stamped is not None
    text = pdf_to_text(stamped.open_bytes())
    assert "สำนักปลัดเทศบาล" in text
    from thaiformat.dates import thai_digits

    assert f"เลขรับ {thai_digits(entry.number)}" in text
    assert " น." in text and any(ch in text for ch in "๐๑๒๓๔๕๖๗๘๙")


@pytest.mark.django_db
def test_scanned_jpeg_main_file_becomes_a_stamped_pdf(clerk: Any) -> None:
    scan = page_image(thai_pdf(), dpi=60, fmt="jpeg")
    entry = _received(clerk, [FileInput(name="scan.jpg", content=scan)])
    stamped = letter_stamp_receipt(entry=entry)
    assert stamped is not None
    assert stamped.original_name == "scan-ตรารับ.pdf"
    pdf = stamped.open_bytes()
    assert pdf.startswith(b"%PDF")
    _assert_box(ink_box(pdf), _expected_box(210, 297))
    assert f"เลขรับ {entry.number}" in pdf_to_text(pdf)
    assert AuditEntry.objects.get(action="attachment.stamp").data["from_image"] is True


@pytest.mark.django_db
def test_nothing_to_stamp_without_a_pdf_or_image_main_file(clerk: Any) -> None:
    no_files = _received(clerk, [], subject="ไม่มีไฟล์")
    assert letter_stamp_receipt(entry=no_files) is None
    office = _received(clerk, [FileInput(name="a.docx", content=docx_bytes())], subject="docx")
    assert letter_stamp_receipt(entry=office) is None
    # typst reads no TIFF: such scans stay unstamped, and the catch-up task does not retry them.
    tiff = page_image(thai_pdf(), dpi=30, fmt="tiff")
    scan = _received(clerk, [FileInput(name="scan.tif", content=tiff)], subject="tiff")
    assert scan.letter.attachments.get().content_type == "image/tiff"
    assert letter_stamp_receipt(entry=scan) is None
    assert not Attachment.objects.filter(role=AttachmentRole.STAMPED).exists()
    assert list(stamping.entries_missing_stamp()) == []


@pytest.mark.django_db
def test_cancelled_entry_is_not_stamped_and_the_new_number_gets_its_own_copy(clerk: Any) -> None:
    entry = _received(clerk, [FileInput(name="a.pdf", content=thai_pdf())])
    old_copy = letter_stamp_receipt(entry=entry)
    svc.entry_cancel(entry=entry, actor=clerk, reason="ลงรับผิดฉบับ")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CANCELLED
    with pytest.raises(InvalidState):
        letter_stamp_receipt(entry=entry)
    again = svc.letter_register_incoming(letter=entry.letter, actor=clerk)
    new_copy = letter_stamp_receipt(entry=again)
    assert old_copy is not None and new_copy is not None and new_copy.pk != old_copy.pk
    assert f"เลขรับ {again.number}" in pdf_to_text(new_copy.open_bytes())


@pytest.mark.django_db
def test_registration_stamps_after_commit(
    clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    letter = svc.intake_create(
        data=letter_input(), files=[FileInput(name="a.pdf", content=thai_pdf())], actor=clerk
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = svc.letter_register_incoming(letter=letter, actor=clerk)
    # Nothing is stamped inside the registering transaction ...
    assert not Attachment.objects.filter(role=AttachmentRole.STAMPED).exists()
    assert len(callbacks) == 1
    callbacks[0]()  # ... only once it has committed.
    stamped = Attachment.objects.get(letter=letter, role=AttachmentRole.STAMPED)
    assert f"เลขรับ {entry.number}" in pdf_to_text(stamped.open_bytes())


@pytest.mark.django_db
def test_failed_stamp_keeps_the_registration_and_the_task_stamps_it_later(
    clerk: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    letter = svc.intake_create(
        data=letter_input(), files=[FileInput(name="a.pdf", content=thai_pdf())], actor=clerk
    )

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise PdfError("typst is down")

    monkeypatch.setattr(stamping, "stamp_first_page", broken)
    with (
        caplog.at_level(logging.ERROR, logger="registers.services.stamping"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        entry = svc.letter_register_incoming(letter=letter, actor=clerk)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE and entry.number >= 1
    assert not Attachment.objects.filter(role=AttachmentRole.STAMPED).exists()
    assert "receipt stamp failed" in caplog.text
    assert list(stamping.entries_missing_stamp()) == [entry]

    monkeypatch.setattr(stamping, "stamp_first_page", stamp_module.stamp_first_page)
    result = stamp_missing_receipts()

    assert result["stamped"] == 1 and result["failed"] == 0
    stamped = Attachment.objects.get(letter=letter, role=AttachmentRole.STAMPED)
    assert f"เลขรับ {entry.number}" in pdf_to_text(stamped.open_bytes())
    assert AuditEntry.objects.get(action="attachment.stamp").actor is None  # the system did it
    assert list(stamping.entries_missing_stamp()) == []
    assert stamp_missing_receipts()["stamped"] == 0


@pytest.mark.django_db
def test_task_counts_a_damaged_main_file_as_failed_and_goes_on(clerk: Any) -> None:
    from django.core.files.base import ContentFile

    bad = _received(clerk, [FileInput(name="bad.pdf", content=thai_pdf())], subject="เสีย")
    good = _received(clerk, [FileInput(name="good.pdf", content=thai_pdf())], subject="ดี")
    # Replace the bad letter's bytes (and hash) with a PDF header and nothing else.
    main = Attachment.objects.get(letter=bad.letter, role=AttachmentRole.MAIN)
    junk = b"%PDF-1.4\n%%EOF\n"
    main.file.save("bad.pdf", ContentFile(junk), save=False)
    main.sha256 = hashlib.sha256(junk).hexdigest()
    main.save()

    result = stamp_missing_receipts()

    assert result == {**result, "stamped": 1, "failed": 1}
    assert Attachment.objects.filter(letter=good.letter, role=AttachmentRole.STAMPED).exists()
    assert list(stamping.entries_missing_stamp()) == [bad]


def test_stamping_runs_after_commit_and_never_holds_the_numbering_lock(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one registration's stamp is still being drawn, another registration gets its
    number at once; both letters end up stamped with their own numbers."""
    import threading

    from django.db import connections

    from registers.models import Letter
    from tests.conftest import make_staff

    tenant = committed_tenant
    user = make_staff(tenant, "stamper", role_codes=("central_clerk",))
    with tenant:
        first, second = (
            svc.intake_create(
                data=letter_input(subject=f"ตรารับพร้อมกัน {i}"),
                files=[FileInput(name=f"{i}.pdf", content=thai_pdf())],
                actor=user,
            ).pk
            for i in (1, 2)
        )
    drawing = threading.Event()
    release = threading.Event()
    real_stamp = stamp_module.stamp_first_page

    def slow_stamp(data: bytes, stamp: ReceiptStamp, **kwargs: Any) -> bytes:
        if stamp.number == "1":
            drawing.set()
            assert release.wait(30)
        return real_stamp(data, stamp, **kwargs)

    monkeypatch.setattr(stamping, "stamp_first_page", slow_stamp)
    errors: list[BaseException] = []

    def register_first() -> None:
        try:
            with tenant:
                svc.letter_register_incoming(letter=Letter.objects.get(pk=first), actor=user)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=register_first)
    worker.start()
    try:
        assert drawing.wait(30), "the first stamp never started"
        # The first registration has committed and is drawing its stamp: numbering is free.
        with tenant:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            entry = svc.letter_register_incoming(letter=Letter.objects.get(pk=second), actor=user)
            assert entry.number == 2
    finally:
        release.set()
        worker.join(60)
    assert not errors
    with tenant:
        for pk, number in ((first, 1), (second, 2)):
            stamped = Attachment.objects.get(letter_id=pk, role=AttachmentRole.STAMPED)
            assert f"เลขรับ {number}" in pdf_to_text(stamped.open_bytes())


def test_catch_up_task_is_scheduled_per_municipality() -> None:
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["stamp-missing-receipts"]
    assert entry["task"] == "tenants.tasks.fan_out"
    assert entry["args"] == ["registers.tasks.receipts.stamp_missing_receipts"]
    assert "registers.tasks.receipts.stamp_missing_receipts" in app.tasks
