"""A gureum server for the SES tests (one per store kind): SMTP on a free port, static credentials test:test (so SMTP
passwords derive from a known secret), a 3-second quota window; each test acts as its own fresh account."""

from __future__ import annotations

import email
import email.policy
import json
import random
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import StoreFactory, make_client
from tests.server import Server, free_port

QUOTA_WINDOW = 3.0
# a static key of the test server (its account is the key itself): SMTP passwords derive from its secret
SMTP_KEY, SMTP_SECRET = "111122223333", "smtp-test-secret"


@pytest.fixture(scope="session")
def ses_server(store: StoreFactory) -> Iterator[Server]:
    smtp_port, inbound_port = free_port(), free_port()
    srv = Server(
        **store(),
        extra_args=[
            "--smtp-port",
            str(smtp_port),
            "--smtp-inbound-port",
            str(inbound_port),
            "--credentials",
            f"test:test,{SMTP_KEY}:{SMTP_SECRET}",
        ],  # fmt: skip
        env={"GUREUM_SES_QUOTA_WINDOW": str(QUOTA_WINDOW)},
    ).start()
    srv.smtp_port = smtp_port  # type: ignore[attr-defined]
    srv.inbound_port = inbound_port  # type: ignore[attr-defined]
    yield srv
    srv.stop()


class Ses:
    """One fresh account on the SES test server: its clients and gureum's SES admin endpoints."""

    def __init__(self, server: Server, account: str | None = None) -> None:
        self.server = server
        self.account = account or "".join(random.choice("0123456789") for _ in range(12))
        self.v1 = make_client(server.endpoint, "ses", access_key=self.account)
        self.v2 = make_client(server.endpoint, "sesv2", access_key=self.account)

    def client(self, service: str) -> Any:
        return make_client(self.server.endpoint, service, access_key=self.account)

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.server.endpoint}{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as resp:
            raw = resp.read()
            return json.loads(raw) if resp.headers.get("Content-Type", "").startswith("application/json") else raw

    def production(self, max_24: float = 50000, rate: float = 1000) -> None:
        self.admin(
            "POST",
            "/_gureum/ses/account/production",
            {"accountId": self.account, "max24HourSend": max_24, "maxSendRate": rate},
        )

    def messages(self, **filters: str) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in {"accountId": self.account, **filters}.items())
        return list(self.admin("GET", f"/_gureum/ses/messages?{query}")["messages"])

    def raw(self, message_id: str) -> bytes:
        return bytes(self.admin("GET", f"/_gureum/ses/messages/raw?id={message_id}"))

    def verify_email(self, address: str) -> None:
        """Verify as a user does: ask, open the link the verification mail carries."""
        self.v1.verify_email_identity(EmailAddress=address)
        mail = [m for m in self.messages(destination=address) if m["Origin"] == "verification"][-1]
        body = email.message_from_bytes(self.raw(mail["Id"]), policy=email.policy.default).get_content()
        link = next(line for line in body.splitlines() if "/_gureum/ses/verify" in line)
        with urllib.request.urlopen(link.strip(), timeout=10) as resp:
            assert resp.status == 200

    def verify_domain(self, domain: str) -> None:
        self.v1.verify_domain_identity(Domain=domain)
        self.admin("POST", "/_gureum/ses/identities/verify", {"identity": domain, "accountId": self.account})


@pytest.fixture
def ses(ses_server: Server) -> Ses:
    return Ses(ses_server)


@pytest.fixture
def ses_smtp(ses_server: Server) -> Ses:
    """The account of SMTP_KEY (sending mail over SMTP needs a key whose secret the server knows)."""
    return Ses(ses_server, SMTP_KEY)


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{random.getrandbits(40):x}"
