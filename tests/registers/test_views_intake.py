"""รอลงรับ through the pages: manual entry with files, ลงรับ, duplicates, reject, BE dates."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from registers.forms import parse_be_date
from tests.registers.conftest import pdf_bytes
from tests.registers.helpers_views import (
    HTMX,
    intake_letter,
    manual_form,
    registered_letter,
    staff_client,
    text_of,
)

pytestmark = [pytest.mark.registers]


@pytest.mark.parametrize(
    "typed",
    [
        "21/11/2569",
        "21/11/69",
        "๒๑/๑๑/๒๕๖๙",
        "21.11.2569",
        "21-11-2569",
        "2026-11-21",
        "2569-11-21",
    ],
)
def test_be_dates_as_clerks_type_them(typed: str) -> None:
    assert parse_be_date(typed) == date(2026, 11, 21)


@pytest.mark.parametrize("typed", ["21/11/2026", "31/02/2569", "พรุ่งนี้", "2569/11/21"])
def test_dates_that_are_refused(typed: str) -> None:
    with pytest.raises(forms.ValidationError):
        parse_be_date(typed)


@pytest.mark.django_db
def test_clerk_keys_in_a_paper_letter_with_files_and_registers_it(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    main = pdf_bytes("main letter")
    extra = pdf_bytes("enclosure")
    data = manual_form(
        urgency="most_urgent",
        urgent_by_date="25/11/2569",
        urgent_by_time="10:00",
        enclosures="สำเนาคำสั่ง 1 ฉบับ\nแผนที่ 1 แผ่น",
        **{"ref-0-reference": "ขก 0023.3/ว 1000", "ref-0-letter_date": "1/11/2569"},
    )
    data["main_file"] = SimpleUploadedFile("หนังสือเชิญประชุม.pdf", main, "application/pdf")
    data["attachments"] = [SimpleUploadedFile("แนบ.pdf", extra, "application/pdf")]
    data["action"] = "register"

    response = client.post("/staff/intake/new/", data)
    assert response.status_code == 302 and response.url == "/staff/intake/new/"
    page = client.get(response.url)
    receipt = text_of(page)
    assert "ลงรับแล้ว" in receipt and "เลขรับ 1 /25" in receipt  # the number, big
    assert "ฉบับประทับตรารับ" in receipt  # the stamped copy (or its note) is linked
    assert "data-receipt" not in client.get("/staff/intake/new/").content.decode()  # shown once

    from registers.models import Letter

    with alpha:
        letter = Letter.objects.get(reference="ขก 0023.3/ว 5555")
        assert letter.status == "registered"
        assert letter.letter_date == date(2026, 11, 20)  # typed 20/11/2569
        assert letter.urgency == "most_urgent" and letter.urgent_by is not None
        assert [e.description for e in letter.enclosures.all()] == ["สำเนาคำสั่ง 1 ฉบับ", "แผนที่ 1 แผ่น"]
        ref = letter.references.get()
        assert (ref.reference, ref.letter_date) == ("ขก 0023.3/ว 1000", date(2026, 11, 1))
        files = {a.role: a for a in letter.attachments.exclude(role="stamped")}
        assert files["main"].original_name == "หนังสือเชิญประชุม.pdf"
        assert files["main"].sha256 == hashlib.sha256(main).hexdigest()
        assert files["attachment"].sha256 == hashlib.sha256(extra).hexdigest()
        entry = letter.entries.get()
        assert (entry.register, entry.number, entry.registered_by) == ("receive", 1, clerk)


@pytest.mark.django_db
def test_save_to_the_queue_only(alpha: Any) -> None:
    client, _ = staff_client(alpha, "clerk", "unit_clerk")
    response = client.post("/staff/intake/new/", {**manual_form(), "action": "intake"})
    assert response.status_code == 302 and response.url == "/staff/intake/"
    page = text_of(client.get("/staff/intake/"))
    assert "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น" in page and "บันทึกเข้ารายการรอลงรับแล้ว" in page


@pytest.mark.django_db
def test_a_failed_form_keeps_what_was_typed_and_names_the_files(alpha: Any) -> None:
    client, _ = staff_client(alpha, "clerk", "central_clerk")
    data = manual_form(subject="", sender="อำเภอเมืองขอนแก่น", letter_date="31/02/2569")
    data["main_file"] = SimpleUploadedFile("สแกน.pdf", pdf_bytes(), "application/pdf")
    response = client.post("/staff/intake/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "โปรดระบุเรื่อง" in html and "ไม่มีวันที่นี้ในปฏิทิน" in html
    assert 'value="อำเภอเมืองขอนแก่น"' in html and 'value="31/02/2569"' in html
    assert "สแกน.pdf" in html  # the file chosen is named, to pick again

    from registers.models import Letter

    with alpha:
        assert not Letter.objects.exists()


@pytest.mark.django_db
def test_kind_sub_kind_and_urgency_are_checked_by_the_field(alpha: Any) -> None:
    client, _ = staff_client(alpha, "clerk", "central_clerk")
    data = manual_form(kind="directive", sub_kind="", urgent_by_date="25/11/2569")
    html = client.post("/staff/intake/new/", data).content.decode()
    assert "โปรดเลือกประเภทย่อยให้ตรงกับชนิดหนังสือ" in html
    assert "ต้องมีชั้นความเร็ว" in html
    ok = client.post("/staff/intake/new/", manual_form(kind="directive", sub_kind="order"))
    assert ok.status_code == 302


@pytest.mark.django_db
def test_a_refused_file_is_explained_and_nothing_is_saved(alpha: Any) -> None:
    client, _ = staff_client(alpha, "clerk", "central_clerk")
    data = manual_form()
    data["main_file"] = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00not a pdf", "application/pdf")
    response = client.post("/staff/intake/new/", {**data, "action": "register"})
    assert response.status_code == 200
    assert "ไม่ใช่ชนิดที่รับได้" in response.content.decode()

    from registers.models import Letter

    with alpha:
        assert not Letter.objects.exists()


@pytest.mark.django_db
def test_register_in_place_with_htmx_shows_the_receipt(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    letter = intake_letter(alpha, clerk)
    response = client.post(f"/staff/intake/{letter.pk}/register/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li") and "<html" not in html  # only the row
    assert "data-receipt" in html and "ลงรับแล้ว" in text_of(response)
    with alpha:
        letter.refresh_from_db()
        assert letter.status == "registered"


@pytest.mark.django_db
def test_duplicate_warning_then_confirmed_registration(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    first = registered_letter(alpha, clerk)
    again = intake_letter(alpha, clerk)  # same ที่, date and subject

    warning = client.post(f"/staff/intake/{again.pk}/register/")
    assert warning.status_code == 200
    html = warning.content.decode()
    assert "มีหนังสือที่ เรื่อง และลงวันที่เดียวกันอยู่แล้ว" in html
    assert f"/staff/letters/{first.pk}/" in html  # a link to the duplicate
    assert "เลขรับ 1/" in text_of(warning).replace(" /", "/")
    assert 'name="allow_duplicate" value="1"' in html and "ลงรับซ้ำ" in html
    with alpha:
        again.refresh_from_db()
        assert again.status == "intake"

    confirmed = client.post(f"/staff/intake/{again.pk}/register/", {"allow_duplicate": "1"})
    assert confirmed.status_code == 302
    with alpha:
        again.refresh_from_db()
        assert again.status == "registered" and again.entries.get().number == 2


@pytest.mark.django_db
def test_duplicate_warning_in_place_with_htmx(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    registered_letter(alpha, clerk)
    again = intake_letter(alpha, clerk)
    warning = client.post(f"/staff/intake/{again.pk}/register/", **HTMX)
    assert "ลงรับซ้ำ" in warning.content.decode() and "<html" not in warning.content.decode()
    done = client.post(f"/staff/intake/{again.pk}/register/", {"allow_duplicate": "1"}, **HTMX)
    assert "เลขรับ 2 /" in text_of(done)


@pytest.mark.django_db
def test_duplicate_found_while_keying_in_goes_to_the_confirmation(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    registered_letter(alpha, clerk, reference="ขก 0023.3/ว 5555", letter_date=date(2026, 11, 20))
    response = client.post("/staff/intake/new/", {**manual_form(), "action": "register"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ลงรับซ้ำ" in html and 'name="next" value="/staff/intake/new/"' in html


@pytest.mark.django_db
def test_reject_needs_a_reason(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    letter = intake_letter(alpha, clerk)
    refused = client.post(f"/staff/intake/{letter.pk}/reject/", {"reason": " "}, **HTMX)
    assert "โปรดระบุเหตุผลที่ไม่รับ" in refused.content.decode()
    done = client.post(f"/staff/intake/{letter.pk}/reject/", {"reason": "ส่งผิดหน่วยงาน"})
    assert done.status_code == 302
    with alpha:
        letter.refresh_from_db()
        assert (letter.status, letter.rejected_reason) == ("rejected", "ส่งผิดหน่วยงาน")
    assert letter.subject not in text_of(client.get("/staff/intake/"))


@pytest.mark.django_db
def test_an_officer_cannot_register_or_reject(alpha: Any) -> None:
    _clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    officer, _ = staff_client(alpha, "officer", "officer")
    letter = intake_letter(alpha, clerk)
    assert officer.post(f"/staff/intake/{letter.pk}/register/").status_code == 403
    assert officer.post(f"/staff/intake/{letter.pk}/reject/", {"reason": "x"}).status_code == 403
    assert officer.post("/staff/intake/new/", manual_form()).status_code == 403
    with alpha:
        letter.refresh_from_db()
        assert letter.status == "intake"
