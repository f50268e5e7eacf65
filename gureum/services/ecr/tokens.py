"""Registry credentials: GetAuthorizationToken's token (base64 "AWS:<token>", valid 12 hours) and the signed
layer URLs GetDownloadUrlForLayer hands out. Both are HMACs under the deployment's secret, so every node of a
deployment accepts what any node issued; the token names the account and region it was issued in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

TOKEN_SECONDS = 12 * 3600
URL_SECONDS = 3600  # a layer URL's life, as S3 presigned URLs ECR answers with


@dataclass(frozen=True, slots=True)
class Grant:
    account: str
    region: str
    expires: float


def _sign(secret: str, text: str) -> str:
    mac = hmac.new(secret.encode(), b"ecr-token:" + text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(secret: str, account: str, region: str, expires: float) -> str:
    """The password half of the registry's Basic credentials (the user is always "AWS")."""
    body = base64.urlsafe_b64encode(json.dumps({"a": account, "r": region, "e": int(expires)}).encode()).decode()
    return f"{body.rstrip('=')}.{_sign(secret, body.rstrip('='))}"


def authorization(secret: str, account: str, region: str, expires: float) -> str:
    """GetAuthorizationToken's authorizationToken: base64 of "AWS:<token>"."""
    return base64.b64encode(f"AWS:{issue(secret, account, region, expires)}".encode()).decode()


def verify(secret: str, token: str, now: float) -> Grant | None:
    """The grant a token carries, or None when it is forged, malformed or expired."""
    body, _, mac = token.partition(".")
    if not body or not mac or not hmac.compare_digest(mac, _sign(secret, body)):
        return None
    try:
        doc = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        grant = Grant(str(doc["a"]), str(doc["r"]), float(doc["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    return grant if grant.expires > now else None


def basic(secret: str, header: str, now: float) -> Grant | None:
    """The grant of an "Authorization: Basic base64(AWS:<token>)" header (None: absent, wrong or expired)."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return verify(secret, password, now) if user == "AWS" else None


def layer_signature(secret: str, account: str, region: str, repository: str, digest: str, expires: int) -> str:
    return _sign(secret, f"layer\n{account}\n{region}\n{repository}\n{digest}\n{expires}")
