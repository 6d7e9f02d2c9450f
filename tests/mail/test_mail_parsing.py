"""Thai mail as Outlook, Gmail and older Thai systems send it, read correctly (issue 4 §4)."""

from __future__ import annotations

import base64
import quopri

import pytest

from mailhosting.ingest.parsing import parse

pytestmark = [pytest.mark.mail]

SUBJECT = "ขอเชิญประชุมคณะกรรมการ “ด่วน”"
BODY = "เรียน นายกเทศมนตรี\nตามที่ท่านได้แจ้ง “ขอความอนุเคราะห์” ไว้นั้น"
FILE_NAME = "หนังสือเชิญประชุม ฉบับที่ 1.pdf"
PDF = b"%PDF-1.4\n% test\n"


def _b64(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def test_outlook_windows_874_subject_body_and_attachment_name() -> None:
    charset = "cp874"  # bytes as Windows encodes them; the label below is Outlook's
    raw = (
        "From: =?windows-874?B?{sender}?= <clerk@ministry.go.th>\r\n"
        "To: saraban@alpha.go.th\r\n"
        "Subject: {subject}\r\n"
        "Message-ID: <outlook-1@ministry.go.th>\r\n"
        "Date: Fri, 20 Nov 2026 09:15:00 +0700\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\n"
        'Content-Type: text/plain; charset="windows-874"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "{body}\r\n"
        "--b1\r\n"
        'Content-Type: application/pdf; name="{name}"\r\n'
        'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "{pdf}\r\n"
        "--b1--\r\n"
    ).format(
        sender=base64.b64encode("กรมส่งเสริมการปกครองท้องถิ่น".encode(charset)).decode(),
        subject=_b64(SUBJECT, charset).replace("cp874", "windows-874"),
        body=quopri.encodestring(BODY.encode(charset)).decode(),
        name=_b64(FILE_NAME, charset).replace("cp874", "windows-874"),
        pdf=base64.b64encode(PDF).decode(),
    )
    mail = parse(raw.encode("ascii"))
    assert mail.subject == SUBJECT
    assert mail.sender_name == "กรมส่งเสริมการปกครองท้องถิ่น"
    assert mail.sender_address == "clerk@ministry.go.th"
    assert mail.body_text == BODY
    assert [(a.name, a.content) for a in mail.attachments] == [(FILE_NAME, PDF)]
    assert mail.message_id == "<outlook-1@ministry.go.th>"
    assert mail.date is not None and mail.date.utcoffset() is not None


def test_gmail_utf8_with_rfc2231_file_name() -> None:
    encoded_name = "".join(f"%{b:02X}" for b in FILE_NAME.encode("utf-8"))
    raw = (
        "From: =?UTF-8?B?{sender}?= <someone@gmail.com>\r\n"
        "To: saraban@alpha.go.th\r\n"
        "Subject: {subject}\r\n"
        "Message-ID: <CAF=gmail@mail.gmail.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="000g"\r\n\r\n'
        "--000g\r\n"
        'Content-Type: multipart/alternative; boundary="000a"\r\n\r\n'
        "--000a\r\n"
        'Content-Type: text/plain; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "{body}\r\n"
        "--000a\r\n"
        'Content-Type: text/html; charset="UTF-8"\r\n\r\n'
        "<div>html</div>\r\n"
        "--000a--\r\n"
        "--000g\r\n"
        'Content-Type: application/pdf; name="=?UTF-8?B?{name64}?="\r\n'
        "Content-Disposition: attachment; filename*=UTF-8''{name}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "{pdf}\r\n"
        "--000g--\r\n"
    ).format(
        sender=base64.b64encode("สมชาย ใจดี".encode()).decode(),
        subject=_b64(SUBJECT, "UTF-8"),
        body=base64.b64encode(BODY.encode()).decode(),
        name64=base64.b64encode(FILE_NAME.encode()).decode(),
        name=encoded_name,
        pdf=base64.b64encode(PDF).decode(),
    )
    mail = parse(raw.encode("ascii"))
    assert mail.subject == SUBJECT
    assert mail.sender_name == "สมชาย ใจดี"
    assert mail.body_text == BODY  # the plain part wins over the HTML one
    assert [a.name for a in mail.attachments] == [FILE_NAME]


@pytest.mark.parametrize("label", ["TIS-620", "ISO-8859-11", "x-tis620", None])
def test_older_thai_systems_raw_8bit_headers_and_mislabelled_bodies(label: str | None) -> None:
    # Raw 8-bit Thai in the headers (no encoded words) and Windows-874 quotes in a body
    # labelled TIS-620: a strict TIS-620 decoder would fail on 0x93/0x94.
    charset_param = f"; charset={label}" if label else ""
    head = (
        b"From: saraban@old-system.go.th\r\n"
        b"To: saraban@alpha.go.th\r\n"
        b"Subject: " + SUBJECT.encode("cp874") + b"\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n"
        b"--x\r\n"
        b"Content-Type: text/plain" + charset_param.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + BODY.encode("cp874") + b"\r\n"
        b"--x\r\n"
        b'Content-Type: application/pdf; name="' + FILE_NAME.encode("cp874") + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(PDF) + b"\r\n"
        b"--x--\r\n"
    )
    mail = parse(head)
    assert mail.subject == SUBJECT
    assert mail.body_text == BODY
    assert [(a.name, a.content) for a in mail.attachments] == [(FILE_NAME, PDF)]


def test_malformed_mime_is_read_as_far_as_possible_with_defects() -> None:
    raw = (
        b"From: broken@example.go.th\r\nTo: saraban@alpha.go.th\r\nSubject: =?UTF-8?B?4Lie4Lix4LiH?=\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=unknown-8bit-charset\r\n\r\n"
        b"\xe0\xb8\x81 body\r\n"
    )
    mail = parse(raw)
    assert mail.subject == "พัง"
    assert mail.defects  # the missing closing boundary is reported
    assert "ก body" in mail.body_text


def test_auto_replies_and_delivery_reports_are_recognised() -> None:
    auto = parse(
        b"From: a@example.go.th\r\nTo: saraban@alpha.go.th\r\nSubject: Out of office\r\n"
        b"Auto-Submitted: auto-replied\r\n\r\nI am away\r\n"
    )
    assert auto.auto_submitted and not auto.is_delivery_report
    human = parse(
        b"From: a@example.go.th\r\nTo: saraban@alpha.go.th\r\nSubject: x\r\n"
        b"Auto-Submitted: no\r\n\r\nhello\r\n"
    )
    assert not human.auto_submitted
    bounce = parse(
        b"From: MAILER-DAEMON@mx.example.go.th\r\nTo: saraban@alpha.go.th\r\nSubject: Undelivered\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.go.th\r\n\r\n"
        b"Final-Recipient: rfc822; x@example.go.th\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--r--\r\n"
    )
    assert bounce.is_delivery_report


def test_encoded_words_labelled_tis620_with_windows_quotes() -> None:
    subject = _b64(SUBJECT, "cp874").replace("cp874", "TIS-620")
    mail = parse(f"From: a@b.go.th\r\nSubject: {subject}\r\n\r\nx\r\n".encode("ascii"))
    assert mail.subject == SUBJECT


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@b.go.th\r\nSubject: x\r\n y\r\n\r\nbody\r\nline  \r\n\r\n",
        b"From: a@b.go.th\nSubject: x\n\ty\n\nbody\nline\n\n\n",
        b"\r\nbody only\r\n",
        b"From: a@b.go.th\r\nSubject: no body",
        b"From: a@b.go.th\r\nSubject: no body\r\n",
        b"From: a@b.go.th\r\n\r\n",
        b"From x@y Mon Nov 22\r\nFrom: a@b.go.th\r\n\r\nbare\rCR\r\n",
        b"From: a@b.go.th\n\n\nbody after a blank line\n",
        "From: a@b.go.th\r\nSubject: ทดสอบ\r\n\r\nเนื้อความ\n".encode(),
        b"From: a@b.go.th\r\nContent-Type: application/pdf\r\n\r\n"
        + base64.encodebytes(bytes(range(256)) * 40).replace(b"\n", b"\r\n"),
    ],
)
def test_dkim_reads_a_message_exactly_as_dkimpy_does(raw: bytes) -> None:
    """The ingest's faster split into headers and body (authentication._dkim_verifier) gives
    dkimpy's own reading, byte for byte, so a signature verifies the same."""
    import dkim

    from mailhosting.ingest.authentication import _dkim_verifier

    headers, body = dkim.rfc822_parse(raw)
    verifier = _dkim_verifier(raw)
    assert verifier.headers == headers
    assert verifier.body == body
