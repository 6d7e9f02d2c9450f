"""The ingest service: Postfix delivers the central addresses' mail here over LMTP.

LMTP answers once per recipient after DATA, so one recipient's failure does not make Postfix
resend the message to the others. Replies are ASCII (the protocol's), logged by Postfix.
Any fault of ours is a 451 (Postfix keeps the message and retries); never a 5xx for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session
from django.conf import settings
from django.db import connection

from mailhosting.ingest.delivery import (
    Delivery,
    DeliveryResult,
    ReceivedMail,
    UnknownRecipient,
    deliver_many,
)
from mailhosting.models import Mailbox
from mailhosting.selectors import mailbox_for_address

logger = logging.getLogger(__name__)

TEMPORARY = "451 4.3.0 Temporary failure, please try again later"
# Lines longer than RFC 5321's 998 octets still arrive from broken clients; refusing them would
# be a permanent bounce of an official letter.
LINE_LENGTH_LIMIT = 1024 * 1024


# A looked-up recipient is trusted this long at RCPT time; the delivery itself checks again.
RECIPIENT_CACHE_SECONDS = 60.0
# At most this many deliveries in one transaction (Postfix opens up to 50 LMTP connections:
# infra/postfix/main.cf.tmpl).
MAX_BATCH = 50


def _reply(recipient: str, result: DeliveryResult | Exception) -> str:
    if isinstance(result, DeliveryResult):
        return f"250 2.0.0 <{recipient}> {result.summary}"
    if isinstance(result, UnknownRecipient):
        return f"550 5.1.1 <{recipient}> No such recipient"
    return f"451 4.3.0 <{recipient}> Temporary failure, please try again later"


def _deliver_batch(deliveries: list[Delivery]) -> list[DeliveryResult | Exception]:
    """The writer thread: one connection, kept between batches (CONN_MAX_AGE does not apply to
    a service that never finishes a request); dropped after a failure, so a database that went
    away and came back is reconnected to."""
    try:
        results = deliver_many(deliveries)
    except Exception as exc:
        logger.exception("a batch of %s deliveries failed; Postfix will retry", len(deliveries))
        connection.close()
        return [exc] * len(deliveries)
    if any(not isinstance(r, DeliveryResult | UnknownRecipient) for r in results):
        connection.close()
    return results


class _Writer:
    """Group commit: deliveries wait in a queue; one thread writes everything that queued up
    while it wrote the previous batch, in one transaction, then each waiting session replies."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="ingest-writer")
        self.queue: asyncio.Queue[tuple[Delivery, asyncio.Future[Any]]] | None = None
        self.task: asyncio.Task[None] | None = None

    async def deliver(self, delivery: Delivery) -> DeliveryResult | Exception:
        loop = asyncio.get_running_loop()
        if self.queue is None:
            self.queue = asyncio.Queue()
            self.task = loop.create_task(self._run())
        future: asyncio.Future[Any] = loop.create_future()
        await self.queue.put((delivery, future))
        return await future

    async def _run(self) -> None:
        assert self.queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            deliveries = [delivery for delivery, _future in batch]
            try:
                results = await loop.run_in_executor(self.executor, _deliver_batch, deliveries)
            except Exception as exc:  # never leave a session waiting
                results = [exc] * len(batch)
            for (_delivery, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


class _Recipients:
    """RCPT look-ups on one thread with one kept connection, remembered for a minute: the
    delivery reuses the mailbox found here (a mailbox switched off is refused within a minute)."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="ingest-rcpt")
        self.known: dict[str, tuple[float, Mailbox]] = {}

    def _lookup(self, address: str) -> Mailbox | None:
        try:
            return mailbox_for_address(address)
        except Exception:
            connection.close()
            raise

    def cached(self, address: str) -> Mailbox | None:
        found = self.known.get(address.strip().lower())
        return found[1] if found is not None and found[0] > time.monotonic() else None

    async def mailbox(self, address: str) -> Mailbox | None:
        cached = self.cached(address)
        if cached is not None:
            return cached
        key = address.strip().lower()
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self.executor, self._lookup, key)
        if found is not None:
            self.known[key] = (time.monotonic() + RECIPIENT_CACHE_SECONDS, found)
        else:
            self.known.pop(key, None)
        return found


def _received(raw: bytes) -> ReceivedMail:
    """Read and authenticate (DNS included) on a reader thread, never in the writer's: a slow
    name server must not hold up everyone's batch."""
    mail = ReceivedMail(raw)
    mail.auth  # noqa: B018  (a cached property: computed here)
    return mail


def warm_up() -> None:
    """Load, before the first connection, what the first delivery would otherwise wait for:
    PyThaiNLP's dictionary, which the letters' search index needs (seconds)."""
    from registers.search.terms import segment

    segment("หนังสือราชการ")


class IngestHandler:
    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp
        self.writer = _Writer()
        self.recipients = _Recipients()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        try:
            known = await self.recipients.mailbox(address) is not None
        except Exception:
            logger.exception("recipient lookup of %s failed", address)
            return TEMPORARY
        if not known:
            return f"550 5.1.1 <{address}> No such recipient"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        try:
            mail_from = envelope.mail_from or ""
            mail = await asyncio.get_running_loop().run_in_executor(
                None, _received, envelope.original_content or b""
            )
        except Exception:
            logger.exception("reading a received message failed; Postfix will retry")
            return "\r\n".join(TEMPORARY for _ in envelope.rcpt_tos) if self.lmtp else TEMPORARY
        results = await asyncio.gather(
            *(
                self.writer.deliver(
                    Delivery(mail, mail_from, recipient, mailbox=self.recipients.cached(recipient))
                )
                for recipient in envelope.rcpt_tos
            )
        )
        replies = [
            _reply(recipient, result)
            for recipient, result in zip(envelope.rcpt_tos, results, strict=True)
        ]
        if self.lmtp:
            return "\r\n".join(replies)  # one reply line per recipient, in RCPT order
        # SMTP has one reply for all: retry all if any failed (delivery is idempotent).
        failed = [r for r in replies if not r.startswith("250")]
        return failed[0] if failed else "250 2.0.0 OK"

    async def handle_exception(self, error: Exception) -> str:
        logger.exception("ingest session failed", exc_info=error)
        return TEMPORARY


DATA_END = b"\r\n.\r\n"


class _BulkData(SMTP):
    """DATA read in large pieces instead of line by line: aiosmtpd's own loop spends about a
    millisecond of Python per 50 KB letter on its 700 lines. Same outcome: dot-unstuffed
    content, 552 over the size limit (read to the end first, RFC 5321 4.2.5). Relies on
    aiosmtpd 1.4's hooks (pinned in pyproject)."""

    line_length_limit = LINE_LENGTH_LIMIT

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        limit = self.data_size_limit
        data = bytearray()
        size = 0
        while True:
            try:
                piece = await self._reader.readuntil(b".\r\n")
            except asyncio.LimitOverrunError as overrun:
                piece = await self._reader.read(overrun.consumed)
            except asyncio.CancelledError:  # the connection was lost during DATA
                self._writer.close()
                raise
            size += len(piece)
            if limit and size > limit + 3:  # over the limit: keep only a tail to see the end
                data = data[-4:]
            data += piece
            if (size == 3 and data == b".\r\n") or data.endswith(DATA_END):
                break
        if limit and size - 3 > limit:
            await self.push("552 Error: Too much mail data")
            self._set_post_data_state()
            return
        content = bytes(data[:-3])  # the line that ends it: ".\r\n"
        if content.startswith(b"."):
            content = content[1:]
        content = content.replace(b"\r\n.", b"\r\n")  # RFC 5321 4.5.2 transparency
        self.envelope.content = content
        self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)


class _IngestSMTP(_BulkData):
    pass


class _IngestLMTP(_BulkData, LMTP):
    pass


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
