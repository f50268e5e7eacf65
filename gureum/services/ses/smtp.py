"""SES's SMTP interface on gureum (aiosmtpd on the server's own event loop): STARTTLS with a self-signed
certificate generated at start, AUTH PLAIN/LOGIN with SES SMTP credentials (the access key id and the password
AWS derives from its secret), each message handled as SendRawEmail — the same sandbox, quotas, events, mailbox.
Reply codes as SES's: 530 before AUTH, 535 bad credentials, 554 rejected, 454 throttled, 552 too big."""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import hmac
import logging
import socket
import ssl
import tempfile
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ...aws.auth import DEFAULT_REGION, account_for_key
from ...certificates import self_signed
from ...runtime import Runtime
from . import limits
from .backend import Outgoing, SesBackend
from .errors import ServiceError

log = logging.getLogger("gureum")
# Regions whose SMTP passwords a key may have been derived for (the password names its Region)
SMTP_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-central-1", "eu-central-2", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "il-central-1", "me-south-1",
    "sa-east-1", "af-south-1", "us-gov-west-1", "us-gov-east-1",
)  # fmt: skip


def _sign(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def smtp_password(secret_access_key: str, region: str) -> str:
    """The SES SMTP password AWS derives from a secret access key for one Region (smtp-credentials.html):
    SigV4's key chain with date 11111111, service ses, message SendRawEmail, prefixed with version byte 0x04."""
    signature = _sign(("AWS4" + secret_access_key).encode("utf-8"), "11111111")
    for part in (region, "ses", "aws4_request", "SendRawEmail"):
        signature = _sign(signature, part)
    return base64.b64encode(bytes([0x04]) + signature).decode("utf-8")


class _Handler:
    """aiosmtpd's handler: each accepted DATA is one SendRawEmail of the authenticated account."""

    def __init__(self, be: SesBackend, base_url: str) -> None:
        self.be = be
        self.base_url = base_url  # gureum's HTTP address, for the tracking links of tracked configuration sets

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        auth = session.auth_data if isinstance(session.auth_data, tuple) else ("", DEFAULT_REGION, "")
        account, region, key = auth
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        try:
            headers = BytesHeaderParser().parsebytes(content)
            config_set = headers.get("X-SES-CONFIGURATION-SET")
            tags = _tags(str(headers.get("X-SES-MESSAGE-TAGS") or ""))
            source_arn = headers.get("X-SES-SOURCE-ARN") or headers.get("X-SES-FROM-ARN")
        except Exception:  # malformed headers: no configuration set, no tags
            config_set, tags, source_arn = None, {}, None
        message = Outgoing(
            str(envelope.mail_from or ""), list(envelope.rcpt_tos), [], [], [], raw=content,
            source_arn=str(source_arn) if source_arn else None, access_key=key, base_url=self.base_url,
            operation="SendSmtpEmail", source_ip=_peer(session),
        )  # fmt: skip
        try:
            ses_id = await self.be.send(account, region, message, str(config_set) if config_set else None, tags, "smtp")
        except ServiceError as error:
            if error.code == "Throttling":
                return f"454 Throttling failure: {error.message}"
            return f"554 Message rejected: {error.message}"
        except Exception:
            log.exception("SES SMTP: a message could not be handled")
            return "451 4.3.0 Temporary service failure"
        return f"250 Ok {ses_id}"


def _peer(session: Session) -> str:
    """The client's IP address (aiosmtpd's session.peer is the socket's (host, port))."""
    peer = session.peer
    return str(peer[0]) if isinstance(peer, tuple) and peer else "127.0.0.1"


def _tags(header: str) -> dict[str, str]:
    out = {}
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if sep and name:
            out[name] = value
    return out


def _certificate(directory: Path, hostname: str) -> tuple[Path, Path]:
    """A self-signed certificate for STARTTLS (EC P-256)."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    cert = self_signed(key, hostname, start, 3650, dns_names=(hostname, "localhost"))
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


async def tls_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate (made off the event loop) kept in ``directory``."""
    cert, key = await asyncio.to_thread(_certificate, directory, "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


class Listening:
    """An SMTP listening socket and its certificate (a temporary folder): started by the start hook, closed by
    the stop hook. Subclasses make the aiosmtpd protocol (``_protocol``) and name what they are (``_what``)."""

    _prefix = "gureum-smtp-"
    _what = "SES SMTP"
    _off = "SMTP sending is off"
    _on = "STARTTLS, AUTH with SES SMTP credentials"

    def __init__(self) -> None:
        self.server: asyncio.AbstractServer | None = None
        self.port = 0
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._tls: ssl.SSLContext | None = None

    def _protocol(self) -> SMTP:
        raise NotImplementedError

    async def start(self, host: str, port: int, sock: socket.socket | None = None) -> None:
        """Listen on host:port, or on ``sock`` when gureum held that socket until SES loaded (a client waiting on
        it is served)."""
        self._dir = tempfile.TemporaryDirectory(prefix=self._prefix)
        self._tls = await tls_context(Path(self._dir.name))
        try:
            loop = asyncio.get_running_loop()
            if sock is not None:
                self.server = await loop.create_server(self._protocol, sock=sock)
            else:
                self.server = await loop.create_server(self._protocol, host, port)
        except OSError as error:
            log.warning("%s: cannot listen on %s:%d (%s); %s", self._what, host, port, error.strerror, self._off)
            return
        self.port = port
        log.info("%s on %s:%d (%s)", self._what, host, port, self._on)

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


class SmtpListener(Listening):
    """The sending interface's socket: each message is SendRawEmail."""

    def __init__(self, runtime: Runtime, be: SesBackend) -> None:
        super().__init__()
        self.runtime = runtime
        self.be = be

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        key = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        secret = self.runtime.secret_for(key)
        if secret is None:
            # a key gureum does not know: strict mode refuses it; otherwise, as for the API, any password goes
            if self.runtime.config.strict_auth or not key:
                return AuthResult(success=False, handled=False)
            return AuthResult(success=True, auth_data=(account_for_key(key), DEFAULT_REGION, key))
        for region in SMTP_REGIONS:
            if hmac.compare_digest(smtp_password(secret, region), password):
                return AuthResult(success=True, auth_data=(account_for_key(key), region, key))
        return AuthResult(success=False, handled=False)

    def _protocol(self) -> SMTP:
        return SMTP(
            _Handler(self.be, self._base_url()),
            hostname="email-smtp.gureum.localhost",
            ident="gureum SES SMTP",
            data_size_limit=limits.MAX_MESSAGE_BYTES_V1,
            tls_context=self._tls,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self.authenticate,
            auth_exclude_mechanism=["CRAM-MD5"],
        )

    def _base_url(self) -> str:
        config = self.runtime.config
        host = "localhost" if config.host in ("0.0.0.0", "::", "") else config.host
        return f"http://{host}:{config.port}"
