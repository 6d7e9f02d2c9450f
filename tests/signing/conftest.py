"""Fixtures of the signing tests: one test PKI per session with its OCSP responder and
timestamp authority on a free port, and settings that point the signing code at them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import typst
from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from registers.pdf.render import FONTS
from tests.signing.helpers_pki import Issued, Pki

_typst_compile: Any = typst.compile


@pytest.fixture(scope="session")
def pki() -> Iterator[Pki]:
    made = Pki()
    made.start()
    yield made
    made.stop()


@pytest.fixture
def signing_env(pki: Pki, settings: Any, tmp_path: Path) -> Pki:
    """Trust the test root and timestamp with the test TSA."""
    anchors = tmp_path / "trust"
    anchors.mkdir()
    pki.write_root(anchors)
    settings.SIGNING_TRUST_ROOTS = [str(anchors)]
    settings.SIGNING_TSA_URL = f"{pki.base_url}/tsa"
    settings.SIGNING_FETCH_PRIVATE_ADDRESSES = True  # the test PKI answers on 127.0.0.1
    return pki


def signer_of(pki: Pki, issued: Issued) -> signers.SimpleSigner:
    key_der = issued.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=issued.asn1(),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([c.asn1() for c in pki.chain(issued)]),
    )


LETTER_SOURCE = """
#set page(paper: "a4", margin: (left: 3cm, right: 2cm, top: 2.5cm, bottom: 2cm))
#set text(font: "Laksaman", size: 16pt, lang: "th")
#align(center)[*บันทึกข้อความ*]
ส่วนราชการ เทศบาลตำบลอัลฟา สำนักปลัด \\
ที่ ขก 52301/123 #h(1fr) วันที่ 22 พฤศจิกายน 2569 \\
เรื่อง ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น

เรียน นายกเทศมนตรีตำบลอัลฟา

ด้วยเทศบาลตำบลอัลฟากำหนดประชุมคณะกรรมการพัฒนาท้องถิ่น จึงเรียนมาเพื่อโปรดทราบ
"""


def letter_pdf() -> bytes:
    """A one-page A4 memo in Thai, made by typst with the project's font."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "letter.typ"
        source.write_text(LETTER_SOURCE, encoding="utf-8")
        pdf: Any = _typst_compile(str(source), font_paths=[str(FONTS)], ignore_system_fonts=True)
    return bytes(pdf)


@pytest.fixture
def committed_tenant(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """A throwaway municipality with committed rows (for the browser test's server)."""
    from tests.cleanup import committed_municipality

    with django_db_blocker.unblock(), committed_municipality() as tenant:
        yield tenant


def queued_signature_checks(*, take: bool = False) -> dict[str, dict[str, Any]]:
    """Signature-check messages waiting in this run's Redis broker queue (no worker runs in
    the tests), by task id; ``take`` removes them."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    found = {}
    for raw in client.lrange(queue, 0, -1):
        headers = json.loads(raw).get("headers", {})
        if headers.get("task") == "signing.tasks.check_attachment_signature":
            found[headers["id"]] = headers
            if take:
                client.lrem(queue, 1, raw)  # type: ignore[arg-type]
    return found
