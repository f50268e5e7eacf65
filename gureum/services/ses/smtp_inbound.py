"""SES email receiving on gureum: an SMTP server (aiosmtpd) standing in for inbound-smtp.<region>.amazonaws.com.
No AUTH; STARTTLS offered, not required (a rule's TlsPolicy Require bounces mail that came without it). A
recipient is taken at RCPT TO only when a verified identity (its address or domain) belongs to an account whose
active receipt rule set has an enabled rule for it and the sender's IP passes the account's filters; at DATA the
rule set's actions run (SesBackend.receive) and its answer is the SMTP reply."""

from __future__ import annotations

import asyncio
import logging
import ssl
import tempfile
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from . import limits
from .backend import SesBackend
from .smtp import tls_context

log = logging.getLogger("gureum")


class _Handler:
    def __init__(self, be: SesBackend) -> None:
        self.be = be

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        found = await self.be.receiver(address, _peer(session))
        if isinstance(found, str):
            return found
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content if isinstance(envelope.original_content, bytes) else b""
        try:
            return await self.be.receive(
                list(envelope.rcpt_tos), str(envelope.mail_from or ""), content, _peer(session),
                str(session.host_name or ""), session.ssl is not None,
            )  # fmt: skip
        except Exception:
            log.exception("SES receiving: a message could not be handled")
            return "451 4.3.0 Temporary service failure"


def _peer(session: Session) -> str:
    peer: Any = session.peer
    return str(peer[0]) if isinstance(peer, tuple) and peer else str(peer or "")


class InboundListener:
    """The receiving socket; kept by the start hook, closed by the stop hook."""

    def __init__(self, be: SesBackend) -> None:
        self.be = be
        self.server: asyncio.AbstractServer | None = None
        self.port = 0
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._tls: ssl.SSLContext | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            _Handler(self.be),
            hostname="inbound-smtp.gureum.localhost",
            ident="gureum SES inbound SMTP",
            data_size_limit=limits.MAX_RECEIVED_BYTES,
            tls_context=self._tls,
            require_starttls=False,
            auth_required=False,
            decode_data=False,
        )

    async def start(self, host: str, port: int) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="gureum-smtp-in-")
        self._tls = await tls_context(Path(self._dir.name))
        try:
            self.server = await asyncio.get_running_loop().create_server(self._protocol, host, port)
        except OSError as error:
            log.warning("SES receiving: cannot listen on %s:%d (%s); receiving is off", host, port, error.strerror)
            return
        self.port = port
        log.info("SES receiving (inbound SMTP) on %s:%d", host, port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            try:
                await asyncio.wait_for(self.server.wait_closed(), 5)
            except TimeoutError:
                pass
            self.server = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
