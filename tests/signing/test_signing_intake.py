"""Signed PDFs that arrive in the intake are checked after commit (Celery, the tenant's schema in
the message headers); the report is kept per attachment and shows on the letter's page."""

from __future__ import annotations

from typing import Any

import pytest

from registers.inputs import FileInput
from registers.services import letters as svc
from signing.models import AttachmentSignatureCheck
from signing.services import SignatureAppearance, pdf_sign
from signing.tasks import check_attachment_signature, check_missed_signatures
from tests.conftest import client_for, make_staff
from tests.registers.conftest import letter_input
from tests.signing.conftest import letter_pdf, queued_signature_checks, signer_of
from tests.signing.helpers_pki import Pki

pytestmark = [pytest.mark.letters, pytest.mark.django_db]


def test_signed_pdf_in_intake_is_checked_and_shown(
    alpha: Any, signing_env: Pki, django_capture_on_commit_callbacks: Any
) -> None:
    signed = pdf_sign(
        pdf=letter_pdf(), credential=signer_of(signing_env, signing_env.valid),
        visible=SignatureAppearance(name_th="นายสมชาย ใจดี", position_th="นายอำเภอ"),
    )  # fmt: skip
    clerk = make_staff(alpha, "central", role_codes=("central_clerk",))
    before = set(queued_signature_checks())
    with alpha:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            letter = svc.intake_create(
                data=letter_input(),
                files=[
                    FileInput(name="หนังสือลงนาม.pdf", content=signed),
                    FileInput(name="แผนที่.pdf", content=letter_pdf()),  # unsigned: no check
                ],
                actor=clerk,
            )
        assert len(callbacks) >= 1
        queued = [h for i, h in queued_signature_checks(take=True).items() if i not in before]
        signed_file = letter.attachments.get(original_name="หนังสือลงนาม.pdf")
        assert [h["argsrepr"] for h in queued] == [f"({signed_file.pk},)"]
        assert queued[0]["_schema_name"] == alpha.schema_name
        assert not AttachmentSignatureCheck.objects.exists()  # the check runs in the worker

        assert check_attachment_signature(signed_file.pk) == "valid"
        check = AttachmentSignatureCheck.objects.get(attachment=signed_file)
        assert check.signer == "นายสมชาย ใจดี" and check.timestamped and check.signed_at
        assert not AttachmentSignatureCheck.objects.filter(
            attachment__original_name="แผนที่.pdf"
        ).exists()
    client = client_for(alpha)
    with alpha:
        client.force_login(clerk)
    page = client.get(f"/staff/letters/{letter.pk}/").content.decode()
    assert "ลายมือชื่อดิจิทัล" in page and "ลายมือชื่อถูกต้อง" in page
    assert "นายสมชาย ใจดี" in page


def test_sweep_checks_what_the_queue_missed(alpha: Any, signing_env: Pki) -> None:
    signed = pdf_sign(pdf=letter_pdf(), credential=signer_of(signing_env, signing_env.stranger))
    clerk = make_staff(alpha, "central", role_codes=("central_clerk",))
    with alpha:
        letter = svc.intake_create(
            data=letter_input(), files=[FileInput(name="a.pdf", content=signed)], actor=clerk
        )
        assert check_missed_signatures() == 1
        check = AttachmentSignatureCheck.objects.get(attachment__letter=letter)
        assert check.verdict == "untrusted"
        assert check_missed_signatures() == 0
