"""Approval numbers and renders in one short transaction; the signature is made after the
commit by a Celery task (letters.tasks): the register is never locked during the TSA/OCSP/KMS
calls, a lost task is swept up, an outage is retried, a duplicate signs nothing, a permanent
failure keeps the number and can be signed again; nothing unsigned is ever offered."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections

from tests.conftest import client_for, make_staff
from tests.letters.helpers_letters import (
    SIGN_TASK,
    draft_input,
    queued_tasks,
    signed,
)
from tests.signing.helpers_pki import Pki

pytestmark = [pytest.mark.letters]


@pytest.fixture
def tsa(signing_env: Pki) -> Any:
    """The test PKI's TSA, put back to normal (up, not held) after the test, and the
    revocation of ``revoked_signer`` (a test here revokes it) undone."""
    signing_env.tsa_reset()
    yield signing_env
    signing_env.tsa_reset()
    signing_env.revoked.pop(signing_env.revoked_signer.cert.serial_number, None)


def _submitted(author: Any, **overrides: Any) -> Any:
    from letters.services.drafting import draft_create, draft_submit

    return draft_submit(
        draft=draft_create(data=draft_input(**overrides), actor=author), actor=author
    )


def _with_certificate(user: Any, pki: Pki, issued: Any = None) -> Any:
    from signing.services import credential_upload_pkcs12

    return credential_upload_pkcs12(
        user=user, data=pki.p12(issued or pki.valid), password="test-pass"
    )


@pytest.mark.django_db
def test_the_signature_is_queued_after_the_commit_in_the_tenant_schema(
    alpha: Any, author: Any, approver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from letters.services.issuing import draft_approve

    queued_tasks(SIGN_TASK, take=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issued = draft_approve(draft=_submitted(author), actor=approver)
    assert queued_tasks(SIGN_TASK) == []  # nothing is queued before the commit
    assert issued.signing_state == "pending"
    for callback in callbacks:
        callback()  # the commit
    (message,) = queued_tasks(SIGN_TASK, take=True)
    assert message["argsrepr"] == f"({issued.pk},)"
    assert message["_schema_name"] == alpha.schema_name
    assert signed(issued).signing_state == "signed"


@pytest.mark.django_db
def test_nothing_unsigned_is_offered_while_it_awaits_its_signature(
    alpha: Any, author: Any, approver: Any
) -> None:
    from letters.services.issuing import draft_approve
    from registers.errors import InvalidState
    from registers.services.dispatch import letter_dispatch_email

    draft = _submitted(author)
    issued = draft_approve(draft=draft, actor=approver)
    with pytest.raises(ValueError):
        issued.open_bytes()
    # The registers' e-mail dispatch: the letter has no main file until it is signed.
    with pytest.raises(InvalidState):
        letter_dispatch_email(letter=issued.letter, recipients="a@example.org", actor=approver)
    mayor = client_for(alpha)
    with alpha:
        mayor.force_login(approver)
    assert mayor.get(f"/staff/drafts/{draft.pk}/pdf/").status_code == 404
    assert (
        mayor.post(f"/staff/drafts/{draft.pk}/send/", {"recipients": "a@example.org"}).status_code
        == 404
    )
    page = mayor.get(f"/staff/drafts/{draft.pk}/").content.decode()
    assert "ออกเลขแล้ว รอลงนาม" in page and issued.letter.reference in page
    assert "ใช้ได้เมื่อลงนามเสร็จแล้วเท่านั้น" in page
    assert "ลงนามใหม่" not in page  # nothing failed
    listing = mayor.get("/staff/drafts/").content.decode()
    assert 'class="badge awaiting-signature">รอลงนาม<' in listing
    # The public check page (the QR code is printed before the signature): it says so.
    public = client_for(alpha)
    check = public.get(f"/verify/{issued.verify_token}/")
    html = check.content.decode()
    assert check.status_code == 200 and "ยังอยู่ระหว่างลงนาม" in html
    assert issued.letter.reference in html and 'id="verify-sha256"' not in html
    assert "<form" not in html.split('id="verify-status"')[1]
    assert public.post(f"/verify/{issued.verify_token}/", {"sha256": "0" * 64}).status_code == 400

    issued = signed(issued)
    assert mayor.get(f"/staff/drafts/{draft.pk}/pdf/").status_code == 200
    html = public.get(f"/verify/{issued.verify_token}/").content.decode()
    assert issued.sha256 in html and "ยังอยู่ระหว่างลงนาม" not in html
    dispatch = letter_dispatch_email(
        letter=issued.letter, recipients="a@example.org", actor=approver
    )
    assert dispatch.recipients.count() == 1


@pytest.mark.django_db
def test_a_task_run_twice_signs_and_attaches_once(
    alpha: Any, author: Any, approver: Any, tsa: Pki
) -> None:
    from letters.services.issuing import draft_approve
    from letters.tasks import issued_letter_sign
    from registers.models import AuditEntry

    _with_certificate(approver, tsa)
    issued = draft_approve(draft=_submitted(author), actor=approver)
    assert issued.with_certificate
    assert issued_letter_sign(issued.pk) == "signed"
    before = tsa.requests
    assert issued_letter_sign(issued.pk) == "done"  # a retried or duplicated message
    assert issued_letter_sign.apply(args=(issued.pk,)).get() == "done"
    assert tsa.requests == before  # no second timestamp, no OCSP
    issued.refresh_from_db()
    assert (issued.signature_method, issued.signature_level) == ("pades", "B-LTA")
    assert issued.signing_attempts == 1
    assert issued.letter.attachments.filter(role="main").count() == 1
    assert AuditEntry.objects.filter(action="signing.pades").count() == 1
    assert AuditEntry.objects.filter(action="draft.signed").count() == 1


@pytest.mark.django_db
def test_a_tsa_outage_is_retried_then_the_letter_is_signed(
    alpha: Any, author: Any, approver: Any, tsa: Pki
) -> None:
    from letters.services.issuing import draft_approve, issued_letter_sign
    from letters.tasks import countdown
    from letters.tasks import issued_letter_sign as task
    from registers.models import AuditEntry

    _with_certificate(approver, tsa)
    issued = draft_approve(draft=_submitted(author), actor=approver)
    tsa.tsa_outage = 1
    assert issued_letter_sign(issued_id=issued.pk) == "retry"
    issued.refresh_from_db()
    assert issued.signing_state == "pending" and issued.signing_attempts == 1
    assert "หน่วยประทับเวลา" in issued.signing_error  # the reason, in Thai, on the page
    mayor = client_for(alpha)
    with alpha:
        mayor.force_login(approver)
    page = mayor.get(f"/staff/drafts/{issued.draft_id}/").content.decode()
    assert "ยังลงนามไม่สำเร็จ ระบบจะลองใหม่อัตโนมัติ" in page and "พยายามแล้ว 1 ครั้ง" in page
    assert not AuditEntry.objects.filter(action="signing.pades").exists()

    # Through Celery (eager apply runs the retries at once): two more 503s, then it signs.
    tsa.tsa_outage = 2
    assert task.apply(args=(issued.pk,)).get() == "signed"
    issued.refresh_from_db()
    assert issued.signing_state == "signed" and issued.signing_attempts == 4
    assert issued.signing_error == "" and issued.draft.status == "issued"
    assert AuditEntry.objects.filter(action="signing.pades").count() == 1
    assert [countdown(n) for n in range(6)] == [30, 60, 120, 240, 480, 480]


NOTIFY_TASK = "letters.tasks.issued_signing_failure_notify"


def _failing_for(issued: Any, elapsed: timedelta) -> None:
    from django.utils import timezone

    from letters.models import IssuedLetter

    IssuedLetter.objects.filter(pk=issued.pk).update(signing_failing_since=timezone.now() - elapsed)


@pytest.mark.django_db
def test_a_lasting_failure_is_mailed_once_and_retries_stop_after_a_day(
    alpha: Any,
    author: Any,
    approver: Any,
    tsa: Pki,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from letters.services.issuing import draft_approve, issued_letter_sign
    from letters.tasks import issued_signing_failure_notify
    from registers.models import AuditEntry

    approver.email = "mayor@alpha.example"
    approver.save(update_fields=["email"])
    _with_certificate(approver, tsa)
    issued = draft_approve(draft=_submitted(author), actor=approver)
    queued_tasks(NOTIFY_TASK, take=True)
    tsa.tsa_outage = 100

    def attempt() -> list[dict[str, Any]]:
        with django_capture_on_commit_callbacks(execute=True):
            assert issued_letter_sign(issued_id=issued.pk) in ("retry", "failed")
        return queued_tasks(NOTIFY_TASK, take=True)

    # A blip the task's own retries cover (under 15 minutes) is nobody's business yet.
    assert attempt() == []
    _failing_for(issued, timedelta(minutes=14))
    assert attempt() == []
    # It has lasted: the approver is told once, by e-mail, with the reason and the way out.
    _failing_for(issued, timedelta(minutes=16))
    (notice,) = attempt()
    assert notice["argsrepr"] == f"({issued.pk},)"
    assert notice["_schema_name"] == alpha.schema_name
    assert issued_signing_failure_notify(issued.pk) == 1
    (mail,) = mailoutbox
    assert mail.to == ["mayor@alpha.example"]
    assert "ยังลงนามไม่สำเร็จ" in mail.subject and issued.letter.reference in mail.subject
    assert "หน่วยประทับเวลา" in mail.body and "ระบบจะลองลงนามใหม่อัตโนมัติ" in mail.body
    assert f"/staff/drafts/{issued.draft_id}/" in mail.body
    assert attempt() == []  # not again while the same outage goes on
    issued.refresh_from_db()
    assert issued.signing_state == "pending" and issued.signing_attempts == 4

    # A day of failures: retries stop (a revocation source gone for good would be asked for
    # ever), the letter fails with the reason, and the approver is told that too.
    _failing_for(issued, timedelta(hours=24, minutes=1))
    assert len(attempt()) == 1
    issued.refresh_from_db()
    assert issued.signing_state == "failed"
    assert "นานกว่า 24 ชั่วโมง" in issued.signing_error
    assert "หน่วยประทับเวลา" in issued.signing_error
    assert AuditEntry.objects.filter(action="draft.sign_failed").count() == 1
    assert issued_signing_failure_notify(issued.pk) == 1
    assert "ระบบหยุดลองลงนามแล้ว" in mailoutbox[-1].body

    # ลงนามใหม่ starts afresh; once signed, a late notice task mails nobody.
    from letters.services.issuing import issued_letter_sign_again

    tsa.tsa_reset()
    issued = issued_letter_sign_again(issued=issued, actor=approver)
    assert issued.signing_failing_since is None and not issued.signing_failure_notified
    assert signed(issued).signing_state == "signed"
    assert issued_signing_failure_notify(issued.pk) == 0
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_a_classified_letters_failure_notice_keeps_its_subject_out_of_the_mail(
    author: Any, approver: Any, mailoutbox: Any
) -> None:
    from letters.models import IssuedLetter
    from letters.services.issuing import draft_approve
    from letters.tasks import issued_signing_failure_notify

    approver.email = "mayor@alpha.example"
    approver.save(update_fields=["email"])
    issued = draft_approve(draft=_submitted(author, secrecy="confidential"), actor=approver)
    assert issued_signing_failure_notify(issued.pk) == 0  # not failing: nothing to say
    IssuedLetter.objects.filter(pk=issued.pk).update(
        signing_state="failed", signing_error="ใบรับรองถูกเพิกถอน"
    )
    assert issued_signing_failure_notify(issued.pk) == 1
    (mail,) = mailoutbox
    assert issued.letter.subject not in mail.body and issued.letter.subject not in mail.subject
    assert "หนังสือชั้นความลับ (ลับ) โปรดเปิดดูในระบบ" in mail.body
    assert "ใบรับรองถูกเพิกถอน" in mail.body


@pytest.mark.django_db
def test_the_sweep_signs_a_letter_whose_task_was_lost(
    alpha: Any, author: Any, approver: Any
) -> None:
    from django.utils import timezone

    from letters.models import IssuedLetter
    from letters.services.issuing import draft_approve
    from letters.tasks import issued_letters_sweep

    issued = draft_approve(draft=_submitted(author), actor=approver)  # its message: lost
    queued_tasks(SIGN_TASK, take=True)
    assert issued_letters_sweep() == 0  # just approved: its own task may still come
    IssuedLetter.objects.filter(pk=issued.pk).update(
        issued_at=timezone.now() - timedelta(minutes=11)
    )
    assert issued_letters_sweep() == 1
    (message,) = queued_tasks(SIGN_TASK, take=True)
    assert message["argsrepr"] == f"({issued.pk},)"
    assert message["_schema_name"] == alpha.schema_name
    assert signed(issued).signing_state == "signed"
    assert issued_letters_sweep() == 0


@pytest.mark.django_db
def test_a_revoked_certificate_fails_keeps_the_number_and_is_signed_again(
    alpha: Any, author: Any, approver: Any, in_alpha: Any, tsa: Pki
) -> None:
    from letters.services.issuing import draft_approve, issued_letter_sign
    from registers.models import AuditEntry, RegisterEntry
    from signing.services import credential_revoke

    credential = _with_certificate(approver, tsa, tsa.revoked_signer)
    tsa.revoke(tsa.revoked_signer)  # the CA revokes it after the upload
    issued = draft_approve(draft=_submitted(author), actor=approver)
    number = issued.letter.reference
    assert issued_letter_sign(issued_id=issued.pk) == "failed"
    issued.refresh_from_db()
    assert issued.signing_state == "failed" and "ถูกเพิกถอน" in issued.signing_error
    assert issued.draft.status == "signing"
    assert issued_letter_sign(issued_id=issued.pk) == "done"  # a retry does not try again
    failed = AuditEntry.objects.get(action="draft.sign_failed")
    assert failed.data["reference"] == number
    # The number stays taken: the next letter gets the next one.
    entry = RegisterEntry.objects.get(letter=issued.letter)
    assert entry.status == "active"
    following = draft_approve(draft=_submitted(author), actor=approver)
    assert following.letter.reference.endswith(f"/{entry.number + 1}")

    # The page says why and what to do; an approver asks for it to be signed again.
    mayor = client_for(alpha)
    with alpha:
        mayor.force_login(approver)
    page = mayor.get(f"/staff/drafts/{issued.draft_id}/").content.decode()
    assert "ลงนามไม่สำเร็จ" in page and "ถูกเพิกถอน" in page
    assert "จะไม่นำกลับมาใช้ใหม่" in page and "ลายมือชื่อของฉัน" in page
    assert f'action="/staff/drafts/{issued.draft_id}/sign-again/"' in page
    writer = client_for(alpha)
    with alpha:
        writer.force_login(author)
    refused = writer.post(f"/staff/drafts/{issued.draft_id}/sign-again/", follow=True)
    assert "เฉพาะผู้บริหาร" in refused.content.decode()

    # The approver revokes the certificate here: signed again, by typed name (the signing
    # app's fallback without a certificate), under the same number.
    credential_revoke(user=approver, credential=credential)
    again = mayor.post(f"/staff/drafts/{issued.draft_id}/sign-again/", follow=True)
    assert "สั่งลงนามใหม่แล้ว" in again.content.decode()
    issued.refresh_from_db()
    assert issued.signing_state == "pending" and not issued.with_certificate
    issued = signed(issued)
    assert issued.signature_method == "typed_name" and issued.letter.reference == number
    assert issued.draft.status == "issued"
    assert AuditEntry.objects.filter(action="draft.sign_again").count() == 1
    assert issued.letter.attachments.filter(role="main").count() == 1


@pytest.mark.django_db
def test_a_certificate_gone_before_the_signature_is_no_silent_typed_name(
    alpha: Any, author: Any, approver: Any, tsa: Pki
) -> None:
    from letters.services.issuing import draft_approve, issued_letter_sign
    from signing.services import credential_revoke

    credential = _with_certificate(approver, tsa)
    issued = draft_approve(draft=_submitted(author), actor=approver)
    credential_revoke(user=approver, credential=credential)
    assert issued_letter_sign(issued_id=issued.pk) == "failed"
    issued.refresh_from_db()
    assert "ไม่มีใบรับรองที่ใช้ลงนามได้แล้ว" in issued.signing_error
    assert issued.signature_method == ""


def test_the_register_is_not_locked_while_a_letter_is_signed(
    committed_tenant: Any, tsa: Pki
) -> None:
    """The first letter's signature is held at the TSA; meanwhile another approval numbers a
    letter in the same register at once, without any network call; a duplicate task finds the
    first letter busy. Then the TSA answers and the first letter is signed."""
    from letters.services.issuing import draft_approve, issued_letter_sign
    from registers.agency import current_agency

    tenant = committed_tenant
    author = make_staff(tenant, "writer", role_codes=("officer",))
    approver = make_staff(
        tenant, "mayor", role_codes=("executive",), first_name="สมชาย", last_name="ใจดี"
    )
    with tenant:
        _with_certificate(approver, tsa)
        prefix = current_agency().letter_code_prefix
        first = draft_approve(draft=_submitted(author), actor=approver)
        second_draft = _submitted(author)
    outcome: dict[str, str] = {}

    def sign_first() -> None:
        try:
            with tenant:
                outcome["first"] = issued_letter_sign(issued_id=first.pk)
        finally:
            connections.close_all()

    tsa.tsa_open.clear()
    signer = threading.Thread(target=sign_first)
    signer.start()
    try:
        assert tsa.tsa_waiting.wait(30), "the first signature never reached the TSA"
        requests = tsa.requests
        started = time.monotonic()
        with tenant:
            second = draft_approve(draft=second_draft, actor=approver)
            assert issued_letter_sign(issued_id=first.pk) == "busy"  # a duplicate: no wait
        took = time.monotonic() - started
        assert tsa.requests == requests  # the approval made no network call
        assert signer.is_alive() and "first" not in outcome  # still held at the TSA
        assert took < 10, f"the second approval waited {took:.1f} s"
        assert first.letter.reference == f"{prefix}/1"
        assert second.letter.reference == f"{prefix}/2"
    finally:
        tsa.tsa_open.set()
        signer.join(60)
    assert outcome["first"] == "signed"
    with tenant:
        assert issued_letter_sign(issued_id=second.pk) == "signed"
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.signing_state == second.signing_state == "signed"
        assert first.signature_level == "B-LTA"
        assert first.letter.attachments.filter(role="main").count() == 1
    queued_tasks(SIGN_TASK, take=True)
