"""PAdES B-LT / B-LTA signatures made by signing.services.pdf_sign against the test PKI,
checked by pyHanko and by poppler's pdfsig (NSS) with a database trusting only the test root."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.services import SignatureAppearance, pdf_sign, signature_level_for
from tests.signing.conftest import letter_pdf, signer_of
from tests.signing.helpers_pki import Pki, free_port, nss_db, pdfsig

pytestmark = pytest.mark.letters

APPEARANCE = SignatureAppearance(
    name_th="นายสมชาย ใจดี", position_th="ปลัดเทศบาลตำบลอัลฟา ปฏิบัติราชการแทน", page=0
)


def test_level_follows_retention_years() -> None:
    assert signature_level_for(1) == "B-LT"
    assert signature_level_for(9) == "B-LT"
    assert signature_level_for(10) == "B-LTA"
    assert signature_level_for(None) == "B-LTA"


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_signed_letter_is_pades_lt_and_pdfsig_accepts_it(
    signing_env: Pki, tmp_path: Path, level: str
) -> None:
    signed = pdf_sign(
        pdf=letter_pdf(),
        credential=signer_of(signing_env, signing_env.valid),
        level=level,  # type: ignore[arg-type]
        reason="ลงนามหนังสือราชการ",
        location="เทศบาลตำบลอัลฟา",
        visible=APPEARANCE,
    )
    reader = PdfFileReader(io.BytesIO(signed))
    assert len(reader.embedded_regular_signatures) == 1
    assert "/DSS" in reader.root  # revocation data embedded (LT)
    # B-LTA adds a document timestamp after the DSS.
    assert len(reader.embedded_timestamp_signatures) == (1 if level == "B-LTA" else 0)
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    out = pdfsig(path, nss_db(tmp_path, signing_env.write_root(tmp_path)))
    assert "Signature is Valid." in out, out
    assert "Certificate is Trusted." in out, out
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )


def test_outages_are_temporary_refusals_are_not(signing_env: Pki, settings: Any) -> None:
    """What the letters app retries (SigningUnavailable) and what it reports as final."""
    from signing.errors import SigningError, SigningUnavailable

    def attempt(issued: Any = None) -> SigningError:
        with pytest.raises(SigningError) as caught:
            pdf_sign(
                pdf=letter_pdf(), credential=signer_of(signing_env, issued or signing_env.valid)
            )
        return caught.value

    try:
        signing_env.tsa_outage = 1  # the TSA answers 503
        assert isinstance(attempt(), SigningUnavailable)
        signing_env.ocsp_outage = 10  # the OCSP responder answers 503
        error = attempt()
        assert isinstance(error, SigningUnavailable) and "OCSP" in error.text("th")
        signing_env.tsa_reset()
        settings.SIGNING_TSA_URL = f"http://127.0.0.1:{free_port()}/tsa"  # nothing listens
        assert isinstance(attempt(), SigningUnavailable)
        settings.SIGNING_TSA_URL = ""  # not configured yet: the operator's to fix
        assert isinstance(attempt(), SigningUnavailable)
        settings.SIGNING_TSA_URL = f"{signing_env.base_url}/tsa"
        signing_env.revoke(signing_env.revoked_signer)
        revoked = attempt(signing_env.revoked_signer)
        assert not isinstance(revoked, SigningUnavailable) and "เพิกถอน" in revoked.text("th")
        expired = attempt(signing_env.expired)
        assert not isinstance(expired, SigningUnavailable)
    finally:
        signing_env.tsa_reset()
        # The session's PKI: test_revoked_after_signing signs with it before revoking it.
        signing_env.revoked.pop(signing_env.revoked_signer.cert.serial_number, None)
