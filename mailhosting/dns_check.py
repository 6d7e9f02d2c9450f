"""Query a mail domain's authoritative name servers and compare what they serve with what we expect.

Asking the authoritative servers directly (not a caching resolver) shows a change as soon as it is
published and is not fooled by a stale cache. MAIL_DNS_NAMESERVERS ("ip[:port]", comma separated)
replaces the discovery of the authoritative servers: for split-horizon set-ups and for tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
from django.conf import settings

from mailhosting.dns_records import DnsRecord
from mailhosting.models import RecordStatus

TIMEOUT = 4.0


@dataclass(frozen=True)
class Nameserver:
    address: str
    port: int = 53


@dataclass(frozen=True)
class CheckResult:
    record: DnsRecord
    status: str  # RecordStatus
    found: str
    detail: str = ""


class NoAuthoritativeServer(Exception):
    pass


def configured_nameservers() -> list[Nameserver]:
    servers = []
    for item in getattr(settings, "MAIL_DNS_NAMESERVERS", []):
        host, _sep, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
        servers.append(Nameserver(host or item, int(port) if port else 53))
    return servers


def authoritative_nameservers(domain: str) -> list[Nameserver]:
    configured = configured_nameservers()
    if configured:
        return configured
    try:
        zone = dns.resolver.zone_for_name(domain)
        names = [str(r.target) for r in dns.resolver.resolve(zone, "NS")]
    except dns.exception.DNSException as exc:
        raise NoAuthoritativeServer(f"{domain}: {exc}") from exc
    servers = []
    for name in names:
        for rtype in ("A", "AAAA"):
            try:
                servers += [Nameserver(str(a)) for a in dns.resolver.resolve(name, rtype)]
            except dns.exception.DNSException:
                continue
    if not servers:
        raise NoAuthoritativeServer(f"{domain}: no address for {', '.join(names)}")
    return servers


def query(name: str, rtype: str, servers: Sequence[Nameserver]) -> list[str] | None:
    """The answers as presentation strings (TXT strings joined), [] for none, None if unreachable."""
    request = dns.message.make_query(dns.name.from_text(name), dns.rdatatype.from_text(rtype))
    request.flags &= ~dns.flags.RD  # authoritative servers answer from their zone only
    for server in servers:
        try:
            response = dns.query.udp(request, server.address, port=server.port, timeout=TIMEOUT)
            if response.flags & dns.flags.TC:
                response = dns.query.tcp(request, server.address, port=server.port, timeout=TIMEOUT)
        except (dns.exception.DNSException, OSError):
            continue
        if response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            continue
        wanted = dns.rdatatype.from_text(rtype)
        answers: list[str] = []
        for rrset in response.answer:
            if rrset.rdtype != wanted:
                continue
            for rdata in rrset:
                if wanted == dns.rdatatype.TXT:
                    answers.append(b"".join(rdata.strings).decode("utf-8", "replace"))
                else:
                    answers.append(rdata.to_text())
        return answers
    return None


def _tags(value: str) -> dict[str, str]:
    tags = {}
    for part in value.split(";"):
        key, sep, val = part.strip().partition("=")
        if sep:
            tags[key.strip().lower()] = re.sub(r"\s+", "", val)
    return tags


def _host(value: str) -> str:
    return value.strip().rstrip(".").lower()


def compare(record: DnsRecord, answers: list[str]) -> tuple[str, str, str]:
    """(status, what was found, detail) for one expected record."""
    if record.rtype == "MX":
        hosts = {_host(a.split()[-1]) for a in answers}
        found = ", ".join(sorted(answers))
        if not answers:
            return RecordStatus.MISSING, "", ""
        if _host(record.value.split()[-1]) in hosts:
            extra = hosts - {_host(record.value.split()[-1])}
            return (
                RecordStatus.OK,
                found,
                f"other MX hosts: {', '.join(sorted(extra))}" if extra else "",
            )
        return RecordStatus.MISMATCH, found, "our MX host is not listed"
    if record.rtype == "CNAME":
        if not answers:
            return RecordStatus.MISSING, "", ""
        ok = _host(answers[0]) == _host(record.value)
        return (RecordStatus.OK if ok else RecordStatus.MISMATCH), answers[0], ""

    prefix = record.value.split(";")[0].split("=")[0].strip().lower()
    candidates = [a for a in answers if a.strip().lower().startswith(prefix)]
    found = " | ".join(candidates)
    if not candidates:
        return RecordStatus.MISSING, " | ".join(answers), ""
    if len(candidates) > 1 and record.purpose in {"spf", "dmarc", "dkim", "mta_sts", "tls_rpt"}:
        # Two SPF (or DMARC...) records is a permanent error for receivers (RFC 7208 4.5).
        return RecordStatus.MISMATCH, found, "more than one record of this kind"
    got = candidates[0]
    if record.purpose == "spf":
        include = record.value.split()[1].lower()
        terms = got.lower().split()
        ok = include in terms and terms[-1] in {"-all", "~all"}
        return (RecordStatus.OK if ok else RecordStatus.MISMATCH), got, ""
    if record.purpose == "dmarc":
        want, have = _tags(record.value), _tags(got)
        if have.get("p") not in {"quarantine", "reject"}:
            return RecordStatus.MISMATCH, got, "policy must be quarantine or reject"
        if want["rua"].lower() not in have.get("rua", "").lower():
            return RecordStatus.MISMATCH, got, "reports do not reach the platform"
        return RecordStatus.OK, got, ""
    if record.purpose == "mta_sts":
        return (RecordStatus.OK if _tags(got).get("id") else RecordStatus.MISMATCH), got, ""
    if record.purpose == "tls_rpt":
        ok = _tags(record.value)["rua"].lower() in _tags(got).get("rua", "").lower()
        return (RecordStatus.OK if ok else RecordStatus.MISMATCH), got, ""
    if record.purpose == "dkim":
        ok = _tags(got).get("p") == _tags(record.value)["p"]
        return (RecordStatus.OK if ok else RecordStatus.MISMATCH), got, ""
    ok = re.sub(r"\s+", "", got) == re.sub(r"\s+", "", record.value)
    return (RecordStatus.OK if ok else RecordStatus.MISMATCH), got, ""


def check_records(domain: str, records: Sequence[DnsRecord]) -> list[CheckResult]:
    try:
        servers = authoritative_nameservers(domain)
    except NoAuthoritativeServer as exc:
        return [CheckResult(r, RecordStatus.ERROR, "", str(exc)) for r in records]
    results = []
    for record in records:
        answers = query(record.name, record.rtype, servers)
        if answers is None:
            results.append(
                CheckResult(record, RecordStatus.ERROR, "", "no authoritative server answered")
            )
            continue
        status, found, detail = compare(record, answers)
        results.append(CheckResult(record, status, found, detail))
    return results
