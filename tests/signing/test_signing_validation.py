"""signing.validation.pdf_validate on the cases that matter (valid, revoked, tampered, expired,
untrusted root, unsigned), each also judged by poppler's pdfsig with an NSS database that
trusts only the test root."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from signing.models import SignatureVerdict
from signing.services import SignatureAppearance, pdf_sign
from signing.validation import looks_signed, pdf_validate
from tests.signing.conftest import letter_pdf, signer_of
from tests.signing.helpers_pki import Issued, Pki, nss_db, pdfsig

pytestmark = pytest.mark.letters

VISIBLE = SignatureAppearance(name_th="นายสมชาย ใจดี", position_th="นายกเทศมนตรีตำบลอัลฟา", page=0)


def _sign(pki: Pki, issued: Issued, level: str = "B-LT") -> bytes:
    return pdf_sign(
        pdf=letter_pdf(), credential=signer_of(pki, issued), level=level,  # type: ignore[arg-type]
        reason="ทดสอบ", location="อัลฟา", visible=VISIBLE,
    )  # fmt: skip


def _pdfsig(pki: Pki, tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "in.pdf"
    path.write_bytes(data)
    return pdfsig(path, nss_db(tmp_path, pki.write_root(tmp_path)))


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_valid_signature(signing_env: Pki, tmp_path: Path, level: str) -> None:
    data = _sign(signing_env, signing_env.valid, level)
    assert looks_signed(data)
    report = pdf_validate(data)
    assert report.verdict == SignatureVerdict.VALID, report
    check = report.signatures[0]
    assert check.signer_name == "นายสมชาย ใจดี"
    assert check.intact and check.trusted and not check.revoked
    assert check.timestamp is not None and check.timestamp_trusted
    out = _pdfsig(signing_env, tmp_path, data)
    assert "Signature is Valid." in out and "Certificate is Trusted." in out, out


def test_revoked_after_signing(signing_env: Pki, tmp_path: Path) -> None:
    data = _sign(signing_env, signing_env.revoked_signer)
    assert pdf_validate(data).verdict == SignatureVerdict.VALID  # not revoked yet
    signing_env.revoke(signing_env.revoked_signer)
    report = pdf_validate(data)
    assert report.verdict == SignatureVerdict.REVOKED, report
    assert report.signatures[0].revoked_at is not None
    out = _pdfsig(signing_env, tmp_path, data)
    assert "Revoked" in out, out


def test_signing_with_a_revoked_certificate_is_refused(signing_env: Pki) -> None:
    from signing.errors import SigningError

    signing_env.revoke(signing_env.revoked_signer)
    with pytest.raises(SigningError):
        _sign(signing_env, signing_env.revoked_signer)


def test_tampered_document(signing_env: Pki, tmp_path: Path) -> None:
    data = bytearray(_sign(signing_env, signing_env.valid))
    # Change one byte inside a content stream covered by the signature.
    at = data.index(b"stream\n") + 40
    data[at] ^= 0x01
    report = pdf_validate(bytes(data))
    assert report.verdict == SignatureVerdict.TAMPERED, report
    assert not report.signatures[0].intact
    out = _pdfsig(signing_env, tmp_path, bytes(data))
    assert "Digest Mismatch" in out, out


def test_page_changed_after_signing(signing_env: Pki) -> None:
    """An incremental update that adds text to the page is not an allowed change."""
    from pyhanko.pdf_utils import generic

    data = _sign(signing_env, signing_env.valid)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    box = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 50 50 200 200 re f"))
    writer.add_stream_to_page(0, box)
    out = io.BytesIO()
    writer.write(out)
    report = pdf_validate(out.getvalue())
    assert report.verdict == SignatureVerdict.TAMPERED, report
    assert report.signatures[0].intact  # the signed bytes are intact; the file is not


def test_expired_certificate(signing_env: Pki, tmp_path: Path) -> None:
    """A signature made (without LT data) by a certificate that has since expired."""
    meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256")
    writer = IncrementalPdfFileWriter(io.BytesIO(letter_pdf()))
    out = io.BytesIO()
    signers.PdfSigner(meta, signer_of(signing_env, signing_env.expired)).sign_pdf(
        writer, output=out
    )
    report = pdf_validate(out.getvalue())
    assert report.verdict == SignatureVerdict.EXPIRED, report
    assert report.signatures[0].expired and report.signatures[0].intact
    out_text = _pdfsig(signing_env, tmp_path, out.getvalue())
    assert "Expired" in out_text, out_text


def test_untrusted_root(signing_env: Pki, tmp_path: Path) -> None:
    data = _sign(signing_env, signing_env.stranger)
    report = pdf_validate(data)
    assert report.verdict == SignatureVerdict.UNTRUSTED, report
    assert report.signatures[0].intact and not report.signatures[0].trusted
    out = _pdfsig(signing_env, tmp_path, data)
    assert "Signature is Valid." in out and "Certificate is Trusted." not in out, out


def test_unsigned_and_broken_files(signing_env: Pki) -> None:
    assert pdf_validate(letter_pdf()).verdict == SignatureVerdict.UNSIGNED
    assert not looks_signed(letter_pdf())
    assert pdf_validate(b"%PDF-1.7 not really").verdict in (
        SignatureVerdict.ERROR,
        SignatureVerdict.UNSIGNED,
    )


def test_no_fetching_from_private_addresses(signing_env: Pki, settings: Any) -> None:
    """An arriving PDF names its own OCSP URLs: private ones (here 127.0.0.1) are not fetched."""
    data = _sign(signing_env, signing_env.valid)
    settings.SIGNING_FETCH_PRIVATE_ADDRESSES = False
    before = signing_env.requests
    report = pdf_validate(data)
    assert signing_env.requests == before
    assert report.signatures[0].intact  # still checked, with what the file itself carries
