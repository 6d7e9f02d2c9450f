"""Helpers of the outgoing-letter tests: a registered send-register letter, a "remote" SMTP
server (aiosmtpd, a real SMTP peer that accepts, refuses or defers by local part), polling."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import connection

from tests.registers.conftest import letter_input, pdf_bytes
from tests.registers.helpers_browser import free_port


def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return None


def registered_letter(tenant: Any, actor: Any, recipient_email: str = "") -> Any:
    """An outgoing letter numbered in the send register, with its PDF and one attachment."""
    from registers.inputs import FileInput
    from registers.services.letters import letter_create_outgoing, letter_register_outgoing

    with tenant:
        letter = letter_create_outgoing(
            data=letter_input(
                channel="email",
                sender="เทศบาลตำบลอัลฟา",
                recipient="นายอำเภอเมือง",
                recipient_email=recipient_email,
                subject="ขอส่งรายงานผลการดำเนินงานประจำปี 2569",
            ),
            files=[
                FileInput(name="หนังสือส่ง.pdf", content=pdf_bytes("letter")),
                FileInput(name="รายงาน.pdf", content=pdf_bytes("report")),
            ],
            actor=actor,
        )
        letter_register_outgoing(letter=letter, actor=actor)
        letter.refresh_from_db()
    connection.set_schema_to_public()
    return letter


def recipient_state(tenant: Any, pk: int) -> Any:
    from registers.models import DispatchRecipient

    with tenant:
        row = DispatchRecipient.objects.get(pk=pk)
    connection.set_schema_to_public()
    return row


@dataclass
class RemoteServer:
    """Accepts ok*@, refuses nobody*@ (550 5.1.1), defers later*@ (451 4.2.0)."""

    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        local = address.partition("@")[0].lower()
        if local.startswith("nobody"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if local.startswith("later"):
            return f"451 4.2.0 <{address}>: Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((envelope.mail_from or "", list(envelope.rcpt_tos), content))
        return "250 2.0.0 queued as remote"


@contextmanager
def remote_smtp() -> Iterator[RemoteServer]:
    remote = RemoteServer(port=free_port())
    controller = Controller(remote, hostname="127.0.0.1", port=remote.port)
    controller.start()
    try:
        yield remote
    finally:
        controller.stop()
