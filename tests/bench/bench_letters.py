"""B8, the letter part: render a two-page external letter (with its QR code) to PDF, p50.

The benchmark target (<= 0.5 s p50) is for render AND PAdES B-LT signing: the command line
signs with the signing app's ``pdf_sign`` against the test PKI of tests/signing (a timestamp
authority and OCSP responder on this machine, so network latency to a real TSA is not in the
figure). In the product the two halves run apart: the render inside the approval's transaction
(the only part that holds the register's counter row), the signature in the Celery task after
the commit (``letters.services.issuing``), through ``document_sign`` -> this same ``pdf_sign``;
the figure is the time until a letter is issued. Without ``sign`` (the smoke test) the figure
is render-only and the row says so. Every run's PDF is checked: two pages, the subject found in
its text; the first one is also rasterised and checked for ink in the text area.

    infra/dev/bench --only B8 [--b8-letters 50]
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from tests.bench.harness import Row, Say, percentile, say

TARGET_SECONDS = 0.5
SUBJECT = "ขอเชิญเข้าร่วมประชุมคณะกรรมการพัฒนาท้องถิ่น ครั้งที่ {n}/2569"
PARAGRAPH = (
    "ด้วยเทศบาลตำบลทดสอบสมรรถนะกำหนดจัดประชุมคณะกรรมการพัฒนาท้องถิ่นเพื่อพิจารณาร่างแผนพัฒนา"
    "ท้องถิ่นและโครงการที่จะดำเนินการในปีงบประมาณถัดไป ครั้งที่ {n} ข้อ {p} ในวันที่ 15 ธันวาคม "
    "2569 เวลา 09.30 น. ณ ห้องประชุมสำนักงานเทศบาล ชั้น 2 โดยมีวาระการประชุมตามที่แนบมาพร้อมนี้"
)


@dataclasses.dataclass
class Figures:
    seconds: list[float]
    pages: list[int]
    text_ok: bool
    image_ok: bool
    signed: bool


def letter_content(n: int) -> Any:
    from letters.pdf.content import LetterContent
    from letters.pdf.qr import qr_svg

    body = "\n".join(PARAGRAPH.format(n=n, p=p) for p in range(1, 8))
    return LetterContent(
        kind="external",
        agency="เทศบาลตำบลทดสอบสมรรถนะ",
        subject=SUBJECT.format(n=n),
        body=body,
        addressee="ประธานคณะกรรมการพัฒนาท้องถิ่น",
        department="ถนนมิตรภาพ อำเภอเมือง จังหวัดขอนแก่น 40000",
        references="หนังสือจังหวัดขอนแก่น ที่ ขก 0023.3/ว 1234 ลงวันที่ 1 พฤศจิกายน 2569",
        enclosures="ระเบียบวาระการประชุม จำนวน 1 ชุด\nร่างแผนพัฒนาท้องถิ่น จำนวน 1 เล่ม",
        signer_name="นายทดสอบ สมรรถนะ",
        signer_position="นายกเทศมนตรีตำบลทดสอบสมรรถนะ",
        contact="สำนักปลัด งานธุรการ\nโทร. 0 4311 1222\nไปรษณีย์อิเล็กทรอนิกส์ saraban@bench.example",
        urgency="urgent",
        number=f"ขก 72101/{n}",
        letter_date=date(2026, 11, 22),
        qr_svg=qr_svg(f"https://bench.example/verify/{'x' * 40}{n:03d}/"),
    )


def _text(pdf: bytes, folder: Path) -> str:
    source = folder / "letter.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout


def _ink_in_text_area(pdf: bytes, folder: Path) -> bool:
    """Page 1 as a grey image (PGM): dark pixels between the margins, none outside them."""
    source = folder / "image.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "30",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(folder / "page"),
        ],
        check=True,
    )
    data = (folder / "page.pgm").read_bytes()
    magic, width, height, _max, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(width), int(height)
    per_cm = 30 / 2.54
    left, right = int(2.8 * per_cm), int((21 - 1.8) * per_cm)
    inside = outside = 0
    for y in range(h):
        row = pixels[y * w : (y + 1) * w]
        for x, value in enumerate(row):
            if value < 100:
                if left <= x <= right:
                    inside += 1
                else:
                    outside += 1
    return inside > 500 and outside == 0


@contextlib.contextmanager
def test_pki_signer() -> Iterator[Callable[[bytes, Any], bytes]]:
    """PAdES B-LT with the signing app's ``pdf_sign``, against the test PKI of tests/signing
    (its timestamp authority and OCSP responder run on this machine, over HTTP)."""
    from django.test import override_settings

    from signing.services import SignatureAppearance, pdf_sign
    from tests.signing.conftest import signer_of
    from tests.signing.helpers_pki import Pki

    pki = Pki()
    pki.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-b8-trust-") as anchors:
            pki.write_root(Path(anchors))
            with override_settings(
                SIGNING_TRUST_ROOTS=[anchors],
                SIGNING_TSA_URL=f"{pki.base_url}/tsa",
                SIGNING_FETCH_PRIVATE_ADDRESSES=True,
            ):
                signer = signer_of(pki, pki.valid)

                def sign(pdf: bytes, spot: Any) -> bytes:
                    visible = SignatureAppearance(
                        name_th="นายทดสอบ สมรรถนะ",
                        position_th="นายกเทศมนตรีตำบลทดสอบสมรรถนะ",
                        page=spot.page,
                        box=spot.box,
                        font_size=10.5,
                    )
                    return pdf_sign(pdf=pdf, credential=signer, level="B-LT", visible=visible)

                yield sign
    finally:
        pki.stop()


def run(
    *, letters: int = 50, sign: Callable[[bytes, Any], bytes] | None = None, out: Say = say
) -> tuple[list[Row], Figures]:
    from pypdf import PdfReader

    from letters.pdf.render import letter_pdf, letter_pdf_and_spot

    out(f"B8: rendering {letters} two-page letters{' and signing them' if sign else ''}")
    letter_pdf(letter_content(0))  # loads the fonts and the Thai dictionary once
    figures = Figures(seconds=[], pages=[], text_ok=True, image_ok=False, signed=sign is not None)
    with tempfile.TemporaryDirectory(prefix="bench-b8-") as name:
        folder = Path(name)
        for n in range(1, letters + 1):
            started = time.perf_counter()
            pdf, spot = letter_pdf_and_spot(letter_content(n))
            if sign is not None:
                pdf = sign(pdf, spot)
            figures.seconds.append(time.perf_counter() - started)
            figures.pages.append(len(PdfReader(io.BytesIO(pdf)).pages))
            text = "".join(_text(pdf, folder).split())  # a long subject wraps onto two lines
            subject = "".join(SUBJECT.format(n=n).split())
            figures.text_ok &= subject in text and f"ขก72101/{n}" in text
            if n == 1:
                figures.image_ok = _ink_in_text_area(pdf, folder)
    p50 = percentile(figures.seconds, 0.5)
    checks = figures.text_ok and figures.image_ok and set(figures.pages) == {2}
    what = "render + PAdES B-LT (local TSA/OCSP)" if sign else "render only"
    out(f"B8: p50 {p50 * 1000:.0f} ms ({what}), pages {sorted(set(figures.pages))}")
    row = Row(
        benchmark="B8 letter (2 pages) p50",
        ours=f"{p50 * 1000:.0f} ms",
        anchor="-",
        ratio="-",
        target=f"<= {TARGET_SECONDS * 1000:.0f} ms",
        passed=checks and p50 <= TARGET_SECONDS,
        notes=f"{what}; n={letters}; p95 {percentile(figures.seconds, 0.95) * 1000:.0f} ms"
        + ("" if checks else "; CHECKS FAILED (pages/text/image)"),
    )
    return [row], figures
