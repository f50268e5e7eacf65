"""SES durability and the smarthost relay: a SIGKILL in the middle of API and SMTP sends loses no acknowledged
message; accepted mail reaches a real SMTP server named by GUREUM_SES_RELAY (AUTH, envelope, simulator addresses
left out), retried through the outbox while that server is down."""

from __future__ import annotations

import json
import smtplib
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from botocore.exceptions import BotoCoreError, ClientError

from gureum.services.ses.smtp import smtp_password

from ...conftest import make_client
from ...server import Server, free_port
from .conftest import SMTP_KEY, SMTP_SECRET


class _Sink:
    """A real SMTP server standing in for the user's smarthost: keeps what it is given."""

    def __init__(self) -> None:
        self.got: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.got.append((str(envelope.mail_from), list(envelope.rcpt_tos), bytes(content)))
        return "250 OK"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"relay" and data.password == b"secret"
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok)


def _controller(sink: _Sink, port: int) -> Controller:
    return Controller(sink, hostname="127.0.0.1", port=port, authenticator=sink.authenticate, auth_require_tls=False)


def _admin(server: Server, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(f"{server.endpoint}{path}", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


def _mailbox(server: Server, account: str) -> list[dict[str, Any]]:
    url = f"{server.endpoint}/_gureum/ses/messages?accountId={account}&limit=100000"
    with urllib.request.urlopen(url, timeout=30) as resp:
        return list(json.loads(resp.read())["messages"])


@pytest.fixture
def sink_port() -> Iterator[int]:
    yield free_port()


def test_relay_to_smarthost_survives_its_outage(store: Any, sink_port: int) -> None:
    server = Server(
        **store(),
        extra_args=["--smtp-port", "0", "--smtp-inbound-port", "0"],
        env={"GUREUM_SES_RELAY": f"smtp://relay:secret@127.0.0.1:{sink_port}", "GUREUM_SES_AUTO_VERIFY": "1"},
    ).start()
    sink = _Sink()
    try:
        ses = make_client(server.endpoint, "ses", access_key="123456789012")
        ses.verify_email_identity(EmailAddress="app@example.com")  # auto-verified: no verification mail
        ses.verify_email_identity(EmailAddress="user@example.net")
        # the smarthost is down: the send is accepted, its relay waits in the outbox
        sent = ses.send_email(
            Source="app@example.com",
            Destination={"ToAddresses": ["user@example.net", "success@simulator.amazonses.com"]},
            Message={"Subject": {"Data": "relayed"}, "Body": {"Text": {"Data": "through the smarthost"}}},
        )["MessageId"]
        time.sleep(1.0)
        controller = _controller(sink, sink_port)
        controller.start()
        try:
            deadline = time.monotonic() + 30
            while not sink.got and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            controller.stop()
        assert len(sink.got) == 1, sink.got
        sender, recipients, content = sink.got[0]
        assert sender == "app@example.com" and recipients == ["user@example.net"]
        assert b"Subject: relayed" in content and f"<{sent}@email.amazonses.com>".encode() in content
        assert sink.logins
    finally:
        server.stop()


SENDERS = 3


def _api_stream(client: Any, acked: list[str], stop: threading.Event) -> None:
    n = 0
    while not stop.is_set() and n < 100_000:
        n += 1
        try:
            out = client.send_email(
                Source="bulk@example.com",
                Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
                Message={"Subject": {"Data": f"api {n}"}, "Body": {"Text": {"Data": "x"}}},
            )
        except (BotoCoreError, ClientError, OSError):
            return  # the server died mid-request: never acknowledged
        acked.append(out["MessageId"])


def _smtp_stream(port: int, acked: list[str], stop: threading.Event) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        client = smtplib.SMTP("127.0.0.1", port, timeout=10)
        client.starttls(context=context)
        client.login(SMTP_KEY, smtp_password(SMTP_SECRET, "us-east-1"))
        n = 0
        while not stop.is_set():
            n += 1
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "bulk@example.com", "success@simulator.amazonses.com", f"smtp {n}"
            msg.set_content("x")
            client.send_message(msg)  # returns once the server answered 250 to DATA: acknowledged
            acked.append(f"smtp {n}")
    except (smtplib.SMTPException, OSError):
        return


def test_kill9_mid_send_loses_no_acknowledged_message(store: Any) -> None:
    kept = store()
    smtp_port = free_port()
    args = ["--smtp-port", str(smtp_port), "--smtp-inbound-port", "0", "--credentials", f"{SMTP_KEY}:{SMTP_SECRET}"]
    env = {"GUREUM_SES_AUTO_VERIFY": "1"}
    server = Server(**kept, extra_args=args, env=env).start()
    try:
        account = SMTP_KEY
        ses = make_client(server.endpoint, "ses", access_key=account)
        ses.verify_email_identity(EmailAddress="bulk@example.com")
        _admin(server, "/_gureum/ses/account/production", {"accountId": account, "maxSendRate": 100000})
        stop = threading.Event()
        api_acked: list[list[str]] = [[] for _ in range(SENDERS)]
        smtp_acked: list[str] = []
        threads = [
            threading.Thread(
                target=_api_stream,
                args=(make_client(server.endpoint, "ses", access_key=account), api_acked[i], stop),
                daemon=True,
            )
            for i in range(SENDERS)
        ]
        threads.append(threading.Thread(target=_smtp_stream, args=(smtp_port, smtp_acked, stop), daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(15)
        ids = [i for acked in api_acked for i in acked]
        assert len(ids) > 20 and len(smtp_acked) > 5, (len(ids), len(smtp_acked))

        server = Server(**kept, extra_args=args, env=env).start()
        kept_mail = _mailbox(server, account)
        missing = set(ids) - {m["Id"] for m in kept_mail}
        assert not missing, f"{len(missing)} acknowledged API sends lost, e.g. {sorted(missing)[:3]}"
        subjects = {m["Subject"] for m in kept_mail if m["Origin"] == "smtp"}
        lost = set(smtp_acked) - subjects
        assert not lost, f"{len(lost)} acknowledged SMTP messages lost, e.g. {sorted(lost)[:3]}"
        assert len(kept_mail) == len({m["Id"] for m in kept_mail}), "a message was kept twice"
    finally:
        server.stop()
