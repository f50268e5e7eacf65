"""SES's DNS lookups, when the user turns them on (GUREUM_SES_DNS): the records that verify a domain identity, as
SES looks for them — the `_amazonses.<domain>` TXT record holding the verification token (SES v1), the DKIM records
(Easy DKIM: each token's `<token>._domainkey.<domain>` CNAME to `<token>.dkim.amazonses.com`; BYODKIM: the
selector's TXT record whose `p=` is the public half of the identity's key), any of which verify the domain as SES
v2 does, and a custom MAIL FROM domain's MX record pointing at `feedback-smtp.<region>.amazonses.com`. Queries go
through dnspython's asynchronous resolver (the system's, or one name server). No SQL, no HTTP."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.resolver
from cryptography.hazmat.primitives import serialization

from .identities import Identity

Lookup = Callable[[str, str], Awaitable[list[str]]]  # (name, record type) → the records' texts, [] when none


class Resolver:
    """``where``: "system" (the machine's resolver configuration) or "host[:port]" (that name server alone)."""

    def __init__(self, where: str, timeout: float = 3.0) -> None:
        if where == "system":
            self._resolver = dns.asyncresolver.Resolver()
        else:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            host, _, port = where.rpartition(":") if where.count(":") == 1 else (where, "", "")
            self._resolver.nameservers = [host]
            self._resolver.port = int(port or 53)
        self._resolver.lifetime = timeout

    async def lookup(self, name: str, kind: str) -> list[str]:
        try:
            answer = await self._resolver.resolve(name, kind, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers, dns.exception.Timeout):
            return []
        if kind == "TXT":
            return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
        if kind == "MX":
            return [record.exchange.to_text(omit_final_dot=True).lower() for record in answer]
        return [record.to_text().rstrip(".").lower() for record in answer]


async def verification_found(identity: Identity, lookup: Lookup) -> bool:
    """The `_amazonses` TXT record holds the identity's verification token."""
    return identity.token in await lookup(f"_amazonses.{identity.name}", "TXT")


async def dkim_found(identity: Identity, doc: dict[str, Any] | None, lookup: Lookup) -> bool:
    """Every DKIM record of the identity's tokens is published (False without tokens)."""
    if not identity.dkim_tokens:
        return False
    if (doc or {}).get("origin") == "EXTERNAL":
        selector = identity.dkim_tokens[0]
        wanted = _public_key((doc or {}).get("private_key"))
        for text in await lookup(f"{selector}._domainkey.{identity.name}", "TXT"):
            published = _tags(text).get("p")
            if published and (wanted is None or published == wanted):
                return True
        return False
    for token in identity.dkim_tokens:
        if f"{token}.dkim.amazonses.com" not in await lookup(f"{token}._domainkey.{identity.name}", "CNAME"):
            return False
    return True


async def mail_from_found(domain: str, region: str, lookup: Lookup) -> bool:
    return f"feedback-smtp.{region}.amazonses.com" in await lookup(domain, "MX")


def _tags(text: str) -> dict[str, str]:
    """A DKIM key record's tags (RFC 6376 3.6.1), whitespace inside values removed."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            out[name.strip()] = "".join(value.split())
    return out


def _public_key(private_key: str | None) -> str | None:
    """The base64 SubjectPublicKeyInfo a BYODKIM record's p= must hold for the kept private key (None: not kept)."""
    if not private_key:
        return None
    key = serialization.load_der_private_key(base64.b64decode(private_key), password=None)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()
