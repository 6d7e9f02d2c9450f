"""PAdES signatures on PDFs with pyHanko: B-LT by default, B-LTA for long-kept letters."""

from __future__ import annotations

import asyncio
import io
import tempfile
from pathlib import Path
from typing import Literal

import botocore.exceptions
import requests
from asn1crypto import keys
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigFieldSpec
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing import trust
from signing.appearance import SignatureAppearance, block_pdf
from signing.appearance import stamp_style as appearance_style
from signing.errors import SigningError, SigningUnavailable
from signing.keystore import key_decrypt
from signing.kms import KmsSigner
from signing.models import CredentialKind, SigningCredential

Level = Literal["B-LT", "B-LTA"]
# Letters kept this long (or for ever) get archive timestamps (B-LTA) so they stay verifiable
# after the signer's and the timestamp authority's certificates expire.
LTA_FROM_YEARS = 10
# Printed on the letter itself, so Thai whatever the signer's interface language.
HEADING = "ลงนามด้วยลายมือชื่อดิจิทัล"

# Failures of a service the signature needs that may pass: the network (requests, which the
# TSA client and the OCSP/CRL fetchers use; botocore for KMS), a timestamp authority that did
# not answer properly, revocation data that could not be fetched.
_TEMPORARY: tuple[type[BaseException], ...] = (
    requests.RequestException,
    TimestampRequestError,
    InsufficientRevinfoError,
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
    ConnectionError,
    TimeoutError,
)
# AWS KMS error codes that mean "try again" (throttled, KMS or its key store busy or down).
_KMS_TEMPORARY_CODES = frozenset(
    {
        "ThrottlingException",
        "KMSInternalException",
        "DependencyTimeoutException",
        "ServiceUnavailableException",
        "InternalFailure",
        "RequestTimeout",
        "RequestTimeoutException",
        "CustomKeyStoreInvalidStateException",
    }
)


def is_temporary(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it, however deeply pyHanko wrapped it) is a network
    failure or an outage of the TSA, an OCSP/CRL responder or KMS, rather than a refusal."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, _TEMPORARY):
            return True
        if isinstance(node, botocore.exceptions.ClientError):
            code = node.response.get("Error", {}).get("Code", "")
            return code in _KMS_TEMPORARY_CODES
        node = node.__cause__ or node.__context__
    return False


def signature_level_for(retention_years: int | None) -> Level:
    """``"B-LTA"`` for letters kept 10 years or more (``None``: kept for ever), else ``"B-LT"``."""
    if retention_years is None or retention_years >= LTA_FROM_YEARS:
        return "B-LTA"
    return "B-LT"


