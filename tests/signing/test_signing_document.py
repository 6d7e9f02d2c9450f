"""document_sign, the call the letters app makes: PAdES with the signer's credential (level from
the retention years), typed name without one; and a B-LT signature that outlives its
certificate is still judged valid at its timestamp."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from registers.models import AuditEntry
from signing.services import (
    SignatureAppearance,
    credential_upload_pkcs12,
    document_sign,
    pdf_sign,
)
from signing.validation import pdf_validate
from tests.conftest import make_staff
from tests.signing.conftest import letter_pdf, signer_of
from tests.signing.helpers_pki import Pki

pytestmark = [pytest.mark.letters, pytest.mark.django_db]

VISIBLE = SignatureAppearance(name_th="นายสมชาย ใจดี", position_th="นายกเทศมนตรีตำบลอัลฟา")


def test_with_a_credential_pades_level_follows_retention(alpha: Any, signing_env: Pki) -> None:
    user = make_staff(alpha, "mayor", role_codes=("executive",))
    with alpha:
        credential_upload_pkcs12(
            user=user, data=signing_env.p12(signing_env.valid), password="test-pass"
        )
        short = document_sign(pdf=letter_pdf(), user=user, visible=VISIBLE, retention_years=1)
        long = document_sign(pdf=letter_pdf(), user=user, visible=VISIBLE, retention_years=None)
        assert AuditEntry.objects.filter(action="signing.pades").count() == 2
    assert (short.method, short.level) == ("pades", "B-LT")
    assert (long.method, long.level) == ("pades", "B-LTA")
    reader = PdfFileReader(io.BytesIO(long.pdf))
    assert len(reader.embedded_timestamp_signatures) == 1
    assert pdf_validate(short.pdf).verdict == "valid"


def test_without_a_credential_the_typed_name_is_used(alpha: Any) -> None:
    user = make_staff(alpha, "deputy", role_codes=("executive",))
    with alpha:
        signed = document_sign(
            pdf=letter_pdf(), user=user, visible=VISIBLE, retention_years=10,
            ip_address="198.51.100.4",
        )  # fmt: skip
    assert (signed.method, signed.level) == ("typed_name", "")
    assert pdf_validate(signed.pdf).verdict == "unsigned"  # no certificate signature


def test_lt_signature_outlives_its_certificate(signing_env: Pki) -> None:
    """Signed while valid, checked after expiry: judged at the timestamp with the embedded
    OCSP responses (PAdES-LT)."""
    now = dt.datetime.now(dt.UTC)
    # Valid for one day that ends 15 seconds from now (signing takes a few on a busy machine).
    short_lived = signing_env._issue(
        "นายอายุสั้น ทดสอบ", signing_env.intermediate,
        start=now - dt.timedelta(days=1) + dt.timedelta(seconds=15), days=1,
    )  # fmt: skip
    signed = pdf_sign(pdf=letter_pdf(), credential=signer_of(signing_env, short_lived))
    assert pdf_validate(signed).verdict == "valid"
    time.sleep(
        max(
            0.0,
            (short_lived.cert.not_valid_after_utc - dt.datetime.now(dt.UTC)).total_seconds() + 1,
        )
    )
    report = pdf_validate(signed)
    check = report.signatures[0]
    assert check.expired
    assert report.verdict == "valid", report
    assert check.judged_at_timestamp


def test_before_record_sees_the_signed_bytes_before_anything_is_written(
    alpha: Any, signing_env: Pki
) -> None:
    """The letters app stores the signed PDF (S3) there: before the audit entry, which holds the
    municipality's audit-chain lock until the caller's transaction ends."""
    from signing.models import TypedNameSignature

    SIGNATURE_ACTIONS = ("signing.typed_name", "signing.pades")
    typed = make_staff(alpha, "deputy", role_codes=("executive",))
    certified = make_staff(alpha, "mayor", role_codes=("executive",))
    seen: list[tuple[str, int, int]] = []

    def check(pdf: bytes) -> None:
        seen.append(
            (
                hashlib.sha256(pdf).hexdigest(),
                AuditEntry.objects.filter(action__in=SIGNATURE_ACTIONS).count(),
                TypedNameSignature.objects.count(),
            )
        )

    with alpha:
        credential_upload_pkcs12(
            user=certified, data=signing_env.p12(signing_env.valid), password="test-pass"
        )
        first = document_sign(
            pdf=letter_pdf(), user=typed, visible=VISIBLE, retention_years=1, before_record=check
        )
        second = document_sign(
            pdf=letter_pdf(), user=certified, visible=VISIBLE, retention_years=1,
            before_record=check,
        )  # fmt: skip
        assert AuditEntry.objects.filter(action__in=SIGNATURE_ACTIONS).count() == 2
    assert seen == [(first.sha256, 0, 0), (second.sha256, 1, 1)]
