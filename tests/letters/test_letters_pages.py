"""The staff pages (drafting with the live preview, approving) and the public check page."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import client_for
from tests.letters.helpers_letters import SUBJECT, approve_and_sign, draft_input, qr_urls, signed

pytestmark = [pytest.mark.letters, pytest.mark.django_db]


def _client(tenant: Any, user: Any) -> Any:
    client = client_for(tenant)
    with tenant:
        client.force_login(user)
    return client


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        key: value for key, value in draft_input().__dict__.items() if not isinstance(value, bool)
    }
    data.update(overrides)
    return data


def test_draft_in_the_browser_pages_then_approve(alpha: Any, author: Any, approver: Any) -> None:
    from letters.models import LetterDraft

    writer = _client(alpha, author)
    page = writer.get("/staff/drafts/new/?kind=memo")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-post="/staff/drafts/preview/"' in html and "delay:700ms" in html
    assert "สมศรี เขียนดี" in html  # the signer defaults to the author

    preview = writer.post("/staff/drafts/preview/", _form(kind="memo"))
    assert preview.status_code == 200
    assert preview.content.count(b"data:image/png;base64,") == 1

    # A bad form keeps what was typed and says why, in Thai.
    bad = writer.post("/staff/drafts/new/", _form(subject="", action="submit"))
    assert bad.status_code == 200 and "นายอำเภอเมืองขอนแก่น" in bad.content.decode()
    assert not LetterDraft.objects.exists()

    created = writer.post("/staff/drafts/new/", _form(action="submit"))
    assert created.status_code == 302
    with alpha:
        draft = LetterDraft.objects.get()
    assert draft.status == "submitted"

    # The author cannot approve; the executive sees it waiting and approves it.
    refused = writer.post(f"/staff/drafts/{draft.pk}/approve/", follow=True)
    assert "เฉพาะผู้บริหาร" in refused.content.decode()
    mayor = _client(alpha, approver)
    waiting = mayor.get("/staff/drafts/").content.decode()
    assert SUBJECT in waiting and "รอพิจารณาลงนาม" in waiting
    saved_preview = mayor.get(f"/staff/drafts/{draft.pk}/preview/")
    assert b"data:image/png;base64," in saved_preview.content
    done = mayor.post(f"/staff/drafts/{draft.pk}/approve/", follow=True)
    body = done.content.decode()
    with alpha:
        draft.refresh_from_db()
        assert draft.letter is not None
        reference = draft.letter.reference
    assert draft.status == "signing"  # numbered; signed after the commit
    assert f"อนุมัติแล้ว ออกเลขที่ {reference} กำลังลงนาม" in body
    assert "ออกเลขแล้ว รอลงนาม" in body and "กำลังลงนาม" in body
    assert 'hx-trigger="every 5s"' in body  # the section follows the signature by itself
    assert f"/staff/drafts/{draft.pk}/pdf/" not in body
    assert writer.get(f"/staff/drafts/{draft.pk}/pdf/").status_code == 404
    with alpha:
        signed(draft.issued)
    page = writer.get(f"/staff/drafts/{draft.pk}/").content.decode()
    assert "ออกเลขแล้ว รอลงนาม" not in page and "ลงชื่อด้วยการพิมพ์ชื่อ" in page
    pdf = writer.get(f"/staff/drafts/{draft.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_others_cannot_see_a_draft(alpha: Any, author: Any, in_alpha: Any) -> None:
    from letters.services.drafting import draft_create
    from tests.conftest import make_staff

    draft = draft_create(data=draft_input(), actor=author)
    other = make_staff(in_alpha, "other", role_codes=("officer",))
    client = _client(alpha, other)
    assert client.get(f"/staff/drafts/{draft.pk}/").status_code == 404
    assert client.get(f"/staff/drafts/{draft.pk}/preview/").status_code == 404
    anonymous = client_for(alpha)
    assert anonymous.get("/staff/drafts/").status_code == 302  # to the login page


@pytest.fixture
def issued(author: Any, approver: Any) -> Any:
    from letters.services.drafting import draft_create, draft_submit

    draft = draft_submit(draft=draft_create(data=draft_input(), actor=author), actor=author)
    return approve_and_sign(draft, approver)


def test_qr_code_opens_the_public_check_page(alpha: Any, issued: Any, tmp_path: Path) -> None:
    data = issued.open_bytes()
    (url,) = qr_urls(data, tmp_path)
    parsed = urlparse(url)
    assert parsed.hostname == alpha.get_primary_domain().domain
    assert parsed.path == f"/verify/{issued.verify_token}/"
    page = client_for(alpha).get(parsed.path)  # no login
    assert page.status_code == 200
    html = page.content.decode()
    for fact in (issued.letter.reference, SUBJECT, issued.sha256):
        assert fact in html
    assert re.search(r"\d{1,2} [ก-๛]+ 25\d\d", html)  # the date in Buddhist Era


def test_holder_checks_their_copy(alpha: Any, issued: Any) -> None:
    data = issued.open_bytes()
    path = f"/verify/{issued.verify_token}/"
    client = client_for(alpha)
    same = client.post(path, {"copy": SimpleUploadedFile("letter.pdf", data)})
    assert "ตรงกัน: สำเนาของท่านเป็นไฟล์เดียวกับหนังสือที่ออก" in same.content.decode()
    tampered = bytearray(data)
    at = data.index(b"/Title")  # one changed byte in the metadata is a different file
    tampered[at + 1] = ord("X")
    different = client.post(path, {"copy": SimpleUploadedFile("letter.pdf", bytes(tampered))})
    assert "ไม่ตรงกัน" in different.content.decode()
    by_hash = client.post(path, {"sha256": issued.sha256.upper()})
    assert "ตรงกัน: สำเนา" in by_hash.content.decode()
    wrong_hash = client.post(path, {"sha256": hashlib.sha256(b"x").hexdigest()})
    assert "ไม่ตรงกัน" in wrong_hash.content.decode()


def test_public_check_refuses_bad_uploads(alpha: Any, issued: Any) -> None:
    from letters.forms import MAX_UPLOAD_BYTES

    path = f"/verify/{issued.verify_token}/"
    client = client_for(alpha)
    not_pdf = client.post(path, {"copy": SimpleUploadedFile("letter.pdf", b"GIF89a....")})
    assert not_pdf.status_code == 400 and "รับเฉพาะไฟล์ PDF" in not_pdf.content.decode()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_UPLOAD_BYTES)
    too_big = client.post(path, {"copy": big})
    assert too_big.status_code == 400 and "ไฟล์ใหญ่เกิน" in too_big.content.decode()
    bad_hash = client.post(path, {"sha256": "1234"})
    assert bad_hash.status_code == 400
    empty = client.post(path, {})
    assert empty.status_code == 400


def test_tokens_are_per_municipality(alpha: Any, beta: Any, issued: Any) -> None:
    path = f"/verify/{issued.verify_token}/"
    assert client_for(alpha).get(path).status_code == 200
    assert client_for(beta).get(path).status_code == 404
    assert client_for(alpha).get(f"/verify/{issued.verify_token[:-1]}x/").status_code == 404


def test_a_classified_letter_shows_no_subject(alpha: Any, author: Any, approver: Any) -> None:
    from letters.services.drafting import draft_create, draft_submit

    draft = draft_create(data=draft_input(secrecy="confidential"), actor=author)
    issued = approve_and_sign(draft_submit(draft=draft, actor=author), approver)
    html = client_for(alpha).get(f"/verify/{issued.verify_token}/").content.decode()
    assert issued.letter.reference in html and issued.sha256 in html
    assert SUBJECT not in html
    # The author still sees the registered letter they wrote; another officer does not.
    from registers.selectors.letters import letter_visible
    from tests.conftest import make_staff

    with alpha:
        other = make_staff(alpha, "nosy", role_codes=("officer",))
        assert letter_visible(author, issued.letter)
        assert not letter_visible(other, issued.letter)


def test_send_the_issued_letter_by_email(alpha: Any, author: Any, issued: Any) -> None:
    """The step after issue: the registers' e-mail dispatch, one row per recipient."""
    from registers.models import Dispatch

    writer = _client(alpha, author)
    page = writer.get(f"/staff/drafts/{issued.draft.pk}/").content.decode()
    assert 'value="saraban@amphoe.example"' in page  # the draft's addressee e-mail, ready
    sent = writer.post(
        f"/staff/drafts/{issued.draft.pk}/send/",
        {"recipients": "saraban@amphoe.example, saraban@province.example"},
        follow=True,
    )
    assert "ส่งหนังสือทางอีเมลแล้ว" in sent.content.decode()
    with alpha:
        dispatch = Dispatch.objects.get(letter=issued.letter)
        addresses = sorted(dispatch.recipients.values_list("address", flat=True))
    assert addresses == ["saraban@amphoe.example", "saraban@province.example"]
