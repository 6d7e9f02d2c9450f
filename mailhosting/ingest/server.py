"""The ingest service: Postfix delivers the central addresses' mail here over LMTP.

LMTP answers once per recipient after DATA, so one recipient's failure does not make Postfix
resend the message to the others. Replies are ASCII (the protocol's), logged by Postfix.
Any fault of ours is a 451 (Postfix keeps the message and retries); never a 5xx for it.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from mailhosting.ingest.delivery import ReceivedMail, UnknownRecipient, deliver
from mailhosting.selectors import mailbox_for_address

logger = logging.getLogger(__name__)

TEMPORARY = "451 4.3.0 Temporary failure, please try again later"
# Lines longer than RFC 5321's 998 octets still arrive from broken clients; refusing them would
# be a permanent bounce of an official letter.
LINE_LENGTH_LIMIT = 1024 * 1024


def _deliver_sync(mail: ReceivedMail, mail_from: str, recipient: str) -> str:
    close_old_connections()
    try:
        result = deliver(raw=mail.raw, mail_from=mail_from, recipient=recipient, mail=mail)
        return f"250 2.0.0 <{recipient}> {result.summary}"
    except UnknownRecipient:
        return f"550 5.1.1 <{recipient}> No such recipient"
    except Exception:
        logger.exception("delivery to %s failed; Postfix will retry", recipient)
        return f"451 4.3.0 <{recipient}> Temporary failure, please try again later"
    finally:
        close_old_connections()


def _known_sync(address: str) -> bool:
    close_old_connections()
    try:
        return mailbox_for_address(address) is not None
    finally:
        close_old_connections()


def warm_up() -> None:
    """Load, before the first connection, what the first delivery would otherwise wait for:
    PyThaiNLP's dictionary, which the letters' search index needs (seconds)."""
    from registers.search.terms import segment

    segment("หนังสือราชการ")


class IngestHandler:
    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        try:
            known = await sync_to_async(_known_sync, thread_sensitive=False)(address)
        except Exception:
            logger.exception("recipient lookup of %s failed", address)
            return TEMPORARY
        if not known:
            return f"550 5.1.1 <{address}> No such recipient"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        try:
            mail = await sync_to_async(ReceivedMail, thread_sensitive=False)(
                envelope.original_content or b""
            )
        except Exception:
            logger.exception("reading a received message failed; Postfix will retry")
            return "\r\n".join(TEMPORARY for _ in envelope.rcpt_tos) if self.lmtp else TEMPORARY
        mail_from = envelope.mail_from or ""
        replies = []
        for recipient in envelope.rcpt_tos:
            reply = await sync_to_async(_deliver_sync, thread_sensitive=False)(
                mail, mail_from, recipient
            )
            replies.append(reply)
        if self.lmtp:
            return "\r\n".join(replies)  # one reply line per recipient, in RCPT order
        # SMTP has one reply for all: retry all if any failed (delivery is idempotent).
        failed = [r for r in replies if not r.startswith("250")]
        return failed[0] if failed else "250 2.0.0 OK"

    async def handle_exception(self, error: Exception) -> str:
        logger.exception("ingest session failed", exc_info=error)
        return TEMPORARY


class _IngestSMTP(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT


class _IngestLMTP(LMTP):
    line_length_limit = LINE_LENGTH_LIMIT


class _Controller(Controller):
    def __init__(self, *, lmtp: bool, reuse_port: bool = False, **kwargs: Any) -> None:
        self.lmtp = lmtp
        self.reuse_port = reuse_port
        super().__init__(IngestHandler(lmtp=lmtp), **kwargs)

    def _create_server(self) -> Any:
        # SO_REUSEPORT: several ingest processes listen on one port and the kernel spreads the
        # connections over them (one event loop each, and each its own CPU).
        return self.loop.create_server(
            self._factory_invoker,
            host=self.hostname,
            port=self.port,
            ssl=self.ssl_context,
            reuse_port=self.reuse_port or None,
        )

    def factory(self) -> SMTP:
        protocol = _IngestLMTP if self.lmtp else _IngestSMTP
        return protocol(
            self.handler,
            data_size_limit=settings.MAIL_MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            ident="Saraban Cloud ingest",
            **self.SMTP_kwargs,
        )


def ingest_controller(
    *, host: str | None = None, port: int | None = None, lmtp: bool = True, reuse_port: bool = False
) -> Controller:
    controller = _Controller(
        lmtp=lmtp,
        reuse_port=reuse_port,
        hostname=host or settings.MAIL_INGEST_HOST,
        port=port or settings.MAIL_INGEST_PORT,
    )
    # aiosmtpd reads it from the server instance; set it before the first connection.
    controller.SMTP_kwargs = {}
    return controller
