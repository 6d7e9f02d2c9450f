"""ทะเบียน through the pages: the register book, cancelling, จองเลข and ออกเลข."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.registers.conftest import letter_input
from tests.registers.helpers_views import (
    intake_letter,
    manual_form,
    registered_letter,
    staff_client,
    text_of,
)

pytestmark = [pytest.mark.registers, pytest.mark.django_db]


def outgoing_form(**overrides: Any) -> dict[str, Any]:
    data = manual_form(
        recipient="ผู้ว่าราชการจังหวัดขอนแก่น",
        subject="รายงานผลการดำเนินงานประจำเดือน",
        channel="email",
        letter_date="",
        register="send",
        action="number",
    )
    data.pop("reference")
    data.update(overrides)
    return data


def test_register_book_has_the_forms_columns_and_strikes_cancelled_entries(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    kept = registered_letter(alpha, clerk, subject="เรื่องที่ลงรับถูกต้อง")
    wrong = registered_letter(alpha, clerk, subject="เรื่องที่ลงรับผิด", reference="ขก 9/9")
    with alpha:
        entry = wrong.entries.get()

    refused = client.post(f"/staff/entries/{entry.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    done = client.post(f"/staff/entries/{entry.pk}/cancel/", {"reason": "ลงซ้ำกับเลข 1"})
    assert done.status_code == 302 and f"year={entry.period}" in done.url

    response = client.get("/staff/registers/receive/")
    html = response.content.decode()
    page = text_of(response)
    for column in ("เลขทะเบียน", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ"):
        assert f">{column}</th>" in html
    assert kept.subject in page and wrong.subject in page
    assert '<tr class="cancelled' in html and "ยกเลิก: ลงซ้ำกับเลข 1" in page
    with alpha:
        entry.refresh_from_db()
        wrong.refresh_from_db()
        assert entry.status == "cancelled" and wrong.status == "intake"  # may be registered again


def test_register_book_filters_by_be_dates(alpha: Any) -> None:
    from registers.services.letters import intake_create, letter_register_incoming

    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    with alpha:
        for day, subject in ((19, "ลงรับวันที่สิบเก้า"), (20, "ลงรับวันที่ยี่สิบ")):
            letter = intake_create(data=letter_input(subject=subject), actor=clerk)
            at = datetime(2026, 11, day, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok
            letter_register_incoming(letter=letter, actor=clerk, at=at)
    page = text_of(client.get("/staff/registers/receive/?start=20/11/2569&end=20/11/2569"))
    assert "ลงรับวันที่ยี่สิบ" in page and "ลงรับวันที่สิบเก้า" not in page
    assert "วันที่ 20 พฤศจิกายน 2569" in page  # the day's heading, as on the paper form
    bad = client.get("/staff/registers/receive/?start=20/11/2569&end=19/11/2569")
    assert "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น" in bad.content.decode()


def test_register_book_query_count_does_not_grow_with_rows(
    alpha: Any, django_assert_max_num_queries: Any
) -> None:
    from registers.services.routing import letter_forward

    client, clerk = staff_client(alpha, "clerk", "central_clerk")

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            letter = registered_letter(alpha, clerk, subject=f"เรื่อง {i}", reference=f"ขก {i}")
            with alpha:
                from accounts.models import OrgUnit

                unit = OrgUnit.objects.order_by("pk").first()
                assert unit is not None
                letter_forward(
                    letter=letter, actor=clerk, to_unit_id=unit.pk, instruction="ดำเนินการ"
                )
        with alpha:
            secret = intake_create_secret(clerk, start)
            from registers.services.letters import letter_register_incoming

            letter_register_incoming(letter=secret, actor=clerk)

    add(3, 0)
    client.get("/staff/registers/receive/")  # warm the host cache
    with django_assert_max_num_queries(20) as small:
        assert client.get("/staff/registers/receive/").status_code == 200
    add(55, 100)
    with django_assert_max_num_queries(20) as large:
        response = client.get("/staff/registers/receive/")
    assert response.status_code == 200 and "หน้า 1 จาก 2" in text_of(response)
    assert len(large.captured_queries) == len(small.captured_queries)


def intake_create_secret(clerk: Any, n: int) -> Any:
    from registers.services.letters import intake_create

    return intake_create(
        data=letter_input(secrecy="confidential", subject=f"ลับ {n}", reference=f"ลับ {n}"),
        actor=clerk,
    )


def test_classified_subjects_are_hidden_in_the_book_from_people_not_named(alpha: Any) -> None:
    clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    executive, _ = staff_client(alpha, "mayor", "executive")
    registered_letter(alpha, clerk, secrecy="confidential", subject="เรื่องลับเฉพาะ")
    assert "เรื่องลับเฉพาะ" in text_of(clerk_client.get("/staff/registers/receive/"))
    page = text_of(executive.get("/staff/registers/receive/"))
    assert "เรื่องลับเฉพาะ" not in page and "ท่านไม่มีสิทธิ์เปิด" in page


def test_reserve_numbers_and_see_the_log(alpha: Any) -> None:
    client, _ = staff_client(alpha, "clerk", "central_clerk")
    response = client.post(
        "/staff/reserve/", {"register": "send", "count": "3", "purpose": "หนังสือเชิญประชุมสภา"}
    )
    assert response.status_code == 302
    page = text_of(client.get("/staff/reserve/"))
    assert "จองเลข 1 ถึง 3/25" in page and "หนังสือเชิญประชุมสภา" in page
    book = client.get("/staff/registers/send/").content.decode()
    assert book.count('<tr class="reserved') == 3

    refused = client.post("/staff/reserve/", {"register": "receive", "count": "2", "purpose": "x"})
    assert refused.status_code == 200  # the receive register cannot be reserved
    too_many = client.post("/staff/reserve/", {"register": "send", "count": "900", "purpose": "x"})
    assert "500" in too_many.content.decode()


def test_new_outgoing_letter_numbered_at_once(alpha: Any) -> None:
    client, _ = staff_client(alpha, "clerk", "central_clerk")
    for register, expected in (
        ("send", "ขก 72101/1"),
        ("circular", "ขก 72101/ว 1"),
        ("order", "1/25"),
    ):
        response = client.post("/staff/outgoing/new/", outgoing_form(register=register))
        assert response.status_code == 302, response.content.decode()[:3000]
        page = text_of(client.get(response.url))
        assert f"ออกเลขแล้ว: ที่ {expected}" in page
    page = text_of(client.get("/staff/registers/send/"))
    assert "ขก 72101/1" in page and "ผู้ว่าราชการจังหวัดขอนแก่น" in page


def test_draft_then_number_with_a_reserved_number(alpha: Any) -> None:
    from registers.models import Letter, RegisterEntry

    client, _ = staff_client(alpha, "clerk", "central_clerk")
    client.post("/staff/reserve/", {"register": "send", "count": "2", "purpose": "จองไว้"})
    draft = client.post("/staff/outgoing/new/", outgoing_form(action="draft"))
    assert draft.status_code == 302
    detail = client.get(draft.url)
    assert "ออกเลขหนังสือส่ง" in text_of(detail) and "ใช้เลขที่จองไว้" in text_of(detail)
    with alpha:
        letter = Letter.objects.get(subject="รายงานผลการดำเนินงานประจำเดือน")
        assert letter.status == "draft"
        reserved = RegisterEntry.objects.filter(status="reserved").order_by("number").last()
        assert reserved is not None
    wrong = client.post(
        f"/staff/letters/{letter.pk}/number/",
        {"register": "circular", "reserved_entry": reserved.pk},
    )
    assert wrong.status_code == 200 and "เลขที่จองไว้นี้อยู่ในทะเบียนอื่น" in wrong.content.decode()
    done = client.post(
        f"/staff/letters/{letter.pk}/number/", {"register": "send", "reserved_entry": reserved.pk}
    )
    assert done.status_code == 302
    with alpha:
        letter.refresh_from_db()
        assert (letter.status, letter.reference) == ("registered", "ขก 72101/2")


def test_an_officer_drafts_but_cannot_number(alpha: Any) -> None:
    from registers.models import Letter

    officer, _ = staff_client(alpha, "officer", "officer")
    response = officer.post("/staff/outgoing/new/", outgoing_form(action="number"))
    assert response.status_code == 302
    with alpha:
        letter = Letter.objects.get(subject="รายงานผลการดำเนินงานประจำเดือน")
        assert letter.status == "draft" and not letter.entries.exists()
    assert (
        officer.post(f"/staff/letters/{letter.pk}/number/", {"register": "send"}).status_code == 403
    )
    assert "ออกเลขหนังสือส่ง" not in text_of(officer.get(f"/staff/letters/{letter.pk}/"))


def test_cancel_and_reserve_are_for_clerks(alpha: Any) -> None:
    _clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    executive, _ = staff_client(alpha, "mayor", "executive")
    letter = registered_letter(alpha, clerk)
    with alpha:
        entry = letter.entries.get()
    assert executive.post(f"/staff/entries/{entry.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert executive.post("/staff/reserve/", {"register": "send"}).status_code == 403
    with alpha:
        entry.refresh_from_db()
        assert entry.status == "active"


def test_intake_letter_can_be_registered_from_its_page(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    letter = intake_letter(alpha, clerk)
    page = client.get(f"/staff/letters/{letter.pk}/")
    assert f'action="/staff/intake/{letter.pk}/register/"' in page.content.decode()
    done = client.post(
        f"/staff/intake/{letter.pk}/register/", {"next": f"/staff/letters/{letter.pk}/"}
    )
    assert done.status_code == 302 and done.url == f"/staff/letters/{letter.pk}/"
