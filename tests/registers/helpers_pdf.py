"""Real Thai PDFs and images for the PDF tests: made with typst and the shipped Laksaman font,
rendered back with poppler (pdftoppm, pdftotext) to see where ink landed."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import typst
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import RectangleObject

FONTS = Path(__file__).resolve().parents[2] / "platform" / "registers" / "fonts"

LETTER_TYP = """
#set page(paper: "a4", flipped: sys.inputs.flipped == "yes",
          margin: (top: 45mm, left: 30mm, right: 20mm, bottom: 20mm))
#set text(font: "Laksaman", size: 16pt, lang: "th")
#align(center)[*#sys.inputs.title*]
ที่ ขก 0023.3/ว 1234 #h(1fr) ศาลากลางจังหวัดขอนแก่น

เรื่อง #sys.inputs.body

เรียน นายกเทศมนตรีตำบลอัลฟา
"""


def thai_pdf(
    *,
    body: str = "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น ผู้ใหญ่บ้านน้ำใส",
    title: str = "หนังสือราชการ",
    landscape: bool = False,
    pages: int = 1,
) -> bytes:
    """An A4 Thai letter (black text only, nothing in the top 45 mm)."""
    source = LETTER_TYP + "".join("\n#pagebreak()\nหน้าถัดไป\n" for _ in range(pages - 1))
    pdf = typst.compile(
        source.encode(),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        sys_inputs={"title": title, "body": body, "flipped": "yes" if landscape else "no"},
    )
    assert isinstance(pdf, bytes)
    return pdf


def rotated(pdf: bytes, degrees: int) -> bytes:
    """The same PDF with /Rotate set on every page (as scanners and fax software do)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.rotate(degrees)
    return _bytes(writer)


def shifted_origin(pdf: bytes, dx: float = 100, dy: float = 200) -> bytes:
    """The same pages with their media box moved off (0, 0), contents moved along."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        box = page.mediabox
        page.add_transformation(Transformation().translate(dx, dy))
        page.mediabox = RectangleObject([dx, dy, dx + float(box.width), dy + float(box.height)])
        page.cropbox = page.mediabox
    return _bytes(writer)


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_image(pdf: bytes, *, page: int = 1, dpi: int = 40, fmt: str = "ppm") -> bytes:
    """One page rendered by pdftoppm, as displayed (rotation applied): PPM, PNG, JPEG or TIFF."""
    flag = {"ppm": [], "png": ["-png"], "jpeg": ["-jpeg"], "tiff": ["-tiff"]}[fmt]
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", *flag,
             str(src), str(Path(folder) / "out")],
            check=True, timeout=60,
        )  # fmt: skip
        (out,) = Path(folder).glob("out.*")
        return out.read_bytes()


def read_ppm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6, maxval 255)."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255"
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1 : pos + 1 + width * height * 3]


def ink_box(
    pdf: bytes, *, page: int = 1, dpi: int = 40, blue: bool = True
) -> tuple[float, float, float, float, int, int] | None:
    """Where the stamp's blue ink (or, with ``blue=False``, any non-white ink) is on the page as
    displayed: (left, top, right, bottom) as fractions of the width and height, then the page's
    pixel size. None when there is none."""
    width, height, rgb = read_ppm(page_image(pdf, page=page, dpi=dpi))
    xs: list[int] = []
    ys: list[int] = []
    for y in range(height):
        row = rgb[y * width * 3 : (y + 1) * width * 3]
        for x in range(width):
            r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
            hit = (b > r + 40 and b > g + 20) if blue else (r + g + b < 600)
            if hit:
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return (
        min(xs) / width, min(ys) / height, (max(xs) + 1) / width, (max(ys) + 1) / height,
        width, height,
    )  # fmt: skip


def pdf_to_text(pdf: bytes, *, raw: bool = False) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as src:
        src.write(pdf)
        src.flush()
        args = ["pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else []), src.name, "-"]
        return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout.decode()


def page_sizes(pdf: bytes) -> list[tuple[float, float, int]]:
    """(width, height, /Rotate) of each page's crop box."""
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (float(p.cropbox.width), float(p.cropbox.height), int(p.get("/Rotate", 0) or 0))
        for p in reader.pages
    ]


def blue_mask(pdf: bytes, *, page: int = 1, dpi: int = 100) -> set[tuple[int, int]]:
    """The stamp-blue pixels of a page, moved so the top-left one of their box is at (0, 0)."""
    width, height, rgb = read_ppm(page_image(pdf, page=page, dpi=dpi))
    points = set()
    for y in range(height):
        for x in range(width):
            r, g, b = rgb[3 * (y * width + x) : 3 * (y * width + x) + 3]
            if b > r + 40 and b > g + 20:
                points.add((x, y))
    if not points:
        return points
    left = min(x for x, _ in points)
    top = min(y for _, y in points)
    return {(x - left, y - top) for x, y in points}


def overlap(a: set[tuple[int, int]], b: set[tuple[int, int]]) -> float:
    """Intersection over union of two pixel masks."""
    return len(a & b) / max(1, len(a | b))


def turned_half(mask: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The mask turned 180 degrees within its own box."""
    right = max(x for x, _ in mask)
    bottom = max(y for _, y in mask)
    return {(right - x, bottom - y) for x, y in mask}


def docx_bytes(text: str = "บันทึกข้อความ") -> bytes:
    """A minimal Word document (what filetype recognises as docx)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"/>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return buffer.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows program (MZ header)."""
    return b"MZ" + b"\x90\x00" * 30 + b"\x00" * 200


def region_colours(
    pdf: bytes, box: tuple[float, float, float, float], *, page: int = 1, dpi: int = 40
) -> list[tuple[int, int, int]]:
    """The non-white pixels inside ``box`` (left, top, right, bottom as fractions of the page
    as displayed)."""
    width, height, rgb = read_ppm(page_image(pdf, page=page, dpi=dpi))
    left, top, right, bottom = box
    found = []
    for y in range(int(top * height), int(bottom * height)):
        for x in range(int(left * width), int(right * width)):
            r, g, b = rgb[3 * (y * width + x) : 3 * (y * width + x) + 3]
            if r + g + b < 740:
                found.append((r, g, b))
    return found


def translucent_red(colours: list[tuple[int, int, int]]) -> int:
    """How many of ``colours`` are a light red (the watermark's ink over white paper)."""
    return sum(1 for r, g, b in colours if r > 200 and g <= r - 8 and b <= r - 8)
