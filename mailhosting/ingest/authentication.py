"""SPF, DKIM and DMARC results of a received message.

DKIM is verified here with dkimpy (the signature travels with the message). SPF depends on the
connecting client, which only our MX saw: it is read from the Authentication-Results header that
our own MX adds (authserv-id = MAIL_MX_HOST); headers from anywhere else are ignored, since any
sender can write them. DMARC passes when an SPF or DKIM pass is aligned with the From domain and
the From domain publishes a DMARC record.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from email.utils import parseaddr

import dkim
import dns.exception
import dns.resolver
from django.conf import settings

logger = logging.getLogger(__name__)

# Public suffixes with two labels that Thai and common senders use (organisational domains).
_TWO_LABEL_SUFFIXES = frozenset(
    {"go.th", "ac.th", "co.th", "or.th", "in.th", "mi.th", "net.th", "co.uk", "gov.uk"}
)


@dataclass(frozen=True)
class AuthResults:
    from_domain: str
    spf: str = "none"
    spf_domain: str = ""
    dkim: str = "none"
    dkim_domain: str = ""
    dmarc: str = "none"

    @property
    def authenticated(self) -> bool:
        return self.dmarc == "pass"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def organisational_domain(domain: str) -> str:
    labels = domain.lower().strip(".").split(".")
    take = 3 if ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES else 2
    return ".".join(labels[-take:])


def aligned(a: str, b: str) -> bool:
    return bool(a and b) and organisational_domain(a) == organisational_domain(b)


# One resolver per nameserver setting, each with a cache that honours the records' TTLs: a
# stream of letters from one sender asks for its DKIM key and DMARC record once, not per letter.
_RESOLVERS: dict[tuple[str, ...], dns.resolver.Resolver] = {}


def resolver() -> dns.resolver.Resolver:
    configured = tuple(getattr(settings, "MAIL_DNS_NAMESERVERS", []))
    found = _RESOLVERS.get(configured)
    if found is None:
        found = _new_resolver(configured)
        found.cache = dns.resolver.LRUCache(10_000)
        _RESOLVERS[configured] = found
    return found


def _new_resolver(configured: tuple[str, ...]) -> dns.resolver.Resolver:
    if not configured:
        return dns.resolver.Resolver()
    custom = dns.resolver.Resolver(configure=False)
    host, _sep, port = configured[0].rpartition(":")
    custom.nameservers = [host or configured[0]]
    custom.port = int(port) if host else 53
    return custom


def _txt(name: str) -> list[str]:
    try:
        answer = resolver().resolve(name, "TXT", lifetime=4)
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


_HEADER_NAME = re.compile(rb"([\x21-\x7e]+?):")
_END_OF_HEADERS = re.compile(rb"(?:\A|\r?\n)\r?\n")


def _dkim_verifier(raw: bytes) -> dkim.DKIM:
    """A dkimpy verifier for ``raw``, split into headers and body as ``dkim.rfc822_parse`` does
    but without splitting the body into lines: that cut 50 KB of base64 into a list of lines
    only to join them again (half a millisecond a letter). Here only the header block is split;
    the body's line ends become CRLF in two C-level replaces."""
    found = _END_OF_HEADERS.search(raw)
    if found is None:  # no body at all: rare and small, the library's own reading will do
        return dkim.DKIM(raw)
    head, body = raw[: found.start()], raw[found.end() :]
    headers: list[list[bytes]] = []
    for line in re.split(rb"\r?\n", head) if head else []:
        if line[:1] in (b"\t", b" ") and headers:
            headers[-1][1] += line + b"\r\n"
            continue
        name = _HEADER_NAME.match(line)
        if name is not None:
            headers.append([name.group(1), line[name.end() :] + b"\r\n"])
        elif not line.startswith(b"From "):
            raise dkim.MessageFormatError(f"Unexpected characters in RFC822 header: {line!r}")
    verifier = dkim.DKIM()
    verifier.headers = headers
    verifier.body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return verifier


def _dkim(raw: bytes) -> tuple[str, str]:
    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        records = _txt(name.decode().rstrip("."))
        return records[0].encode() if records else b""

    try:
        verifier = _dkim_verifier(raw)
    except dkim.MessageFormatError:
        return "fail", ""
    signatures = [h for h in verifier.headers if h[0].lower() == b"dkim-signature"]
    if not signatures:
        return "none", ""
    for index in range(len(signatures)):
        try:
            if verifier.verify(idx=index, dnsfunc=dnsfunc):
                return "pass", (verifier.domain or b"").decode().lower()
        except dkim.DKIMException as exc:
            logger.info("DKIM signature %s did not verify: %s", index, exc)
    return "fail", ""


def _trusted_spf(raw_headers: list[str]) -> tuple[str, str]:
    for value in raw_headers:
        authserv, _sep, rest = value.partition(";")
        if authserv.strip().lower() != settings.MAIL_MX_HOST:
            continue
        match = re.search(r"\bspf=(\w+)", rest)
        domain = re.search(r"smtp\.mailfrom=(?:[^@\s;]*@)?([^\s;]+)", rest)
        if match:
            return match.group(1).lower(), domain.group(1).lower() if domain else ""
    return "none", ""


def authenticate(raw: bytes, *, from_header: str, authentication_results: list[str]) -> AuthResults:
    from_domain = parseaddr(from_header)[1].rpartition("@")[2].lower()
    dkim_result, dkim_domain = _dkim(raw)
    spf_result, spf_domain = _trusted_spf(authentication_results)
    dmarc = "none"
    published = _txt(f"_dmarc.{from_domain}") or _txt(
        f"_dmarc.{organisational_domain(from_domain)}"
    )
    if any(r.lower().startswith("v=dmarc1") for r in published):
        passed = (dkim_result == "pass" and aligned(dkim_domain, from_domain)) or (
            spf_result == "pass" and aligned(spf_domain, from_domain)
        )
        dmarc = "pass" if passed else "fail"
    return AuthResults(from_domain, spf_result, spf_domain, dkim_result, dkim_domain, dmarc)


def is_government(domain: str) -> bool:
    """Government senders: the configured suffixes (go.th...), and every mail domain this
    platform hosts (each belongs to a local government)."""
    from mailhosting.models import MailDomain

    if any(
        domain == suffix or domain.endswith("." + suffix)
        for suffix in settings.MAIL_GOVERNMENT_SUFFIXES
    ):
        return True
    return MailDomain.objects.filter(name=domain).exists()
