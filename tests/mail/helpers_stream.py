"""A stream of real letters through the real chain, for the outage test and benchmark B5.

- ``SenderDomain``: a government sender (``<name>.go.th``) with its own DKIM key and DMARC
  record, served by a private BIND, so that the receiving municipality's policy registers its
  letters at once (authenticated government sender) and owes it a receipt notice.
- ``letters``: Thai-subject letters with one PDF attachment each, DKIM-signed, every one
  different (a Message-ID and random PDF bytes of its own).
- ``ingest_processes``: ``manage.py mail_ingest`` as separate processes, against any database.
- ``smtp_sink``: Postfix's own ``smtp-sink`` speaking LMTP, the anchor of B5.
- ``submit``: several SMTP clients handing the stream to Postfix, retrying on 4xx as a sending
  MTA does.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import random
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.registers.helpers_browser import free_port

REPO = Path(__file__).resolve().parents[2]
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
SELECTOR = "stream"
SUBJECTS = (
    "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น ครั้งที่ {n}/2569",
    "ขอความร่วมมือรายงานผลการดำเนินงานไตรมาสที่ {q} (ฉบับที่ {n})",
    "แจ้งแนวทางการจัดทำงบประมาณรายจ่ายประจำปี พ.ศ. ๒๕๗๐ เลขที่ {n}",
    "ขอส่งสำเนาคำสั่งจังหวัด เรื่อง การป้องกันและบรรเทาสาธารณภัย ({n})",
)


@dataclass(frozen=True)
class SenderDomain:
    name: str
    private_key_pem: bytes
    public_key_b64: str

    @classmethod
    def make(cls, name: str, key_size: int = 1024) -> SenderDomain:
        # 1024 bits (still common in DKIM): dkimpy signs in pure Python, 2048 takes 10 ms a
        # letter to make; verifying either costs the ingest well under a millisecond.
        key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(name, pem, base64.b64encode(der).decode())

    @property
    def address(self) -> str:
        return f"saraban@{self.name}"

    def zone(self) -> str:
        """The sender's zone: its DKIM key and a DMARC record (what the ingest looks up)."""
        chunks = " ".join(
            f'"{self.public_key_b64[i : i + 200]}"' for i in range(0, len(self.public_key_b64), 200)
        )
        return (
            "$TTL 300\n"
            f"@ IN SOA ns1.{self.name}. hostmaster.{self.name}. 1 3600 600 86400 300\n"
            f"@ IN NS ns1.{self.name}.\n"
            "ns1 IN A 127.0.0.1\n"
            f'{SELECTOR}._domainkey IN TXT ( "v=DKIM1; k=rsa; p=" {chunks} )\n'
            '_dmarc IN TXT "v=DMARC1; p=reject; adkim=s"\n'
        )


@dataclass(frozen=True)
class Letter:
    message_id: str
    raw: bytes


