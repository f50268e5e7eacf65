"""DKIM signatures on the mail an identity sends (RFC 6376, through dkimpy): a verified domain identity with BYODKIM
(SES v2's EXTERNAL signing attributes) and DKIM signing enabled signs the mail of its addresses with its own
private key and selector — what receiving servers check against the selector's DNS record the owner published.
Easy DKIM identities are not signed: their DNS records point at Amazon's keys, which gureum does not hold.
No SQL, no HTTP."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import dkim
from cryptography.hazmat.primitives import serialization

from .identities import SUCCESS, Identity


@dataclass(frozen=True, slots=True)
class Signer:
    domain: str
    selector: str
    private_key: str  # base64 DER, as DomainSigningPrivateKey gave it


def signer(identity: Identity | None, doc: dict[str, Any] | None) -> Signer | None:
    """The domain identity's signer: verified, DKIM verified, BYODKIM with its key kept, signing enabled."""
    if identity is None or doc is None or not identity.verified or identity.dkim_status != SUCCESS:
        return None
    if doc.get("origin") != "EXTERNAL" or not doc.get("private_key") or not doc.get("enabled", True):
        return None
    return Signer(identity.name, str(doc["selector"]), str(doc["private_key"]))


def signature(raw: bytes, by: Signer) -> bytes:
    """The DKIM-Signature header (rsa-sha256, relaxed/simple canonicalization, as SES signs) of a whole message,
    its line ending included: prepended, it makes the signed message."""
    key = serialization.load_der_private_key(base64.b64decode(by.private_key), password=None)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    header: bytes = dkim.sign(raw, by.selector.encode(), by.domain.encode(), pem)
    return header
