"""The DNS records a municipality publishes for its mail domain, and a zone file made of them.

Values follow the RFCs a receiving server checks: SPF (RFC 7208), DKIM (RFC 6376), DMARC
(RFC 7489, aligned strictly, since we sign and send every message ourselves), MTA-STS (RFC 8461)
and TLS-RPT (RFC 8460). The ownership token proves the municipality controls the domain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mailhosting.models import DkimKey, DkimKeyStatus, MailDomain

OWNERSHIP_LABEL = "_saraban-verify"
TXT_CHUNK = 255  # a TXT character-string holds at most 255 octets (RFC 1035)


@dataclass(frozen=True)
class DnsRecord:
    purpose: str  # mx, spf, dkim, dmarc, mta_sts, mta_sts_host, tls_rpt, ownership
    name: str  # fully qualified, without the trailing dot
    rtype: str  # MX, TXT, CNAME
    value: str  # presentation value without quotes (TXT) or "10 host" (MX)
    note: object = ""  # a lazy Thai explanation for people copying the record

    def zone_line(self, ttl: int = 3600) -> str:
        if self.rtype == "TXT":
            rdata = " ".join(f'"{chunk}"' for chunk in txt_chunks(self.value))
        elif self.rtype in {"MX", "CNAME"}:
            rdata = _absolute(self.value)
        else:
            rdata = self.value
        return f"{self.name}. {ttl} IN {self.rtype} {rdata}"


def txt_chunks(value: str) -> list[str]:
    return [value[i : i + TXT_CHUNK] for i in range(0, len(value), TXT_CHUNK)] or [""]


def _absolute(value: str) -> str:
    parts = value.split()
    parts[-1] = parts[-1].rstrip(".") + "."
    return " ".join(parts)


def mta_sts_policy_id(domain: MailDomain) -> str:
    """The TXT record's id, derived from the policy text itself: whenever the policy changes
    (mode, MX host, max_age), the id changes and senders fetch it again (RFC 8461 3.1)."""
    return hashlib.sha256(mta_sts_policy(domain).encode()).hexdigest()[:20]


def dkim_record(domain: MailDomain, key: DkimKey) -> DnsRecord:
    return DnsRecord(
        "dkim",
        f"{key.selector}._domainkey.{domain.name}",
        "TXT",
        f"v=DKIM1; k=rsa; p={key.public_key_b64}",
        _("กุญแจสาธารณะ DKIM สำหรับลงลายมือชื่ออีเมลขาออก"),
    )


def expected_records(domain: MailDomain) -> list[DnsRecord]:
    """Every record the domain must publish, in the order people usually add them."""
    mx_host = settings.MAIL_MX_HOST
    records = [
        DnsRecord(
            "ownership",
            f"{OWNERSHIP_LABEL}.{domain.name}",
            "TXT",
            f"saraban-verification={domain.ownership_token}",
            _("ยืนยันว่าหน่วยงานเป็นเจ้าของโดเมน"),
        ),
        DnsRecord("mx", domain.name, "MX", f"10 {mx_host}", _("ให้อีเมลถึงโดเมนนี้ส่งมาที่ระบบ")),
        DnsRecord(
            "spf",
            domain.name,
            "TXT",
            f"v=spf1 include:{settings.MAIL_SPF_INCLUDE} -all",
            _("อนุญาตให้เซิร์ฟเวอร์ของระบบส่งอีเมลในนามโดเมนนี้"),
        ),
    ]
    # The pending key is published too: rotation switches only after DNS serves it.
    for key in domain.dkim_keys.exclude(status=DkimKeyStatus.RETIRED).order_by("created_at"):
        records.append(dkim_record(domain, key))
    records += [
        DnsRecord(
            "dmarc",
            f"_dmarc.{domain.name}",
            "TXT",
            f"v=DMARC1; p={settings.MAIL_DMARC_POLICY}; adkim=s; aspf=s; "
            f"rua=mailto:{settings.MAIL_DMARC_REPORTS}",
            _("นโยบาย DMARC: ผู้รับปฏิเสธหรือกักอีเมลปลอม และส่งรายงานกลับมา"),
        ),
        DnsRecord(
            "mta_sts",
            f"_mta-sts.{domain.name}",
            "TXT",
            f"v=STSv1; id={mta_sts_policy_id(domain)}",
            _("MTA-STS: ผู้ส่งต้องส่งอีเมลมาทาง TLS เท่านั้น"),
        ),
        DnsRecord(
            "mta_sts_host",
            f"mta-sts.{domain.name}",
            "CNAME",
            settings.MAIL_MTA_STS_HOST,
            _("ที่อยู่ของไฟล์นโยบาย MTA-STS"),
        ),
        DnsRecord(
            "tls_rpt",
            f"_smtp._tls.{domain.name}",
            "TXT",
            f"v=TLSRPTv1; rua=mailto:{settings.MAIL_TLS_REPORTS}",
            _("รายงานปัญหาการส่งอีเมลแบบ TLS"),
        ),
    ]
    return records


def mta_sts_policy(domain: MailDomain) -> str:
    """The policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461
    3.2, CRLF line ends). Every domain of the platform has the same MX, so the same policy."""
    return (
        "version: STSv1\r\n"
        f"mode: {settings.MAIL_MTA_STS_MODE}\r\n"
        f"mx: {settings.MAIL_MX_HOST}\r\n"
        f"max_age: {settings.MAIL_MTA_STS_MAX_AGE}\r\n"
    )


def zone_file(
    origin: str,
    records: Iterable[DnsRecord],
    *,
    nameserver: str,
    nameserver_address: str = "",
    serial: int = 2026010101,
) -> str:
    """A zone file holding the records (for `named-checkzone`, or to paste into a DNS host)."""
    origin = origin.rstrip(".")
    lines = [
        f"$ORIGIN {origin}.",
        "$TTL 3600",
        f"@ IN SOA {nameserver.rstrip('.')}. hostmaster.{origin}. "
        f"( {serial} 3600 600 1209600 300 )",
        f"@ IN NS {nameserver.rstrip('.')}.",
    ]
    if nameserver_address:  # glue for a name server inside the zone itself
        lines.append(f"{nameserver.rstrip('.')}. IN A {nameserver_address}")
    lines += [record.zone_line() for record in records]
    return "\n".join(lines) + "\n"