def _pdf(rng: random.Random, size: int) -> bytes:
    """A valid one-page PDF of about ``size`` bytes, different every time (random metadata),
    so that the receipt stamp (ตรารับ) is really drawn on it after registration."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata(
        {"/Title": "หนังสือราชการ", "/Subject": rng.randbytes(max(size - 600, 0) // 2).hex()}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _letter(args: tuple[SenderDomain, str, str, int, int]) -> Letter:
    import dkim

    sender, to, run_id, number, pdf_bytes = args
    rng = random.Random(f"{run_id}-{number}")  # noqa: S311 (test data)
    message_id = f"<{run_id}.{number}@{sender.name}>"
    message = EmailMessage()
    message["From"] = f"สำนักงานจังหวัดทดสอบ <{sender.address}>"
    message["To"] = to
    message["Subject"] = SUBJECTS[number % len(SUBJECTS)].format(n=number, q=number % 4 + 1)
    message["Message-ID"] = message_id
    message["Date"] = "Fri, 20 Nov 2026 09:15:00 +0700"
    message.set_content(
        "เรียน นายกเทศมนตรี\n\nด้วยจังหวัดขอส่งหนังสือฉบับนี้มาเพื่อทราบและพิจารณาดำเนินการ "
        f"รายละเอียดตามสิ่งที่ส่งมาด้วย (ลำดับที่ {number})\n\nขอแสดงความนับถือ\n"
    )
    message.add_attachment(
        _pdf(rng, pdf_bytes), maintype="application", subtype="pdf", filename=f"หนังสือ-{number}.pdf"
    )
    raw = message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    signature = dkim.sign(
        raw,
        SELECTOR.encode(),
        sender.name.encode(),
        sender.private_key_pem,
        include_headers=[b"from", b"to", b"subject", b"message-id", b"date"],
    )
    return Letter(message_id, signature + raw)


def letters(
    sender: SenderDomain,
    to: str,
    count: int,
    *,
    run_id: str,
    pdf_bytes: int = 36_000,
    workers: int = 1,
) -> list[Letter]:
    """``count`` signed letters; a 36,000-byte PDF makes a message of about 50 KB."""
    jobs = [(sender, to, run_id, number, pdf_bytes) for number in range(count)]
    if workers <= 1:
        return [_letter(job) for job in jobs]
    # "spawn": a forked child of a process where Playwright has run hangs (docs/NOTES.md).
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_letter, jobs, chunksize=50))


def wait_for_port(
    port: int, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@dataclass
class IngestProcesses:
    port: int
    log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def ingest_processes(
    *,
    database_url: str,
    log: Path,
    processes: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[IngestProcesses]:
    """``manage.py mail_ingest`` (LMTP) on a free port, as its own process(es)."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "PYTHONPATH": f"{REPO / 'platform'}:{REPO}",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
        **(env or {}),
    }
    running = IngestProcesses(port, log)
    handle = log.open("ab")
    command = [sys.executable, str(REPO / "platform" / "manage.py"), "mail_ingest"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    if processes > 1:
        command += ["--processes", str(processes)]
    try:
        running.processes.append(
            subprocess.Popen(command, env=environment, stdout=handle, stderr=subprocess.STDOUT)
        )
        wait_for_port(port, 60, running.processes[0])
        yield running
    finally:
        for process in running.processes:
            process.send_signal(signal.SIGTERM)
        for process in running.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        handle.close()


@contextmanager
def smtp_sink() -> Iterator[int]:
    """Postfix's smtp-sink, speaking LMTP, accepting everything; yields its port."""
    port = free_port()
    user = ["-u", "postfix"] if os.geteuid() == 0 else []  # it refuses to run as root
    process = subprocess.Popen(
        [SMTP_SINK, *user, "-L", f"127.0.0.1:{port}", "256"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 10, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Submission:
    sent: int = 0
    retries: int = 0  # 4xx answers (or lost connections) from Postfix, each retried
    seconds: float = 0.0


def submit(
    port: int, stream: Sequence[Letter], *, sender: str, to: str, clients: int = 4
) -> Submission:
    """Hand the stream to Postfix over ``clients`` SMTP connections; a 4xx is retried (as a
    sending MTA would), a 5xx is an error."""
    result = Submission()
    errors: list[BaseException] = []
    lock = threading.Lock()
    started = time.perf_counter()

    def client(part: Sequence[Letter]) -> None:
        try:
            _client(part)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    def _client(part: Sequence[Letter]) -> None:
        connection: smtplib.SMTP | None = None
        for letter in part:
            while True:
                try:
                    if connection is None:
                        connection = smtplib.SMTP("127.0.0.1", port, timeout=60)
                    connection.sendmail(sender, [to], letter.raw)
                    with lock:
                        result.sent += 1
                    break
                except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
                    code = getattr(exc, "smtp_code", 0) or min(
                        (c for c, _m in getattr(exc, "recipients", {}).values()), default=0
                    )
                    if not 400 <= code < 500:
                        raise
                except (smtplib.SMTPServerDisconnected, OSError):
                    pass
                with lock:
                    result.retries += 1
                if connection is not None:
                    try:
                        connection.close()
                    finally:
                        connection = None
                time.sleep(0.5)
        if connection is not None:
            connection.quit()

    threads = [
        threading.Thread(target=client, args=(stream[index::clients],)) for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    result.seconds = time.perf_counter() - started
    return result
