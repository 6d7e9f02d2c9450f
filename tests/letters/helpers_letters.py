"""Shared data and image checks of the letters tests (real typst, poppler and zbar)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBJECT = "ขอเชิญเป็นวิทยากรบรรยายงานสารบรรณอิเล็กทรอนิกส์"
BODY = (
    "ด้วยเทศบาลตำบลอัลฟามีความประสงค์จะจัดโครงการฝึกอบรมเพิ่มประสิทธิภาพการปฏิบัติงาน"
    "สารบรรณอิเล็กทรอนิกส์ให้แก่บุคลากรของหน่วยงานในสังกัด ในวันที่ 15 ธันวาคม 2569"
    " ณ ห้องประชุมเทศบาล\n"
    "จึงเรียนมาเพื่อโปรดพิจารณาให้ความอนุเคราะห์ด้วย จะขอบคุณยิ่ง"
)
DPI = 50
CM = DPI / 2.54  # pixels per centimetre at DPI


def draft_input(**overrides: Any) -> Any:
    from letters.inputs import DraftInput

    values: dict[str, Any] = {
        "kind": "external",
        "subject": SUBJECT,
        "body": BODY,
        "addressee": "นายอำเภอเมืองขอนแก่น",
        "department": "ถนนมิตรภาพ อำเภอเมือง จังหวัดขอนแก่น 40000",
        "references": "หนังสือจังหวัดขอนแก่น ที่ ขก 0023.3/ว 1234 ลงวันที่ 1 พฤศจิกายน 2569",
        "enclosures": "กำหนดการ จำนวน 1 ฉบับ",
        "signer_name": "นายสมชาย ใจดี",
        "signer_position": "นายกเทศมนตรีตำบลอัลฟา",
        "contact": "สำนักปลัด\nโทร. 0 4321 1234",
        "recipient_email": "saraban@amphoe.example",
    }
    values.update(overrides)
    return DraftInput(**values)


@dataclass
class Raster:
    """A page as RGB pixels (pdftoppm's PPM), with helpers to look at regions in centimetres."""

    width: int
    height: int
    pixels: bytes

    def rgb(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]

    def box(self, test: Any, x0: float, y0: float, x1: float, y1: float) -> tuple[int, ...] | None:
        """Bounding box (px) of pixels passing ``test`` inside the region given in cm."""
        xs: list[int] = []
        ys: list[int] = []
        for y in range(max(0, int(y0 * CM)), min(self.height, int(y1 * CM))):
            for x in range(max(0, int(x0 * CM)), min(self.width, int(x1 * CM))):
                if test(*self.rgb(x, y)):
                    xs.append(x)
                    ys.append(y)
        if not xs:
            return None
        return min(xs), min(ys), max(xs), max(ys)


def dark(r: int, g: int, b: int) -> bool:
    return r < 100 and g < 100 and b < 100


def inked(r: int, g: int, b: int) -> bool:
    """Any grey: the emblem's thin tips are anti-aliased to light grey at 50 dpi."""
    return max(r, g, b) < 200


def red(r: int, g: int, b: int) -> bool:
    return r > 150 and g < 80 and b < 80


def rasters(pdf: bytes, tmp: Path) -> list[Raster]:
    source = tmp / "letter.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), str(source), str(tmp / "page")], check=True)
    pages = []
    for path in sorted(tmp.glob("page*.ppm")):
        data = path.read_bytes()
        # P6 header: magic, width, height, maxval, each followed by whitespace.
        parts = data.split(maxsplit=4)
        assert parts[0] == b"P6"
        pages.append(Raster(int(parts[1]), int(parts[2]), parts[4]))
    return pages


def pdf_text(pdf: bytes, tmp: Path) -> str:
    """The text in content order (``-raw``). Poppler's default reading-order mode puts a space
    after a tone or vowel mark that the font shifts left (เป็ น): a heuristic of its own, the
    PDF's text is whole, as ``-raw`` and copy-paste show."""
    source = tmp / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


def qr_urls(pdf: bytes, tmp: Path) -> list[str]:
    """Every QR code zbar finds on the pages (rendered at 150 dpi)."""
    source = tmp / "qr.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(source), str(tmp / "qr")], check=True)
    found: list[str] = []
    for image in sorted(tmp.glob("qr*.png")):
        result = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True
        )
        found += [line for line in result.stdout.splitlines() if line]
    return found


SIGN_TASK = "letters.tasks.issued_letter_sign"


def signed(issued: Any) -> Any:
    """Run the signature task that the approval queued after its commit (no worker runs in the
    tests: the message waits in the broker) in this process; returns the letter, refreshed."""
    from letters.tasks import issued_letter_sign

    outcome = issued_letter_sign(issued.pk)
    assert outcome == "signed", outcome
    issued.refresh_from_db()
    return issued


def approve_and_sign(draft: Any, actor: Any, **kwargs: Any) -> Any:
    """อนุมัติ, then the signature made after the commit: the letter as issued."""
    from letters.services.issuing import draft_approve

    return signed(draft_approve(draft=draft, actor=actor, **kwargs))


def queued_tasks(name: str, *, take: bool = False) -> list[dict[str, Any]]:
    """Messages of task ``name`` waiting in this run's Redis broker queue (their headers);
    ``take`` removes them."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    found = []
    for raw in client.lrange(queue, 0, -1):
        headers = json.loads(raw).get("headers", {})
        if headers.get("task") == name:
            found.append(headers)
            if take:
                client.lrem(queue, 1, raw)  # type: ignore[arg-type]
    return found
