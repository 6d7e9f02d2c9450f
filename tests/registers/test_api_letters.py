"""The registers over the API: incoming and outgoing flows, secrecy, duplicates, errors, roles."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from registers.models import Letter, RegisterEntry
from registers.services.numbering import period_for
from tests.registers.conftest import pdf_bytes
from tests.registers.helpers_api import RECEIVE_FIELDS, api_client, is_thai, staff_with_token

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

INTAKE = "/api/v1/letters/intake/"
OUTGOING = "/api/v1/letters/outgoing/"


def letter_url(pk: int, action: str = "") -> str:
    return f"/api/v1/letters/{pk}/{action + '/' if action else ''}"


def this_year() -> int:
    return period_for(timezone.now())


def intake(client: Any, **fields: Any) -> dict[str, Any]:
    response = client.post(INTAKE, {**RECEIVE_FIELDS, **fields}, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.fixture
def clerk_api(alpha: Any) -> tuple[Any, Any]:
    user, raw = staff_with_token(alpha, "api_central", "central_clerk", first_name="สมใจ")
    return user, api_client(alpha, raw)


def test_incoming_flow_upload_register_forward_acknowledge(alpha: Any, clerk_api: Any) -> None:
    clerk, client = clerk_api
    officer, officer_raw = staff_with_token(
        alpha, "api_officer", "officer", first_name="สมชาย", org_unit_code="finance"
    )
    pdf = pdf_bytes("incoming over the API")
    response = client.post(
        INTAKE,
        {
            **RECEIVE_FIELDS,
            "channel": "post",
            "urgency": "urgent",
            "references": json.dumps(
                [{"reference": "ขก 0023.3/ว 999", "letter_date": "2026-10-01", "subject": "เดิม"}]
            ),
            "enclosures": ["ระเบียบวาระการประชุม", "แผนที่"],
            "files": [SimpleUploadedFile("หนังสือเชิญประชุม.pdf", pdf, "application/pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    letter = response.json()
    assert letter["status"] == "intake" and letter["direction"] == "incoming"
    assert letter["urgency"] == "urgent"
    assert [r["reference"] for r in letter["references"]] == ["ขก 0023.3/ว 999"]
    assert letter["references"][0]["letter_date"] == "2026-10-01"
    assert [e["description"] for e in letter["enclosures"]] == ["ระเบียบวาระการประชุม", "แผนที่"]
    (main,) = letter["attachments"]
    assert main["role"] == "main" and main["content_type"] == "application/pdf"
    assert main["original_name"] == "หนังสือเชิญประชุม.pdf" and main["size"] == len(pdf)
    assert main["download_url"].endswith(f"/api/v1/attachments/{main['id']}/download/")

    registered = client.post(letter_url(letter["id"], "register"), {}, format="json")
    assert registered.status_code == 201, registered.content
    entry = registered.json()
    assert entry["register"] == "receive" and entry["status"] == "active"
    assert entry["period"] == this_year() and entry["number"] >= 1
    assert entry["registered_at"] and entry["letter"] == letter["id"]
    assert entry["registered_by"]["id"] == clerk.pk

    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    forwarded = client.post(
        letter_url(letter["id"], "forward"),
        {"to_user": officer.pk, "instruction": "โปรดเข้าร่วมประชุมแทน", "due_date": due},
        format="json",
    )
    assert forwarded.status_code == 201, forwarded.content
    assignment = forwarded.json()
    assert assignment["status"] == "pending" and assignment["to_user"]["id"] == officer.pk
    assert assignment["due_date"] == due

    officer_client = api_client(alpha, officer_raw)
    tasks = officer_client.get("/api/v1/tasks/").json()
    assert [t["id"] for t in tasks["results"]] == [assignment["id"]]
    assert tasks["results"][0]["letter_brief"]["subject"] == RECEIVE_FIELDS["subject"]

    # Only the addressee acknowledges; the clerk who forwarded it may not.
    assert client.post(f"/api/v1/assignments/{assignment['id']}/acknowledge/").status_code == 403
    acknowledged = officer_client.post(f"/api/v1/assignments/{assignment['id']}/acknowledge/")
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"]["id"] == officer.pk
    done = officer_client.post(
        f"/api/v1/assignments/{assignment['id']}/complete/",
        {"note": "เข้าร่วมประชุมแล้ว"},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["done_note"] == "เข้าร่วมประชุมแล้ว"

    detail = client.get(letter_url(letter["id"])).json()
    assert detail["status"] == "in_progress"
    assert [e["number"] for e in detail["entries"]] == [entry["number"]]
    assert [a["status"] for a in detail["assignments"]] == ["done"]
    actions = [item["action"] for item in detail["timeline"]]
    for action in ("intake.create", "register.receive", "routing.forward"):
        assert action in actions
    assert all(item["text"] for item in detail["timeline"])

    download = client.get(main["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == pdf
    assert quote("หนังสือเชิญประชุม.pdf") in download["Content-Disposition"]


def test_outgoing_flow_create_number_reference(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    _officer, officer_raw = staff_with_token(alpha, "api_drafter", "officer")
    officer_client = api_client(alpha, officer_raw)
    created = officer_client.post(
        OUTGOING,
        {
            "channel": "email",
            "recipient": "นายอำเภอเมืองขอนแก่น",
            "recipient_email": "saraban@amphoe.example",
            "subject": "ขอส่งรายงานผลการดำเนินงาน",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and draft["reference"] == ""

    # Officers draft; numbering is for the registry.
    refused = officer_client.post(letter_url(draft["id"], "number"), {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"

    numbered = client.post(letter_url(draft["id"], "number"), {"register": "send"}, format="json")
    assert numbered.status_code == 201, numbered.content
    entry = numbered.json()
    assert entry["reference"] == f"ขก 72101/{entry['number']}"
    detail = client.get(letter_url(draft["id"])).json()
    assert detail["reference"] == entry["reference"] and detail["status"] == "registered"
    assert detail["letter_date"] == timezone.localdate().isoformat()

    again = client.post(letter_url(draft["id"], "number"), {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"

    circular = client.post(OUTGOING, {"channel": "email", "subject": "แจ้งเวียน"}, format="json")
    c_entry = client.post(
        letter_url(circular.json()["id"], "number"), {"register": "circular"}, format="json"
    ).json()
    assert c_entry["reference"] == f"ขก 72101/ว {c_entry['number']}"


def test_reserved_numbers_are_used_by_outgoing_letters(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    reserved = client.post(
        "/api/v1/reservations/",
        {"register": "order", "count": 2, "purpose": "คำสั่งแต่งตั้งคณะกรรมการ"},
        format="json",
    )
    assert reserved.status_code == 201, reserved.content
    reservation = reserved.json()
    assert reservation["last_number"] - reservation["first_number"] == 1
    assert [e["status"] for e in reservation["entries"]] == ["reserved", "reserved"]
    first = reservation["entries"][0]
    listed = client.get("/api/v1/reservations/").json()
    assert reservation["id"] in [r["id"] for r in listed["results"]]

    order = client.post(
        OUTGOING,
        {"channel": "hand", "kind": "directive", "sub_kind": "order", "subject": "แต่งตั้ง"},
        format="json",
    ).json()
    numbered = client.post(
        letter_url(order["id"], "number"),
        {"register": "order", "reserved_entry": first["id"]},
        format="json",
    )
    assert numbered.status_code == 201, numbered.content
    assert numbered.json()["id"] == first["id"]
    assert numbered.json()["reference"] == f"{first['number']}/{reservation['period']}"
    # The same reserved number cannot be used twice.
    second = client.post(OUTGOING, {"channel": "hand", "subject": "อีกฉบับ"}, format="json")
    reused = client.post(
        letter_url(second.json()["id"], "number"),
        {"register": "order", "reserved_entry": first["id"]},
        format="json",
    )
    assert reused.status_code == 400
    assert reused.json()["errors"][0]["field"] == "reserved_entry"


def test_classified_letters_are_invisible_to_others(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    _other, other_raw = staff_with_token(alpha, "api_other_clerk", "central_clerk")
    other = api_client(alpha, other_raw)
    secret = client.post(
        INTAKE,
        {
            **RECEIVE_FIELDS,
            "secrecy": "confidential",
            "subject": "เรื่องลับ",
            "files": [SimpleUploadedFile("ลับ.pdf", pdf_bytes("secret"), "application/pdf")],
        },
        format="multipart",
    ).json()
    public = intake(client, subject="เรื่องทั่วไป", reference="ขก 1/1")

    mine = [row["id"] for row in client.get("/api/v1/letters/").json()["results"]]
    theirs = [row["id"] for row in other.get("/api/v1/letters/").json()["results"]]
    assert secret["id"] in mine and public["id"] in mine
    assert public["id"] in theirs and secret["id"] not in theirs

    assert other.get(letter_url(secret["id"])).status_code == 404
    assert other.get(letter_url(secret["id"])).json()["code"] == "not_found"
    assert other.post(letter_url(secret["id"], "register"), {}).status_code == 404
    attachment_id = secret["attachments"][0]["id"]
    assert other.get(f"/api/v1/attachments/{attachment_id}/download/").status_code == 404
    own_download = client.get(f"/api/v1/attachments/{attachment_id}/download/")
    assert own_download.status_code == 200  # a watermarked copy for the person named on it

    client.post(letter_url(secret["id"], "register"), {}, format="json")
    client.post(letter_url(public["id"], "register"), {}, format="json")
    lines = other.get("/api/v1/registers/receive/entries/").json()["results"]
    by_letter = {line["letter"]: line for line in lines}
    assert by_letter[secret["id"]]["letter_brief"] is None
    assert by_letter[public["id"]]["letter_brief"]["subject"] == "เรื่องทั่วไป"
    own_lines = client.get("/api/v1/registers/receive/entries/").json()["results"]
    assert {line["letter"]: line for line in own_lines}[secret["id"]]["letter_brief"] is not None


def test_duplicate_letter_is_409_with_the_duplicates(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    first = intake(client)
    assert client.post(letter_url(first["id"], "register"), {}).status_code == 201
    second = intake(client)
    response = client.post(letter_url(second["id"], "register"), {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_letter" and body["duplicates"] == [first["id"]]
    assert is_thai(body["detail_th"]) and not is_thai(body["detail_en"])
    forced = client.post(
        letter_url(second["id"], "register"), {"allow_duplicate": True}, format="json"
    )
    assert forced.status_code == 201


def test_validation_errors_come_in_thai_and_english(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    response = client.post(
        INTAKE, {"letter_date": "20 พ.ย. 2569", "secrecy": "very"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert is_thai(body["detail_th"])
    errors = {error["field"]: error for error in body["errors"]}
    assert set(errors) == {"channel", "letter_date", "secrecy"}
    assert errors["channel"]["code"] == "required"
    assert errors["channel"]["detail_en"] == "This field is required."
    assert is_thai(errors["channel"]["detail_th"])
    assert (
        is_thai(errors["letter_date"]["detail_th"])
        and "format" in errors["letter_date"]["detail_en"]
    )

    # A rule of the regulation, checked by the service: the subject is required.
    service = client.post(INTAKE, {**RECEIVE_FIELDS, "subject": ""}, format="json")
    assert service.status_code == 400
    assert service.json() == {
        "code": "invalid_letter",
        "detail_th": "โปรดระบุเรื่อง",
        "detail_en": "Please enter the subject",
    }

    bad_refs = client.post(
        INTAKE, {**RECEIVE_FIELDS, "references": "[{not json"}, format="multipart"
    )
    assert bad_refs.status_code == 400
    assert [e["field"] for e in bad_refs.json()["errors"]] == ["references"]

    nested = client.post(
        INTAKE,
        {**RECEIVE_FIELDS, "references": [{"reference": "x", "letter_date": "soon"}]},
        format="json",
    )
    assert [e["field"] for e in nested.json()["errors"]] == ["references.0.letter_date"]

    not_pdf = client.post(
        INTAKE,
        {**RECEIVE_FIELDS, "files": [SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf")]},
        format="multipart",
    )
    assert not_pdf.status_code == 400
    assert not_pdf.json()["code"] == "attachment_rejected"
    assert "a.pdf" in not_pdf.json()["detail_th"]
    with alpha:  # the refused file left no half-made letter behind
        assert not Letter.objects.filter(subject=RECEIVE_FIELDS["subject"]).exists()


def test_roles_are_checked_like_the_staff_pages(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    _officer, officer_raw = staff_with_token(alpha, "api_plain", "officer")
    _mayor, mayor_raw = staff_with_token(alpha, "api_mayor", "executive", position="นายกเทศมนตรี")
    officer = api_client(alpha, officer_raw)
    mayor = api_client(alpha, mayor_raw)

    refused = officer.post(INTAKE, RECEIVE_FIELDS, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"
    assert "เจ้าหน้าที่สารบรรณกลาง" in refused.json()["detail_th"]
    assert officer.get("/api/v1/registers/receive/entries/").status_code == 403
    assert mayor.get("/api/v1/registers/receive/entries/").status_code == 200
    assert officer.get("/api/v1/registers/nonsense/entries/").status_code == 403
    assert client.get("/api/v1/registers/nonsense/entries/").status_code == 404

    letter = intake(client)
    client.post(letter_url(letter["id"], "register"), {}, format="json")
    assert officer.post(letter_url(letter["id"], "endorse"), {"text": "ทราบ"}).status_code == 403
    endorsed = mayor.post(
        letter_url(letter["id"], "endorse"),
        {"text": "ทราบ มอบสำนักปลัดดำเนินการ", "kind": "order"},
        format="json",
    )
    assert endorsed.status_code == 201, endorsed.content
    assert endorsed.json()["author_position"] == "นายกเทศมนตรี"
    assert endorsed.json()["kind"] == "order"

    reject_refused = officer.post(letter_url(letter["id"], "reject"), {"reason": "ผิดที่"})
    assert reject_refused.status_code == 403


def test_reject_cancel_and_list_filters(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    wrong = intake(client, subject="ส่งผิดหน่วยงาน", reference="ขก 9/9")
    rejected = client.post(
        letter_url(wrong["id"], "reject"), {"reason": "ไม่ใช่ของหน่วยงานนี้"}, format="json"
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    no_reason = client.post(letter_url(wrong["id"], "reject"), {"reason": ""}, format="json")
    assert no_reason.status_code == 400

    kept = intake(client, subject="รับไว้", reference="ขก 8/8")
    entry = client.post(letter_url(kept["id"], "register"), {}, format="json").json()
    outgoing = client.post(OUTGOING, {"channel": "hand", "subject": "ส่งออก"}, format="json")

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/letters/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("status=rejected") == {wrong["id"]}
    assert outgoing.json()["id"] in ids("direction=outgoing")
    assert kept["id"] not in ids("direction=outgoing")
    assert ids(f"register=receive&year={entry['period']}") == {kept["id"]}
    assert ids(f"register=receive&year={entry['period'] - 1}") == set()
    bad = client.get("/api/v1/letters/?year=69&status=lost")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"year", "status"}

    cancelled = client.post(
        f"/api/v1/entries/{entry['id']}/cancel/", {"reason": "ลงรับผิดฉบับ"}, format="json"
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "ลงรับผิดฉบับ"
    lines = client.get(
        f"/api/v1/registers/receive/entries/?year={entry['period']}&status=cancelled"
    ).json()
    assert [line["number"] for line in lines["results"]] == [entry["number"]]
    with alpha:
        assert RegisterEntry.objects.get(pk=entry["id"]).cancelled_by is not None
        assert Letter.objects.get(pk=kept["id"]).status == "intake"  # may be registered again


def test_q_uses_the_full_text_search_and_keeps_secrets(alpha: Any, clerk_api: Any) -> None:
    _clerk, client = clerk_api
    _other, other_raw = staff_with_token(alpha, "api_q_other", "central_clerk")
    budget = intake(client, subject="ขออนุมัติงบประมาณซ่อมถนนสายหลัก", reference="ขก 7/1")
    intake(client, subject="เชิญประชุมประจำเดือน", reference="ขก 7/2")
    secret = intake(client, subject="งบประมาณลับเฉพาะ", reference="ขก 7/3", secrecy="confidential")
    found = client.get("/api/v1/letters/", {"q": "งบประมาณ"})
    assert found.status_code == 200, found.content
    assert {row["id"] for row in found.json()["results"]} == {budget["id"], secret["id"]}
    theirs = api_client(alpha, other_raw).get("/api/v1/letters/", {"q": "งบประมาณ"}).json()
    assert {row["id"] for row in theirs["results"]} == {budget["id"]}
    assert (
        client.get("/api/v1/letters/", {"q": "งบประมาณ", "direction": "outgoing"}).json()["count"]
        == 0
    )
