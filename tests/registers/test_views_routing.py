"""Routing through the pages: เกษียน, ส่งต่อ, รับทราบ, ดำเนินการแล้ว, ปิดเรื่อง, จัดเก็บ, files."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from registers.inputs import FileInput
from tests.registers.conftest import pdf_bytes
from tests.registers.helpers_views import (
    HTMX,
    intake_letter,
    registered_letter,
    staff_client,
    text_of,
)

pytestmark = [pytest.mark.registers, pytest.mark.django_db]


def be(day: Any) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def test_a_letter_goes_from_endorsement_to_storage(alpha: Any) -> None:
    from registers.models import Assignment, StorageRecord

    clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    mayor, _ = staff_client(alpha, "mayor", "executive", position="นายกเทศมนตรี")
    officer, officer_user = staff_client(alpha, "officer", "officer", first_name="มานี")
    letter = registered_letter(alpha, clerk)
    url = f"/staff/letters/{letter.pk}/"

    # The executive endorses (เกษียน) and orders.
    done = mayor.post(f"{url}endorse/", {"kind": "order", "text": "มอบกองช่างดำเนินการ"})
    assert done.status_code == 302 and done.url.endswith("#routing")
    assert "มอบกองช่างดำเนินการ" in text_of(mayor.get(url))

    # The clerk forwards to the officer with a due date typed in BE.
    due = timezone.localdate() + timedelta(days=3)
    forwarded = clerk_client.post(
        f"{url}forward/",
        {"to_user": officer_user.pk, "instruction": "โปรดดำเนินการ", "due_date": be(due)},
    )
    assert forwarded.status_code == 302
    with alpha:
        task = Assignment.objects.get(letter=letter)
        assert (task.to_user, task.due_date) == (officer_user, due)

    # The officer sees it in งานของฉัน, acknowledges in place, then completes it.
    tasks = officer.get("/staff/tasks/")
    assert letter.subject in text_of(tasks) and "โปรดดำเนินการ" in text_of(tasks)
    ack = officer.post(f"/staff/tasks/{task.pk}/acknowledge/", **HTMX)
    assert ack.status_code == 200 and "<html" not in ack.content.decode()
    assert "รับทราบแล้ว" in text_of(ack)
    complete = officer.post(f"/staff/tasks/{task.pk}/complete/", {"done-note": "ซ่อมเสร็จแล้ว"})
    assert complete.status_code == 302
    with alpha:
        task.refresh_from_db()
        assert (task.status, task.done_note) == ("done", "ซ่อมเสร็จแล้ว")

    # The clerk closes the matter and stores it with a file code.
    assert clerk_client.post(f"{url}close/", {"close-note": "เสร็จสิ้น"}).status_code == 302
    stored = clerk_client.post(f"{url}store/", {"file_code": "ช.1/2569", "remarks": ""})
    assert stored.status_code == 302
    with alpha:
        record = StorageRecord.objects.get(letter=letter)
        assert record.file_code == "ช.1/2569"
    page = text_of(clerk_client.get(url))
    assert "ช.1/2569" in page and "เก็บแล้ว" in page
    # The timeline tells the story in words.
    assert "ลำดับเหตุการณ์" in page and "ลงรับ" in page


def test_an_officer_cannot_endorse_and_a_failed_forward_keeps_input(alpha: Any) -> None:
    clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    officer, _ = staff_client(alpha, "officer", "officer")
    letter = registered_letter(alpha, clerk)
    url = f"/staff/letters/{letter.pk}/"
    assert officer.post(f"{url}endorse/", {"kind": "endorse", "text": "x"}).status_code == 403
    assert officer.post(f"{url}forward/", {"instruction": "x"}).status_code == 403
    assert "เกษียน / สั่งการ" not in text_of(officer.get(url))

    missing = clerk_client.post(f"{url}forward/", {"instruction": "ข้อความที่พิมพ์ไว้"})
    assert missing.status_code == 200
    html = missing.content.decode()
    assert "โปรดเลือกหน่วยงานหรือเจ้าหน้าที่ที่จะส่งถึง" in html and "ข้อความที่พิมพ์ไว้" in html
    past = clerk_client.post(
        f"{url}forward/", {"to_unit": _a_unit(alpha), "due_date": "01/01/2560"}
    )
    assert "กำหนดเสร็จต้องไม่ก่อนวันนี้" in past.content.decode()  # the service's refusal


def _a_unit(tenant: Any) -> int:
    from accounts.models import OrgUnit

    with tenant:
        unit = OrgUnit.objects.order_by("pk").first()
        assert unit is not None
        return unit.pk


def test_overdue_lists_for_overseers_and_for_the_person(alpha: Any) -> None:
    from registers.models import Assignment
    from registers.services.routing import letter_forward

    clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    officer, officer_user = staff_client(alpha, "officer", "officer")
    late = registered_letter(alpha, clerk, subject="เรื่องที่เลยกำหนด")
    with alpha:
        task = letter_forward(letter=late, actor=clerk, to_user_id=officer_user.pk)
        Assignment.objects.filter(pk=task.pk).update(
            due_date=timezone.localdate() - timedelta(days=2)
        )
    assert "เรื่องที่เลยกำหนด" in text_of(clerk_client.get("/staff/overdue/"))
    assert "เรื่องที่เลยกำหนด" not in text_of(clerk_client.get("/staff/overdue/?mine=1"))
    mine = officer.get("/staff/overdue/")
    assert "เรื่องที่เลยกำหนด" in text_of(mine) and "is-overdue" in mine.content.decode()
    dashboard = text_of(officer.get("/staff/"))
    assert "1 งานของฉันที่เกินกำหนด" in dashboard


def test_delegation_for_the_time_away(alpha: Any) -> None:
    from registers.models import Delegation

    officer, me = staff_client(alpha, "officer", "officer")
    other, colleague = staff_client(alpha, "colleague", "officer", first_name="สมชาย")
    today = timezone.localdate()
    response = officer.post(
        "/staff/delegations/",
        {
            "delegate": colleague.pk,
            "starts_on": be(today),
            "ends_on": be(today + timedelta(days=5)),
            "reason": "ลาพักผ่อน",
        },
    )
    assert response.status_code == 302
    with alpha:
        delegation = Delegation.objects.get(delegator=me)
        assert delegation.delegate == colleague
    assert "ลาพักผ่อน" in text_of(officer.get("/staff/delegations/"))
    # The colleague's task page says whom they act for today.
    assert "วันนี้ท่านปฏิบัติหน้าที่แทน: officer" in text_of(other.get("/staff/tasks/"))
    backwards = officer.post(
        "/staff/delegations/",
        {"delegate": colleague.pk, "starts_on": be(today), "ends_on": be(today - timedelta(1))},
    )
    assert "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น" in backwards.content.decode()
    assert officer.post(f"/staff/delegations/{delegation.pk}/revoke/").status_code == 302
    with alpha:
        delegation.refresh_from_db()
        assert delegation.revoked_at is not None


def test_grant_access_to_a_classified_letter(alpha: Any) -> None:
    clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    officer, officer_user = staff_client(alpha, "officer", "officer")
    secret = intake_letter(alpha, clerk, secrecy="secret", subject="เรื่องลับมาก")
    url = f"/staff/letters/{secret.pk}/"
    assert officer.get(url).status_code == 404
    assert "ผู้มีสิทธิ์เข้าถึง" in text_of(clerk_client.get(url))
    assert clerk_client.post(f"{url}access/", {}).status_code == 200  # nobody chosen
    granted = clerk_client.post(f"{url}access/", {"users": [officer_user.pk]})
    assert granted.status_code == 302 and granted.url.endswith("#access")
    assert officer.get(url).status_code == 200
    assert officer.post(f"{url}access/", {"users": [officer_user.pk]}).status_code == 403


def test_files_download_with_their_hash_shown(alpha: Any) -> None:
    client, clerk = staff_client(alpha, "clerk", "central_clerk")
    content = pdf_bytes("download me")
    letter = intake_letter(
        alpha, clerk, files=(FileInput(name="หนังสือ ขอเชิญ.pdf", content=content),)
    )
    with alpha:
        attachment = letter.attachments.get()
    page = client.get(f"/staff/letters/{letter.pk}/")
    assert hashlib.sha256(content).hexdigest() in page.content.decode()
    response = client.get(f"/staff/files/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == content
    assert "inline" in response["Content-Disposition"]
    assert (
        "attachment"
        in client.get(f"/staff/files/{attachment.pk}/?download=1")["Content-Disposition"]
    )

    officer, _ = staff_client(alpha, "officer", "officer")
    secret = intake_letter(
        alpha,
        clerk,
        secrecy="confidential",
        subject="ลับ",
        files=(FileInput(name="ลับ.pdf", content=pdf_bytes("secret")),),
    )
    with alpha:
        secret_file = secret.attachments.get()
    assert officer.get(f"/staff/files/{secret_file.pk}/").status_code == 404


def test_my_tasks_offers_acknowledge_and_the_detail_page_too(alpha: Any) -> None:
    from registers.services.routing import letter_forward

    _clerk_client, clerk = staff_client(alpha, "clerk", "central_clerk")
    officer, officer_user = staff_client(alpha, "officer", "officer")
    letter = registered_letter(alpha, clerk)
    with alpha:
        task = letter_forward(letter=letter, actor=clerk, to_user_id=officer_user.pk)
    tasks_page = officer.get("/staff/tasks/").content.decode()
    assert f'hx-post="/staff/tasks/{task.pk}/acknowledge/"' in tasks_page
    detail = text_of(officer.get(f"/staff/letters/{letter.pk}/"))
    assert "งานของท่าน" in detail and "รับทราบ" in detail
    other, _ = staff_client(alpha, "other", "officer")
    assert other.post(f"/staff/tasks/{task.pk}/acknowledge/").status_code == 302  # refused, told
    with alpha:
        task.refresh_from_db()
        assert task.status == "pending"
