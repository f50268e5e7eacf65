"""SES email receiving on gureum: an SMTP server (aiosmtpd) standing in for inbound-smtp.<region>.amazonaws.com.
No AUTH; STARTTLS offered, not required (a rule's TlsPolicy Require bounces mail that came without it). A
recipient is taken at RCPT TO only when a verified identity (its address or domain) belongs to an account whose
active receipt rule set has an enabled rule for it and the sender's IP passes the account's filters; at DATA the
rule set's actions run (SesBackend.receive) and its answer is the SMTP reply."""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from . import limits
from .backend import SesBackend
from .smtp import Listening

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


class InboundListener(Listening):
    """The receiving socket: mail for the verified identities of accounts with an active receipt rule set."""

    _prefix = "gureum-smtp-in-"
    _what = "SES receiving (inbound SMTP)"
    _off = "receiving is off"
    _on = "STARTTLS offered, no AUTH"

    def __init__(self, be: SesBackend) -> None:
        super().__init__()
        self.be = be

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
