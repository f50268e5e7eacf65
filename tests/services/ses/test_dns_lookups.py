"""SES's DNS lookups, turned on with GUREUM_SES_DNS (here: a name server this test runs, answering from a dict the
test fills): a domain identity is verified once its `_amazonses` TXT record (SES v1) or its DKIM records (SES v2:
all three Easy DKIM CNAMEs, or the BYODKIM selector's TXT record with the public half of its key) are published,
and a custom MAIL FROM domain once its MX record points at SES — not before, and not by a record that is wrong."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import dns.message
import dns.rcode
import dns.rrset
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import StoreFactory, make_client
from tests.server import Server
from tests.waiting import until


class NameServer:
    """A UDP name server answering from ``records``: (name, type) → record texts (zone-file syntax)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def publish(self, name: str, kind: str, *texts: str) -> None:
        self.records[(name.lower().rstrip("."), kind)] = list(texts)

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            answer = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().lower().rstrip(".")
            kind = dns.rdatatype.to_text(question.rdtype)
            texts = self.records.get((name, kind))
            if texts:
                answer.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", kind, texts))
            elif not any(key[0] == name for key in self.records):
                answer.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(answer.to_wire(), peer)


@pytest.fixture(scope="module")
def looked_up(store: StoreFactory) -> Iterator[tuple[NameServer, Callable[[str], Any]]]:
    names = NameServer()
    env = {"GUREUM_SES_DNS": f"127.0.0.1:{names.port}", "GUREUM_SES_DNS_SECONDS": "0.2"}
    server = Server(**store(), env=env).start()
    yield names, lambda service: make_client(server.endpoint, service)
    server.stop()
    names.sock.close()


def _status(ses: Any, domain: str) -> str:
    return str(ses.get_identity_verification_attributes(Identities=[domain])["VerificationAttributes"][domain][
        "VerificationStatus"])  # fmt: skip


def test_v1_domain_verified_by_its_txt_record_and_mail_from_by_its_mx(
    looked_up: tuple[NameServer, Callable[[str], Any]],
) -> None:
    names, client = looked_up
    ses = client("ses")
    domain, other = "v1-dns.example.com", "unpublished.example.com"
    token = ses.verify_domain_identity(Domain=domain)["VerificationToken"]
    ses.verify_domain_identity(Domain=other)
    names.publish(f"_amazonses.{domain}", "TXT", '"some-other-token"')
    time.sleep(1)
    assert _status(ses, domain) == "Pending"  # a TXT record without the token verifies nothing
    names.publish(f"_amazonses.{domain}", "TXT", '"some-other-token"', f'"{token}"')
    assert until(lambda: _status(ses, domain) == "Success")
    ses.set_identity_mail_from_domain(Identity=domain, MailFromDomain=f"bounce.{domain}")

    def mail_from() -> str:
        found = ses.get_identity_mail_from_domain_attributes(Identities=[domain])["MailFromDomainAttributes"]
        return str(found[domain]["MailFromDomainStatus"])

    assert mail_from() == "Pending"
    names.publish(f"bounce.{domain}", "MX", "10 feedback-smtp.us-east-1.amazonses.com.")
    assert until(lambda: mail_from() == "Success")
    assert _status(ses, other) == "Pending"  # nothing published: never verified


def test_v2_domains_verified_by_their_dkim_records(looked_up: tuple[NameServer, Callable[[str], Any]]) -> None:
    names, client = looked_up
    v2 = client("sesv2")
    easy = "easy-dns.example.com"
    tokens = v2.create_email_identity(EmailIdentity=easy)["DkimAttributes"]["Tokens"]
    for token in tokens[:2]:
        names.publish(f"{token}._domainkey.{easy}", "CNAME", f"{token}.dkim.amazonses.com.")
    time.sleep(1)
    assert v2.get_email_identity(EmailIdentity=easy)["DkimAttributes"]["Status"] == "PENDING"  # one still missing
    names.publish(f"{tokens[2]}._domainkey.{easy}", "CNAME", f"{tokens[2]}.dkim.amazonses.com.")
    assert until(lambda: v2.get_email_identity(EmailIdentity=easy)["VerifiedForSendingStatus"])
    assert v2.get_email_identity(EmailIdentity=easy)["DkimAttributes"]["Status"] == "SUCCESS"

    byo = "byo-dns.example.com"
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    private = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())  # fmt: skip
    v2.create_email_identity(
        EmailIdentity=byo,
        DkimSigningAttributes={
            "DomainSigningSelector": "k1",
            "DomainSigningPrivateKey": base64.b64encode(private).decode(),
        },  # fmt: skip
    )
    wrong = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    for public, expected in ((wrong, "PENDING"), (key.public_key(), "SUCCESS")):
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        names.publish(f"k1._domainkey.{byo}", "TXT", f'"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"')
        if expected == "PENDING":
            time.sleep(1)  # another key's record is not this identity's
        else:
            assert until(lambda: v2.get_email_identity(EmailIdentity=byo)["DkimAttributes"]["Status"] == "SUCCESS")
        assert v2.get_email_identity(EmailIdentity=byo)["DkimAttributes"]["Status"] == expected
