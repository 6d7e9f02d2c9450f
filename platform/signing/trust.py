"""Trust anchors and the timestamp authority, from settings.

SIGNING_TRUST_ROOTS lists PEM/DER certificate files or folders of them. The documented default
anchor is Thailand's National Root CA (NRCA), which the operator downloads and places in the
default folder (docs/signing.md): the project does not ship it.
"""

from __future__ import annotations

from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from signing.fetching import GuardedFetcherBackend

CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


def certificates_read(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one certificate of a DER file."""
    if pem.detect(data):
        return [
            x509.Certificate.load(der)
            for kind, _headers, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        ]
    return [x509.Certificate.load(data)]


def trust_roots() -> list[x509.Certificate]:
    """The configured anchors; missing paths are skipped (an empty list trusts no one)."""
    roots: list[x509.Certificate] = []
    for entry in settings.SIGNING_TRUST_ROOTS:
        path = Path(entry)
        files = (
            sorted(p for p in path.iterdir() if p.suffix.lower() in CERT_SUFFIXES)
            if path.is_dir()
            else [path] if path.is_file() else []
        )  # fmt: skip
        for file in files:
            roots.extend(certificates_read(file.read_bytes()))
    return roots


def timestamper() -> RequestsHTTPTimeStamper | None:
    """The RFC 3161 client for SIGNING_TSA_URL, or None when none is configured."""
    url = settings.SIGNING_TSA_URL
    return RequestsHTTPTimeStamper(url, timeout=15) if url else None


def fetcher_backend() -> GuardedFetcherBackend:
    """How OCSP/CRL/certificates are fetched: over ``requests``, never to private addresses."""
    return GuardedFetcherBackend(per_request_timeout=10)
