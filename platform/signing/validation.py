"""Check the signatures of a PDF that arrived: intact, trusted, revoked, timestamped.

``pdf_validate(data)`` returns a ``SignatureReport`` with one ``SignatureCheck`` per signature
and an overall verdict (the worst one). Trust anchors come from SIGNING_TRUST_ROOTS
(``signing.trust``). Revocation is checked now, online (OCSP/CRL from the certificates,
soft-fail: an unreachable responder leaves the answer "unknown", not "revoked"). A signature
whose certificate has expired since is judged at its signature timestamp with the revocation
data embedded in the file (PAdES-LT), which is what long-term signatures are for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
from typing import Any

from asn1crypto import x509
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    validate_pdf_signature,
)
from pyhanko_certvalidator import ValidationContext

from signing import trust
from signing.models import SignatureVerdict

logger = logging.getLogger(__name__)

# Worst first: the overall verdict of a file is its worst signature's.
SEVERITY: list[str] = [
    SignatureVerdict.TAMPERED,
    SignatureVerdict.INVALID,
    SignatureVerdict.REVOKED,
    SignatureVerdict.EXPIRED,
    SignatureVerdict.UNTRUSTED,
    SignatureVerdict.ERROR,
    SignatureVerdict.VALID,
    SignatureVerdict.UNSIGNED,
]


@dataclasses.dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    verdict: str  # a SignatureVerdict value
    signer_name: str  # the certificate's common name
    signer_subject: str
    issuer: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    revoked_at: dt.datetime | None
    expired: bool
    covers_whole_file: bool
    signed_at: dt.datetime | None  # the signer's own claim
    timestamp: dt.datetime | None  # from a trusted timestamp authority
    timestamp_trusted: bool
    judged_at_timestamp: bool  # expired since: judged at the timestamp with embedded data
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class SignatureReport:
    verdict: str  # a SignatureVerdict value, the worst of ``signatures``
    signatures: list[SignatureCheck]
    error: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def first(self) -> SignatureCheck | None:
        return self.signatures[0] if self.signatures else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (datetimes as ISO strings), for AttachmentSignatureCheck.report."""

        def clean(value: Any) -> Any:
            return value.isoformat() if isinstance(value, dt.datetime) else value

        return {
            "verdict": self.verdict,
            "error": self.error,
            "signatures": [
                {k: clean(v) for k, v in dataclasses.asdict(check).items()}
                for check in self.signatures
            ],
        }


def looks_signed(data: bytes) -> bool:
    """A cheap test for the ingest path: only PDFs with a /ByteRange need the full check."""
    return data[:5] == b"%PDF-" and b"/ByteRange" in data


def _common_name(cert: x509.Certificate) -> str:
    try:
        return str(cert.subject.native.get("common_name", "")) or cert.subject.human_friendly
    except Exception:  # odd encodings: fall back to the whole name
        return cert.subject.human_friendly


def _context(dss: DocumentSecurityStore | None, **kwargs: Any) -> ValidationContext:
    base = {
        "trust_roots": trust.trust_roots(),
        "fetcher_backend": trust.fetcher_backend(),
        **kwargs,
    }
    if dss is None:
        return ValidationContext(**base)
    return dss.as_validation_context(base)


def _verdict(status: PdfSignatureStatus, expired: bool) -> str:
    if not status.intact:
        return SignatureVerdict.TAMPERED
    if status.docmdp_ok is False or status.modification_level == ModificationLevel.OTHER:
        return SignatureVerdict.TAMPERED
    if not status.valid:
        return SignatureVerdict.INVALID
    if status.revoked:
        return SignatureVerdict.REVOKED
    if status.trusted:
        return SignatureVerdict.VALID
    if expired:
        return SignatureVerdict.EXPIRED
    return SignatureVerdict.UNTRUSTED


def _check(sig: EmbeddedPdfSignature, dss: DocumentSecurityStore | None) -> SignatureCheck:
    now = timezone.now()
    cert = sig.signer_cert
    expired = cert.not_valid_after < now
    live = _context(dss, allow_fetching=True, revocation_mode="soft-fail")
    status = validate_pdf_signature(sig, signer_validation_context=live, ts_validation_context=live)
    ts = status.timestamp_validity
    ts_time = ts.timestamp if ts is not None and ts.intact and ts.valid else None
    ts_trusted = bool(ts is not None and ts.trusted)
    verdict = _verdict(status, expired)
    judged_at_ts = False
    if verdict in (SignatureVerdict.EXPIRED, SignatureVerdict.UNTRUSTED) and expired and ts_time:
        # PAdES-LT: the certificate was valid when the trusted timestamp was made; judge it
        # then, with the revocation data the file carries.
        then = _context(
            dss, moment=ts_time, allow_fetching=False, revocation_mode="hard-fail",
            retroactive_revinfo=True,
        )  # fmt: skip
        earlier = validate_pdf_signature(
            sig, signer_validation_context=then, ts_validation_context=then
        )
        if earlier.trusted and not earlier.revoked:
            verdict, judged_at_ts, status = SignatureVerdict.VALID, True, earlier
    revocation = status.revocation_details
    return SignatureCheck(
        field_name=str(sig.field_name),
        verdict=verdict,
        signer_name=_common_name(cert),
        signer_subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revoked=status.revoked,
        revoked_at=revocation.revocation_date if revocation else None,
        expired=expired,
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        signed_at=status.signer_reported_dt,
        timestamp=ts_time,
        timestamp_trusted=ts_trusted,
        judged_at_timestamp=judged_at_ts,
        detail=status.summary(),
    )


def pdf_validate(data: bytes) -> SignatureReport:
    """Check every signature in ``data``. Never raises for a bad file: says so in the report."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as exc:  # unreadable or encrypted: nothing to check
        return SignatureReport(SignatureVerdict.ERROR, [], error=f"{type(exc).__name__}: {exc}")
    if not signatures:
        return SignatureReport(SignatureVerdict.UNSIGNED, [])
    try:
        dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no /DSS (not LT) is normal
        dss = None
    checks: list[SignatureCheck] = []
    errors: list[str] = []
    for sig in signatures:
        try:
            checks.append(_check(sig, dss))
        except Exception as exc:  # a broken signature must not hide the others
            logger.info("signature %s could not be checked: %s", sig.field_name, exc)
            errors.append(f"{sig.field_name}: {type(exc).__name__}: {exc}")
    verdicts: list[str] = [c.verdict for c in checks] + ([SignatureVerdict.ERROR] if errors else [])
    worst = min(verdicts, key=lambda verdict: SEVERITY.index(verdict))
    return SignatureReport(worst, checks, error="; ".join(errors))
