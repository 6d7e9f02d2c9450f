"""ค้นหา and รายงาน through the pages."""

from __future__ import annotations

from typing import Any

import pytest

from registers.forms import format_be_date
from tests.registers.helpers_views import registered_letter, staff_client, text_of

pytestmark = [pytest.mark.registers, pytest.mark.django_db]


def test_search_finds_visible_letters_and_marks_the_words(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    officer, _ = staff_client(alpha, "officer", "officer")
    registered_letter(alpha, clerk, subject="ขอรับการสนับสนุนงบประมาณโครงการถนนคอนกรีต")
    registered_letter(alpha, clerk, subject="เชิญประชุมสภาเทศบาล", reference="ขก 2/2")
    registered_letter(
        alpha, clerk, subject="ถนนลับเฉพาะ", reference="ขก 3/3", secrecy="confidential"
    )

    empty = client.get("/staff/search/")
    assert empty.status_code == 200 and "พบ" not in text_of(empty)

    found = client.get("/staff/search/", {"q": "ถนน"})
    page = text_of(found)
    assert "ขอรับการสนับสนุนงบประมาณโครงการ" in page and "เชิญประชุมสภาเทศบาล" not in page
    assert "<mark>ถนน</mark>" in found.content.decode()
    assert "ทะเบียนหนังสือรับ 1/" in page  # with its register number
    assert "ถนนลับเฉพาะ" not in text_of(officer.get("/staff/search/", {"q": "ถนน"}))

    by_register = text_of(client.get("/staff/search/", {"register": "send"}))
    assert "พบ 0 ฉบับ" in by_register


def test_reports_download_pdf_and_xlsx(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    letter = registered_letter(alpha, clerk)
    with alpha:
        day = letter.entries.get().registered_at
    from django.utils import timezone

    start = format_be_date(timezone.localtime(day).date())
    page = client.get("/staff/reports/")
    assert page.status_code == 200 and "ทะเบียนหนังสือรับ" in text_of(page)

    pdf = client.get(
        "/staff/reports/", {"kind": "receive", "fmt": "pdf", "start": start, "end": start}
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf["Content-Disposition"]
    xlsx = client.get(
        "/staff/reports/",
        {"kind": "receive", "fmt": "xlsx", "start": start, "end": start, "thai_digits": "on"},
    )
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")

    needs_list = client.get("/staff/reports/", {"kind": "destruction_list", "fmt": "pdf"})
    assert needs_list.status_code == 200 and "โปรดเลือกบัญชี" in needs_list.content.decode()
    backwards = client.get(
        "/staff/reports/",
        {"kind": "receive", "fmt": "pdf", "start": "2/11/2569", "end": "1/11/2569"},
    )
    assert "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น" in backwards.content.decode()


def test_an_officer_gets_no_reports(alpha: Any) -> None:
    officer, _ = staff_client(alpha, "officer", "officer")
    assert officer.get("/staff/reports/", {"kind": "receive", "fmt": "pdf"}).status_code == 403
