"""Read and check signing certificates: PKCS#12 uploads and the certificates of KMS keys."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signing.errors import CredentialRejected


@dataclasses.dataclass(frozen=True)
class CheckedCertificate:
    """A signer's certificate (first in ``chain``) that passed ``certificate_check``."""

    chain: list[x509.Certificate]
    private_der: bytes | None  # PKCS#8 DER, only for PKCS#12 uploads

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    def chain_pem(self) -> str:
        return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in self.chain)

    def fields(self) -> dict[str, object]:
        cert = self.certificate
        return {
            "subject": cert.subject.rfc4514_string()[:500],
            "issuer": cert.issuer.rfc4514_string()[:500],
            "serial": format(cert.serial_number, "x")[:80],
            "fingerprint_sha256": hashlib.sha256(
                cert.public_bytes(serialization.Encoding.DER)
            ).hexdigest(),
            "not_before": cert.not_valid_before_utc,
            "not_after": cert.not_valid_after_utc,
            "certificate_pem": self.chain_pem(),
        }


def certificate_check(cert: x509.Certificate, *, now: dt.datetime | None = None) -> None:
    """Refuse a certificate that is not yet valid, expired, or not meant for signatures."""
    now = now or timezone.now()
    if cert.not_valid_after_utc <= now:
        raise CredentialRejected(
            _("ใบรับรองหมดอายุแล้วเมื่อ %(date)s"), date=f"{cert.not_valid_after_utc:%Y-%m-%d}"
        )
    if cert.not_valid_before_utc > now:
        raise CredentialRejected(_("ใบรับรองยังไม่เริ่มใช้งาน"))
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None  # no Key Usage extension: every use is allowed (RFC 5280 4.2.1.3)
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise CredentialRejected(_("ใบรับรองนี้ไม่ได้ออกให้ใช้ลงลายมือชื่อ (Key Usage)"))
    if not isinstance(cert.public_key(), rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise CredentialRejected(_("รองรับเฉพาะกุญแจ RSA หรือ EC"))


def pkcs12_read(data: bytes, password: str) -> CheckedCertificate:
    """Open an uploaded .p12/.pfx with its password and check it can sign today."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:  # wrong password or not PKCS#12: the library does not say which
        raise CredentialRejected(_("เปิดไฟล์ไม่ได้: รหัสผ่านไม่ถูกต้องหรือไม่ใช่ไฟล์ PKCS#12")) from exc
    if key is None:
        raise CredentialRejected(_("ไฟล์นี้ไม่มีกุญแจส่วนตัว (private key)"))
    if cert is None:
        raise CredentialRejected(_("ไฟล์นี้ไม่มีใบรับรองของผู้ลงนาม"))
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if public != cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise CredentialRejected(_("กุญแจส่วนตัวไม่ตรงกับใบรับรอง"))
    certificate_check(cert)
    private_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return CheckedCertificate(chain=[cert, *extra], private_der=private_der)


def pem_chain_read(pem: bytes) -> CheckedCertificate:
    """The certificate (and chain) a KMS key signs for; the signer's certificate first."""
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise CredentialRejected(_("อ่านใบรับรอง (PEM) ไม่ได้")) from exc
    certificate_check(chain[0])
    return CheckedCertificate(chain=chain, private_der=None)
