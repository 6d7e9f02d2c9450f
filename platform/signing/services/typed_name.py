"""The typed-name signature (ลงลายมือชื่อโดยพิมพ์ชื่อ) of the 2021 amendment (No. 4).

Where the signer has no certificate, the system that verified their identity records who
(the authenticated user), when (Asia/Bangkok on the block), from where (IP) and exactly what
(the SHA-256 of the document), and prints a visible block on the document.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.stamp import StaticContentStamp

from registers.services.audit import audit_append
from signing.appearance import SignatureAppearance, block_pdf, stamp_style
from signing.models import TypedNameSignature

HEADING = "ลงลายมือชื่อโดยพิมพ์ชื่อ"


@dataclasses.dataclass(frozen=True)
class TypedNameResult:
    pdf: bytes  # the document with the visible block
    record: TypedNameSignature


def _page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def _stamp(pdf: bytes, appearance: SignatureAppearance, block: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="saraban-typed-") as folder:
        block_file = Path(folder) / "block.pdf"
        block_file.write_bytes(block)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        page = appearance.page % _page_count(writer)
        x1, y1, x2, y2 = appearance.box
        stamp = StaticContentStamp(
            writer=writer,
            style=stamp_style(str(block_file)),
            box=BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1)),
        )
        stamp.apply(page, int(min(x1, x2)), int(min(y1, y2)))
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def typed_name_sign(
    *,
    pdf: bytes,
    user: Any,
    visible: SignatureAppearance,
    ip_address: str | None,
    reason: str = "",
    letter: Any = None,
    before_record: Callable[[bytes], None] | None = None,
) -> TypedNameResult:
    """Sign ``pdf`` with the typed name of the logged-in ``user`` (the fallback without a
    certificate). ``visible`` gives the Thai name and position and where the block goes;
    ``ip_address`` is the request's client address. One transaction: the record and an audit
    entry (linked to ``letter`` when given). The block shows the Bangkok time and the start of
    the document's SHA-256; the record keeps the hash of the document before and after.
    ``before_record`` gets the stamped bytes before anything is written (``document_sign``)."""
    now = timezone.now()
    digest = hashlib.sha256(pdf).hexdigest()
    block = block_pdf(visible, heading=HEADING, when=now, detail=f"SHA-256 {digest[:16]}…")
    signed = _stamp(pdf, visible, block)
    if before_record is not None:
        before_record(signed)
    with transaction.atomic():
        record = TypedNameSignature.objects.create(
            user=user,
            name_th=visible.name_th,
            position_th=visible.position_th,
            signed_at=now,
            ip_address=ip_address or None,
            document_sha256=digest,
            signed_sha256=hashlib.sha256(signed).hexdigest(),
            reason=reason,
        )
        audit_append(
            action="signing.typed_name",
            actor=user,
            letter=letter,
            data={
                "record": record.pk,
                "name": record.name_th,
                "document_sha256": digest,
                "signed_sha256": record.signed_sha256,
                "ip": record.ip_address,
            },
        )
    return TypedNameResult(pdf=signed, record=record)
