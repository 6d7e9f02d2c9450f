"""A test PKI made with `cryptography`, with a real OCSP responder and RFC 3161 timestamp
authority served over HTTP on a free port (a thread in the test process).

root -> intermediate -> signers (valid, revoked, expired) and the TSA; a second, unrelated
root ("stranger") with its own signer for the untrusted case. Certificates carry an AIA OCSP
URL pointing at the local responder, which answers from ``Pki.revoked``.

The TSA can be made down or slow: ``tsa_outage = n`` answers the next n timestamp requests with
503; ``tsa_open.clear()`` holds every timestamp request until ``tsa_open.set()`` (``tsa_waiting``
is set when one is held); ``ocsp_outage = n`` does the same to the OCSP responder.
``tsa_reset()`` puts them all back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

UTC = dt.UTC


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclasses.dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    issuer: Issued | None = None

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Saraban Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


class Pki:
    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.revoked: dict[int, dt.datetime] = {}
        self.requests = 0  # POSTs answered, to see whether something fetched
        self.by_serial: dict[int, Issued] = {}
        now = dt.datetime.now(UTC)
        self.root = self._issue(
            "Saraban Test Root CA", None, ca=True, start=now - dt.timedelta(days=30), days=3650
        )
        self.intermediate = self._issue(
            "Saraban Test Signing CA",
            self.root,
            ca=True,
            start=now - dt.timedelta(days=30),
            days=1825,
        )
        self.tsa = self._issue(
            "Saraban Test TSA",
            self.intermediate,
            eku=ExtendedKeyUsageOID.TIME_STAMPING,
            start=now - dt.timedelta(days=30),
            days=730,
        )
        self.valid = self._issue(
            "นายสมชาย ใจดี", self.intermediate, start=now - dt.timedelta(days=1), days=365
        )
        self.revoked_signer = self._issue(
            "นางสาวเพิกถอน ทดสอบ", self.intermediate, start=now - dt.timedelta(days=1), days=365
        )
        self.expired = self._issue(
            "นายหมดอายุ ทดสอบ", self.intermediate, start=now - dt.timedelta(days=400), days=30
        )
        self.no_signing = self._issue(
            "นายเข้ารหัส อย่างเดียว",
            self.intermediate,
            start=now - dt.timedelta(days=1),
            days=365,
            for_signing=False,
        )
        self.stranger_root = self._issue(
            "Stranger Root CA", None, ca=True, start=now - dt.timedelta(days=30), days=3650
        )
        self.stranger = self._issue(
            "Stranger Signer", self.stranger_root, start=now - dt.timedelta(days=1), days=365
        )
        self._server: ThreadingHTTPServer | None = None
        self.tsa_outage = 0
        self.ocsp_outage = 0  # the same for the OCSP responder
        self.tsa_open = threading.Event()
        self.tsa_open.set()
        self.tsa_waiting = threading.Event()

    # --- issuing ------------------------------------------------------------------------
    def _issue(
        self, cn: str, issuer: Issued | None, *, start: dt.datetime, days: int,
        ca: bool = False, eku: Any = None, public_key: Any = None, for_signing: bool = True,
    ) -> Issued:  # fmt: skip
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject_key = public_key or key.public_key()
        signer_key = issuer.key if issuer else key
        issuer_name = issuer.cert.subject if issuer else _name(cn)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(issuer_name)
            .public_key(subject_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
                critical=False,
            )
        )
        if ca:
            usage = dict(
                key_cert_sign=True, crl_sign=True, digital_signature=True, content_commitment=False
            )
        else:
            usage = dict(
                key_cert_sign=False,
                crl_sign=False,
                digital_signature=for_signing,
                content_commitment=for_signing and eku is None,
            )
        builder = builder.add_extension(
            x509.KeyUsage(key_encipherment=not for_signing, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False, **usage),
            critical=True,
        )  # fmt: skip
        if eku is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityInformationAccess(
                    [x509.AccessDescription(
                        x509.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(f"{self.base_url}/ocsp"),
                    )]
                ),
                critical=False,
            )  # fmt: skip
        cert = builder.sign(signer_key, hashes.SHA256())
        issued = Issued(cert=cert, key=key, issuer=issuer)
        self.by_serial[cert.serial_number] = issued
        return issued

    def issue_for_key(self, cn: str, public_key: Any) -> Issued:
        """A signer certificate for a key held elsewhere (KMS); ``key`` is a throwaway."""
        now = dt.datetime.now(UTC)
        return self._issue(
            cn, self.intermediate, start=now - dt.timedelta(days=1), days=365, public_key=public_key
        )

    def revoke(self, issued: Issued, when: dt.datetime | None = None) -> None:
        self.revoked[issued.cert.serial_number] = when or dt.datetime.now(UTC) - dt.timedelta(
            minutes=1
        )

    def chain(self, issued: Issued) -> list[Issued]:
        out = []
        node: Issued | None = issued
        while node is not None:
            out.append(node)
            node = node.issuer
        return out

    def p12(self, issued: Issued, password: str = "test-pass") -> bytes:
        extra = [c.cert for c in self.chain(issued)[1:]]
        return pkcs12.serialize_key_and_certificates(
            b"signer", issued.key, issued.cert, extra,
            serialization.BestAvailableEncryption(password.encode()),
        )  # fmt: skip

    def write_root(self, folder: Path, root: Issued | None = None) -> Path:
        path = folder / "root.pem"
        path.write_bytes((root or self.root).pem())
        return path

    # --- the responders -----------------------------------------------------------------
    def ocsp_response(self, body: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(body)
        issued = self.by_serial.get(request.serial_number)
        if issued is None or issued.issuer is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        now = dt.datetime.now(UTC)
        revoked_at = self.revoked.get(request.serial_number)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=issued.cert,
                issuer=issued.issuer.cert,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
                this_update=now - dt.timedelta(minutes=5),
                next_update=now + dt.timedelta(hours=1),
                revocation_time=revoked_at,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, issued.issuer.cert)
        )
        try:
            nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
            builder = builder.add_extension(nonce, critical=False)
        except x509.ExtensionNotFound:
            pass
        return builder.sign(issued.issuer.key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER
        )

    def tsa_response(self, body: bytes) -> bytes:
        key_der = self.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
        stamper = DummyTimeStamper(
            tsa_cert=self.tsa.asn1(),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
            certs_to_embed=[self.intermediate.asn1()],  # type: ignore[arg-type]
        )
        return bytes(stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump())

    def tsa_reset(self) -> None:
        self.tsa_outage = self.ocsp_outage = 0
        self.tsa_open.set()
        self.tsa_waiting.clear()

    def start(self) -> None:
        pki = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                pki.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path.startswith("/ocsp"):
                    if pki.ocsp_outage > 0:
                        pki.ocsp_outage -= 1
                        self.send_error(503)
                        return
                    reply, kind = pki.ocsp_response(body), "application/ocsp-response"
                elif self.path.startswith("/tsa"):
                    if pki.tsa_outage > 0:  # an outage: the TSA's load balancer answers 503
                        pki.tsa_outage -= 1
                        self.send_error(503)
                        return
                    if not pki.tsa_open.is_set():  # a slow TSA: held until the test opens it
                        pki.tsa_waiting.set()
                        pki.tsa_open.wait(timeout=60)
                    reply, kind = pki.tsa_response(body), "application/timestamp-reply"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def nss_db(folder: Path, root_pem: Path) -> Path:
    """A fresh NSS database trusting only ``root_pem`` (for ``pdfsig -nssdir``)."""
    db = folder / "nssdb"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "saraban-test-root", "-t", "CT,C,C",
         "-i", str(root_pem)],
        check=True,
    )  # fmt: skip
    return db


def pdfsig(pdf: Path, db: Path) -> str:
    """poppler's verdict (NSS), stdout and stderr together."""
    result = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{db}", str(pdf)], capture_output=True, text=True, timeout=60
    )
    return result.stdout + result.stderr
