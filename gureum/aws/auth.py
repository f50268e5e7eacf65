"""Who is calling, and where: access key → account, SigV4 credential scope → region and service.

The default mode accepts any credentials.  Keys gureum issues (STS) carry their account inside them,
so temporary credentials act in the role's account on every node without a lookup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import unquote

from .http import Request

DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"
_ACCOUNT_RE = re.compile(r"^\d{12}$")
_CREDENTIAL_RE = re.compile(r"Credential=([^,\s]+)")
_ISSUED_PREFIX = "ASIA"


@dataclass(slots=True, frozen=True)
class Caller:
    access_key: str
    account: str
    region: str
    service: str | None  # signing name from the credential scope, when signed


def _check(account: str, nonce: bytes) -> bytes:
    return hashlib.sha256(b"gureum-key:" + account.encode() + nonce).digest()[:2]


def is_issued(access_key: str) -> bool:
    """A key gureum's STS (or Lambda) issued, for any account, the default account included."""
    return _issued_account(access_key) is not None


def issue_access_key(account: str) -> str:
    """A 20-character access key id (like AWS's ASIA… keys) that encodes the account it acts in."""
    number = int(account).to_bytes(5, "big")
    nonce = secrets.token_bytes(3)
    raw = number + nonce + _check(account, nonce)
    return _ISSUED_PREFIX + base64.b32encode(raw).decode()


def issued_secret(deployment_secret: str, access_key: str) -> str:
    """The secret key of an access key gureum issued: derived, so any node can check its signatures."""
    digest = hmac.new(deployment_secret.encode(), access_key.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()[:40]


def _issued_account(access_key: str) -> str | None:
    """The account an issued key encodes; None when the key is not one gureum issued."""
    if len(access_key) != 20 or not access_key.startswith(_ISSUED_PREFIX):
        return None
    try:
        raw = base64.b32decode(access_key[4:])
    except ValueError:
        return None
    account = f"{int.from_bytes(raw[:5], 'big'):012d}"
    return account if len(account) == 12 and _check(account, raw[5:8]) == raw[8:10] else None


def known_secret(credentials: dict[str, str], deployment_secret: str, access_key: str) -> str | None:
    """The secret a signature made with ``access_key`` is checked against: a configured static key's, or the derived
    secret of a key gureum issued; None for a key gureum does not know."""
    secret = credentials.get(access_key)
    if secret is None and is_issued(access_key):
        secret = issued_secret(deployment_secret, access_key)
    return secret


def account_for_key(access_key: str) -> str:
    if _ACCOUNT_RE.match(access_key):
        return access_key
    return _issued_account(access_key) or DEFAULT_ACCOUNT


def credential_scope(request: Request) -> list[str] | None:
    """[access key, date, region, service, 'aws4_request'] from the Authorization header or a presigned URL."""
    header = request.headers.get("authorization")
    credential = None
    if header:
        if header.startswith("AWS4-"):
            match = _CREDENTIAL_RE.search(header)
            if match:
                credential = match.group(1)
        elif header.startswith("AWS "):  # SigV2-style: "AWS AKID:signature"
            return [header[4:].split(":", 1)[0], "", "", "", ""]
    if credential is None and "X-Amz-Credential" in request.query_string:
        credential = request.query.get("X-Amz-Credential")
    if credential is None and "AWSAccessKeyId=" in request.query_string:  # an S3 presigned URL of SigV2
        return [request.query.get("AWSAccessKeyId", ""), "", "", "s3", ""]
    if credential is None and request.method == "POST" and b"X-Amz-Credential" in request.body[:4096]:
        credential = request.form.get("X-Amz-Credential")
    if not credential:
        return None
    parts = unquote(credential).split("/")
    return parts if len(parts) >= 5 else None


def identify(request: Request) -> Caller:
    scope = credential_scope(request)
    if scope is None:
        return Caller("", DEFAULT_ACCOUNT, DEFAULT_REGION, None)
    key = scope[0]
    return Caller(key, account_for_key(key), scope[2] or DEFAULT_REGION, scope[3] or None)
