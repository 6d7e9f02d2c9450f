"""Draft -> submitted -> returned or approved; numbering on approval; who may do what."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_staff
from tests.letters.helpers_letters import SUBJECT, draft_input, pdf_text, signed

pytestmark = [pytest.mark.letters, pytest.mark.django_db]


def _submitted(author: Any, **overrides: Any) -> Any:
    from letters.services.drafting import draft_create, draft_submit

    draft = draft_create(data=draft_input(**overrides), actor=author)
    return draft_submit(draft=draft, actor=author)


def test_approval_numbers_registers_renders_and_audits(
    author: Any, approver: Any, tmp_path: Path
) -> None:
    from letters.services.issuing import draft_approve
    from registers.agency import current_agency
    from registers.models import AuditEntry, Letter, RegisterEntry
    from registers.services.numbering import period_for

    draft = _submitted(author)
    issued = draft_approve(draft=draft, actor=approver)

    # Approved, numbered and rendered in the transaction; the signature comes after the commit.
    draft.refresh_from_db()
    assert draft.status == "signing" and issued.signing_state == "pending"
    assert issued.signer == approver and not issued.with_certificate  # no credential: typed
    assert not issued.file and not issued.sha256
    unsigned = issued.open_unsigned()
    assert hashlib.sha256(unsigned).hexdigest() == issued.unsigned_sha256
    assert not issued.letter.attachments.exists()  # nothing to download or send yet
    assert AuditEntry.objects.order_by("seq").last().action == "draft.approve"
    issued = signed(issued)
    # The signature is an incremental update of exactly the bytes rendered at approval.
    assert issued.open_bytes()[: len(unsigned)] == unsigned
    assert bytes(issued.unsigned_pdf) == b""  # no longer kept in the row

    prefix = current_agency().letter_code_prefix
    entry = RegisterEntry.objects.get(letter=issued.letter)
    assert entry.register == "send"
    assert entry.number == 1
    assert entry.period == period_for(issued.issued_at)
    letter = Letter.objects.get(pk=issued.letter.pk)
    assert letter.reference == f"{prefix}/1"
    assert letter.direction == "outgoing" and letter.status == "registered"
    assert letter.subject == SUBJECT and letter.kind == "external"

    draft.refresh_from_db()
    assert draft.status == "issued" and draft.letter_id == letter.pk
    assert draft.decided_by == approver

    # Stored once under its SHA-256, and the bytes are what the hash says.
    data = issued.open_bytes()
    key = str(issued.file.name)
    assert hashlib.sha256(data).hexdigest() == issued.sha256 == key[-68:-4]
    assert key.startswith(f"tenants/{letter_schema()}/issued/")
    assert issued.size == len(data)
    text = pdf_text(data, tmp_path)
    assert f"{prefix}/1" in text and SUBJECT in text
    # The register's letter carries it as its main file (search, downloads, e-mail).
    main = letter.attachments.get(role="main")
    assert main.sha256 == issued.sha256
    assert len(issued.verify_token) >= 40

    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    for action in ("draft.create", "draft.submit", "outgoing.create", "register.send"):
        assert action in actions
    assert actions.index("draft.approve") < actions.index("signing.typed_name")
    assert actions[-1] == "draft.signed"
    approval = AuditEntry.objects.get(action="draft.approve")
    assert approval.data["unsigned_sha256"] == issued.unsigned_sha256
    assert approval.data["reference"] == letter.reference
    assert approval.data["signature"] == "typed_name"
    done = AuditEntry.objects.get(action="draft.signed")
    assert done.data["sha256"] == issued.sha256 and done.data["signature"] == "typed_name"


def letter_schema() -> str:
    from tenants.db import tenant_connection

    return str(tenant_connection.schema_name)


def test_numbers_run_on_and_each_kind_uses_its_register(author: Any, approver: Any) -> None:
    from letters.services.issuing import draft_approve
    from registers.agency import current_agency
    from registers.services.numbering import period_for

    prefix = current_agency().letter_code_prefix
    first = draft_approve(draft=_submitted(author), actor=approver)
    second = draft_approve(draft=_submitted(author), actor=approver)
    circular = draft_approve(draft=_submitted(author, circular=True), actor=approver)
    order = draft_approve(draft=_submitted(author, kind="order", addressee=""), actor=approver)
    memo = draft_approve(draft=_submitted(author, kind="memo"), actor=approver)
    year = period_for(order.issued_at)
    assert first.letter.reference == f"{prefix}/1"
    assert second.letter.reference == f"{prefix}/2"
    assert circular.letter.reference == f"{prefix}/ว 1"
    assert order.letter.reference == f"1/{year}"
    assert order.letter.kind == "directive" and order.letter.sub_kind == "order"
    assert memo.letter.reference == f"{prefix}/3"
    assert memo.letter.kind == "internal"


def test_return_with_comment_then_edit_and_resubmit(author: Any, approver: Any) -> None:
    from letters.errors import DraftStateError, InvalidDraft
    from letters.services.drafting import draft_return, draft_submit, draft_update

    draft = _submitted(author)
    with pytest.raises(DraftStateError):  # submitted: the author waits
        draft_update(draft=draft, data=draft_input(subject="แก้"), actor=author)
    with pytest.raises(InvalidDraft):
        draft_return(draft=draft, actor=approver, comment="  ")
    draft = draft_return(draft=draft, actor=approver, comment="โปรดแก้ไขวันที่ประชุม")
    assert draft.status == "returned" and draft.return_comment == "โปรดแก้ไขวันที่ประชุม"
    draft = draft_update(draft=draft, data=draft_input(subject="ขอเชิญประชุม (แก้ไข)"), actor=author)
    assert draft.subject == "ขอเชิญประชุม (แก้ไข)"
    assert draft_submit(draft=draft, actor=author).status == "submitted"


def test_who_may_do_what(author: Any, approver: Any, in_alpha: Any) -> None:
    from letters.errors import DraftNotAllowed, DraftStateError
    from letters.services.drafting import draft_create, draft_return, draft_submit, draft_update
    from letters.services.issuing import draft_approve
    from registers.models import RegisterEntry

    clerk = make_staff(in_alpha, "clerk2", role_codes=("central_clerk",))
    draft = draft_create(data=draft_input(), actor=author)
    with pytest.raises(DraftNotAllowed):  # only the author edits and submits
        draft_update(draft=draft, data=draft_input(), actor=clerk)
    with pytest.raises(DraftNotAllowed):
        draft_submit(draft=draft, actor=clerk)
    with pytest.raises(DraftStateError):  # not submitted yet
        draft_approve(draft=draft, actor=approver)
    draft = draft_submit(draft=draft, actor=author)
    for outsider in (author, clerk):  # neither officers nor clerks approve or return
        with pytest.raises(DraftNotAllowed):
            draft_approve(draft=draft, actor=outsider)
        with pytest.raises(DraftNotAllowed):
            draft_return(draft=draft, actor=outsider, comment="ไม่")
    assert not RegisterEntry.objects.exists()
    draft_approve(draft=draft, actor=approver)
    with pytest.raises(DraftStateError):  # never twice
        draft_approve(draft=draft, actor=approver)
    assert RegisterEntry.objects.count() == 1


def test_draft_rules(author: Any) -> None:
    from letters.errors import InvalidDraft
    from letters.services.drafting import draft_create

    with pytest.raises(InvalidDraft):
        draft_create(data=draft_input(secrecy="top_secret"), actor=author)
    with pytest.raises(InvalidDraft):
        draft_create(data=draft_input(addressee=""), actor=author)
    with pytest.raises(InvalidDraft):
        draft_create(data=draft_input(body=" "), actor=author)
    with pytest.raises(InvalidDraft):
        draft_create(data=draft_input(kind="memo", circular=True), actor=author)


def test_a_failed_render_returns_the_number(author: Any, approver: Any) -> None:
    """A letter whose PDF cannot be made leaves no number behind (one transaction)."""
    from letters.pdf import render as render_module
    from letters.services.issuing import draft_approve
    from registers.models import Letter, NumberCounter, RegisterEntry
    from registers.pdf.render import PdfError

    draft = _submitted(author)
    original = render_module.TEMPLATE
    broken = original.with_name("missing-template.typ")
    render_module._compiler = None
    render_module.TEMPLATE = broken  # as if the template were lost from the image
    try:
        with pytest.raises(PdfError):
            draft_approve(draft=draft, actor=approver)
    finally:
        render_module.TEMPLATE = original
        render_module._compiler = None
    assert not RegisterEntry.objects.exists()
    assert not NumberCounter.objects.filter(last_number__gt=0).exists()
    assert not Letter.objects.exists()
    draft.refresh_from_db()
    assert draft.status == "submitted"
    issued = draft_approve(draft=draft, actor=approver)
    assert issued.letter.reference.endswith("/1")
