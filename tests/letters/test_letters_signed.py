"""The issue step signs through the signing app: PAdES with the approver's certificate (checked
by poppler's pdfsig, a validator that is not ours), or the typed name without one."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import client_for
from tests.letters.helpers_letters import approve_and_sign, draft_input, pdf_text, rasters
from tests.signing.helpers_pki import Pki, nss_db, pdfsig

pytestmark = [pytest.mark.letters, pytest.mark.django_db]


def _approve(author: Any, approver: Any, **overrides: Any) -> Any:
    from letters.services.drafting import draft_create, draft_submit

    draft = draft_submit(
        draft=draft_create(data=draft_input(**overrides), actor=author), actor=author
    )
    return approve_and_sign(draft, approver, ip_address="198.51.100.7")


def test_with_a_certificate_the_letter_is_pades_signed(
    alpha: Any, author: Any, approver: Any, signing_env: Pki, tmp_path: Path
) -> None:
    from signing.services import credential_upload_pkcs12

    credential_upload_pkcs12(
        user=approver, data=signing_env.p12(signing_env.valid), password="test-pass"
    )
    issued = _approve(author, approver)
    assert (issued.signature_method, issued.signature_level) == ("pades", "B-LTA")  # 10 years
    data = issued.open_bytes()
    assert hashlib.sha256(data).hexdigest() == issued.sha256
    path = tmp_path / "issued.pdf"
    path.write_bytes(data)
    out = pdfsig(path, nss_db(tmp_path, signing_env.write_root(tmp_path)))
    assert "Signature is Valid." in out and "Certificate is Trusted." in out, out
    # The check page confirms the signed bytes, the ones a recipient holds.
    page = client_for(alpha).get(f"/verify/{issued.verify_token}/").content.decode()
    assert issued.sha256 in page


def test_without_a_certificate_the_typed_name_is_printed_in_the_gap(
    author: Any, approver: Any, tmp_path: Path
) -> None:
    from letters.pdf.render import SIGNATURE_HEIGHT_PT
    from signing.models import TypedNameSignature

    issued = _approve(author, approver)
    assert (issued.signature_method, issued.signature_level) == ("typed_name", "")
    record = TypedNameSignature.objects.get(user=approver)
    assert record.signed_sha256 == issued.sha256
    assert record.ip_address == "198.51.100.7"
    text = pdf_text(issued.open_bytes(), tmp_path)
    assert "สมชาย ใจดี" in text
    # The block sits in the signature gap: between the closing and the signer's name, inside
    # the right-hand signature column, and it is not blank.
    from letters.pdf.render import letter_pdf_and_spot
    from letters.selectors.drafts import draft_content

    _pdf, spot = letter_pdf_and_spot(
        draft_content(
            issued.draft, number=issued.letter.reference, letter_date=issued.letter.letter_date
        )
    )
    assert spot is not None and spot.page == 0
    (page,) = rasters(issued.open_bytes(), tmp_path)
    x1, _y1, x2, y2 = spot.box
    cm = 72 / 2.54  # points per centimetre
    top_cm = (841.89 - y2) / cm
    ink = page.box(
        lambda r, g, b: max(r, g, b) < 160,
        x1 / cm + 0.1,
        top_cm + 0.05,
        x2 / cm - 0.1,
        top_cm + SIGNATURE_HEIGHT_PT / cm - 0.05,
    )
    assert ink is not None, "nothing printed in the signature gap"
    # For reviewers: the issued letter as an image.
    import subprocess

    from tests.registers.helpers_browser import SCREENSHOTS

    folder = SCREENSHOTS / "letters-templates"
    folder.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "issued.pdf"
    source.write_bytes(issued.open_bytes())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-singlefile",
            str(source),
            str(folder / "issued-typed-name"),
        ],
        check=True,
    )
