"""A received message, read into what the register needs, whatever the sender's client did.

Never raises for a bad message: what cannot be read is reported as a defect and the raw message is
kept, so a malformed letter still reaches the intake queue instead of being lost.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message

from mailhosting.ingest.thai_charsets import decode_bytes, needs_repair, register, repair

register()


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    subject: str = ""
    sender_name: str = ""
    sender_address: str = ""
    to: list[str] = field(default_factory=list)
    date: datetime | None = None
    message_id: str = ""
    body_text: str = ""
    attachments: list[MailAttachment] = field(default_factory=list)
    auto_submitted: bool = False  # auto-replies, out-of-office, mailing-list robots
    is_delivery_report: bool = False  # a bounce or DSN (multipart/report)
    defects: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    authentication_results: list[str] = field(default_factory=list)  # topmost first


def _words(value: str) -> str:
    """RFC 2047 encoded words decoded, whatever charset label they carry (Thai ones read as
    Windows-874); a label Python does not know is read as UTF-8, then Windows-874."""
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except (HeaderParseError, ValueError):
        return value
    try:
        return str(make_header(chunks))
    except (LookupError, UnicodeError, HeaderParseError):
        out = []
        for chunk, charset in chunks:
            out.append(chunk if isinstance(chunk, str) else decode_bytes(chunk, charset))
        return "".join(out)


def _raw(message: Message, name: str) -> str | None:
    """The first such header as received: raw 8-bit bytes stay surrogate escapes (compat32's
    ``get`` would turn them into an unreadable Header)."""
    name = name.lower()
    for key, value in message.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def _header(message: Message, name: str) -> str:
    """A header's text. Raw 8-bit bytes (no encoded words) are decoded with the Thai
    fallbacks; encoded words are decoded."""
    text = _raw(message, name)
    if text is None:
        return ""
    if needs_repair(text):
        return " ".join(repair(text).split())
    return repair(" ".join(_words(text).split())).strip()


def _is_auto(message: Message) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    precedence = _header(message, "Precedence").lower()
    return precedence in {"bulk", "junk", "list", "auto_reply"}


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _raw_8bit_param(part: Message) -> str | None:
    """A file name sent as raw 8-bit bytes (older Thai systems): compat32 would read it as
    U+FFFD, so its header is repaired first, then the parameter read from the repaired text."""
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        raw = _raw(part, header)
        if raw is not None and needs_repair(raw):
            holder = Message()
            holder[header] = " ".join(repair(raw).split())
            found = holder.get_param(param, header=header.lower())
            if isinstance(found, str) and found:
                return found
    return None


def _file_name(part: Message, index: int) -> str:
    name = _raw_8bit_param(part)
    try:
        name = name or part.get_filename()
    except Exception:
        name = None
    if name:
        # RFC 2231 is decoded by get_filename; RFC 2047 words (Outlook, Gmail) and raw 8-bit
        # bytes (older Thai systems) are decoded here.
        name = repair(name) if needs_repair(name) else _words(name)
        return name.strip().replace("/", "_").replace("\\", "_")
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        part.get_content_type(), ".bin"
    )
    return f"attachment-{index}{extension}"


def parse(raw: bytes) -> ParsedMail:
    """compat32 (the email package's fast path): the few headers the register needs are decoded
    here, so the policy's header objects are never built for the rest."""
    parsed = ParsedMail()
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:
        parsed.defects.append(f"unparseable: {type(exc).__name__}: {exc}")
        return parsed
    parsed.defects += [type(d).__name__ for d in message.defects]

    parsed.subject = _header(message, "Subject")
    name, address = email.utils.parseaddr(_header(message, "From"))
    parsed.sender_name, parsed.sender_address = name, address.lower()
    parsed.to = [a.lower() for _n, a in email.utils.getaddresses([_header(message, "To")]) if a]
    parsed.message_id = _header(message, "Message-ID")
    try:
        parsed.date = email.utils.parsedate_to_datetime(_header(message, "Date"))
        if parsed.date.tzinfo is None:  # "-0000" (RFC 5322: UTC, zone unknown) parses naive
            parsed.date = parsed.date.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        parsed.date = None
    parsed.auto_submitted = _is_auto(message)
    parsed.is_delivery_report = message.get_content_type() == "multipart/report"
    parsed.authentication_results = [
        repair(" ".join(str(value).split()))
        for key, value in message.raw_items()
        if key.lower() == "authentication-results"
    ]
    for key in ("Authentication-Results", "Received-SPF", "DKIM-Signature", "X-Loop"):
        value = _header(message, key)
        if value:
            parsed.headers[key] = value

    texts: list[str] = []
    html: list[str] = []
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        content_type = part.get_content_type()
        is_named = bool(
            part.get_param("name") or part.get_param("filename", header="content-disposition")
        )
        if disposition == "attachment" or (is_named and not content_type.startswith("text/")):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parsed.attachments.append(
                    MailAttachment(_file_name(part, index), content_type, payload)
                )
            continue
        try:
            if content_type == "text/plain":
                texts.append(_part_text(part))
            elif content_type == "text/html":
                html.append(_part_text(part))
        except Exception as exc:
            parsed.defects.append(f"body: {type(exc).__name__}")
    parsed.body_text = "\n\n".join(t.strip() for t in texts if t.strip()) or _strip_html(
        "\n".join(html)
    )
    return parsed


def _strip_html(markup: str) -> str:
    from django.utils.html import strip_tags

    return strip_tags(markup).strip()