def credential_signer(credential: SigningCredential) -> signers.Signer:
    """The pyHanko signer of a stored credential (refused when revoked or expired)."""
    if not credential.is_active:
        raise SigningError(_("ใบรับรองสำหรับลงนามนี้ถูกเพิกถอนหรือหมดอายุแล้ว"))
    chain = trust.certificates_read(credential.certificate_pem.encode())
    if credential.kind == CredentialKind.KMS:
        return KmsSigner(key_id=credential.kms_key_id, signing_cert=chain[0], other_certs=chain[1:])
    if credential.encrypted_key is None:
        raise SigningError(_("ไม่พบกุญแจส่วนตัวของใบรับรองนี้"))
    key = keys.PrivateKeyInfo.load(key_decrypt(credential.encrypted_key))
    return signers.SimpleSigner(
        signing_cert=chain[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


def _signing_context(signer: signers.Signer) -> ValidationContext:
    """Trust for embedding revocation data: the configured anchors plus the signer's own root.

    Whether a reader trusts that root is the reader's decision; here it only lets pyHanko build
    the path and fetch OCSP/CRL for every certificate in it. Missing revocation data fails
    the signature (hard-fail): an "LT" signature without it would not be LT.
    """
    own_roots = [c for c in signer.cert_registry if c.self_signed != "no"]  # asn1crypto: "maybe"
    return ValidationContext(
        trust_roots=[*trust.trust_roots(), *own_roots],
        allow_fetching=True,
        fetcher_backend=trust.fetcher_backend(),
        revocation_mode="hard-fail",
    )


def _signer_check(signer: signers.Signer, context: ValidationContext) -> None:
    """Refuse before signing when the certificate is revoked, expired or its revocation
    status cannot be fetched (pyHanko would otherwise embed a revoked status)."""
    cert = signer.signing_cert
    assert cert is not None
    validator = CertificateValidator(
        cert, intermediate_certs=list(signer.cert_registry), validation_context=context
    )
    try:
        asyncio.run(validator.async_validate_usage(set()))
    except RevokedError as exc:
        raise SigningError(_("ใบรับรองของผู้ลงนามถูกเพิกถอนแล้ว")) from exc
    except InsufficientRevinfoError as exc:  # the OCSP/CRL responder did not answer (usually)
        raise SigningUnavailable(
            _("ยังตรวจสอบสถานะการเพิกถอนใบรับรองไม่ได้ (OCSP/CRL ไม่ตอบ): %(cause)s"), cause=str(exc)
        ) from exc
    except (PathBuildingError, PathValidationError) as exc:
        raise SigningError(_("ตรวจสอบใบรับรองของผู้ลงนามไม่ผ่าน: %(cause)s"), cause=str(exc)) from exc


def _next_field_name(pdf: bytes) -> str:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(reader)}
    n = 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def pdf_sign(
    *,
    pdf: bytes,
    credential: SigningCredential | signers.Signer,
    level: Level = "B-LT",
    reason: str = "",
    location: str = "",
    visible: SignatureAppearance | None = None,
) -> bytes:
    """Sign ``pdf`` (PAdES, RFC 3161 timestamp from SIGNING_TSA_URL, OCSP/CRL embedded).

    ``credential`` is the signer's active ``SigningCredential`` (``credential_active(user)``)
    or any pyHanko ``Signer``. ``level`` comes from ``signature_level_for(retention_years)``.
    ``visible`` puts the Thai block (name, position, time) in ``visible.box`` on
    ``visible.page``; None makes an invisible signature. Returns the signed PDF (an incremental
    update: the original bytes are kept in front). Raises ``SigningError`` (Thai / English)
    when the credential cannot sign (revoked, expired, refused); its subclass
    ``SigningUnavailable`` when trying again later may work: no timestamp authority configured,
    the TSA, an OCSP/CRL responder or KMS unreachable or failing (``is_temporary``). Pure
    function: no database writes; the caller audits.
    """
    if level not in ("B-LT", "B-LTA"):
        raise ValueError(f"unknown PAdES level {level!r}")
    timestamper = trust.timestamper()
    if timestamper is None:  # the operator's to fix; signing resumes once it is set
        raise SigningUnavailable(_("ยังไม่ได้ตั้งค่าหน่วยประทับเวลา (SIGNING_TSA_URL)"))
    signer = (
        credential_signer(credential) if isinstance(credential, SigningCredential) else credential
    )
    context = _signing_context(signer)
    _signer_check(signer, context)
    field_name = _next_field_name(pdf)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=visible.name_th if visible else None,
        embed_validation_info=True,
        use_pades_lta=level == "B-LTA",
        validation_context=context,
    )
    with tempfile.TemporaryDirectory(prefix="saraban-sign-") as folder:
        stamp_style = None
        field_spec = SigFieldSpec(sig_field_name=field_name)
        if visible is not None:
            block = Path(folder) / "block.pdf"
            block.write_bytes(block_pdf(visible, heading=HEADING, when=timezone.now()))
            stamp_style = appearance_style(str(block))
            field_spec = SigFieldSpec(
                sig_field_name=field_name,
                on_page=visible.page,
                box=tuple(int(v) for v in visible.box),  # type: ignore[arg-type]
            )
        pdf_signer = signers.PdfSigner(
            meta, signer, timestamper=timestamper, stamp_style=stamp_style,
            new_field_spec=field_spec,
        )  # fmt: skip
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = io.BytesIO()
        try:
            pdf_signer.sign_pdf(writer, output=out)
        except SigningError:
            raise
        except Exception as exc:  # pyHanko's errors name the cause in English
            if is_temporary(exc):
                raise SigningUnavailable(
                    _("บริการที่ใช้ลงนาม (หน่วยประทับเวลา OCSP/CRL หรือ KMS) ไม่ตอบ: %(cause)s"),
                    cause=f"{type(exc).__name__}: {exc}",
                ) from exc
            raise SigningError(
                _("ลงนามไม่สำเร็จ: %(cause)s"), cause=f"{type(exc).__name__}: {exc}"
            ) from exc
    return out.getvalue()
