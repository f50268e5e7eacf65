"""RS256 JSON Web Tokens as a user pool issues them: signing keys (RSA 2048, PEM in the store, the newest signs,
every kept one verifies), the JWKS document, the ID and access tokens' claims, verification of a token a client
presents, and the opaque refresh token (a random value the store knows only by its hash). No SQL, no HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ... import safejson

ISSUER = "https://cognito-idp.{region}.amazonaws.com/{pool}"


def issuer(pool_id: str) -> str:
    return ISSUER.format(region=pool_id.split("_", 1)[0], pool=pool_id)


def pool_of_issuer(iss: str) -> str | None:
    """The pool id an issuer URL names (its last path segment), when it looks like one."""
    last = iss.rstrip("/").rsplit("/", 1)[-1]
    return last if "_" in last and last.split("_", 1)[0].count("-") >= 2 else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> tuple[str, str]:
    """(kid, PEM) of a new RSA signing key (CPU: run off the event loop)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = base64.b64encode(hashlib.sha256(der).digest()).decode()
    return kid, pem


@lru_cache(maxsize=256)
def _private(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def jwk(kid: str, pem: str) -> dict[str, str]:
    numbers = _private(pem).public_key().public_numbers()
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    return {"alg": "RS256", "e": _b64(e), "kid": kid, "kty": "RSA", "n": _b64(n), "use": "sig"}


def sign(kid: str, pem: str, claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"kid": kid, "alg": "RS256"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = _private(pem).sign(f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{_b64(signature)}"


@dataclass(frozen=True, slots=True)
class Unverified:
    """A token's parts before its signature is checked."""

    kid: str
    claims: dict[str, Any]
    signed: bytes
    signature: bytes


def parse(token: str) -> Unverified | None:
    """The header's kid and the claims of a compact RS256 JWT; None when it is not one."""
    try:
        head, body, sig = token.split(".")
        header = safejson.loads(_unb64(head))
        claims = safejson.loads(_unb64(body))
        signature = _unb64(sig)
    except (ValueError, TypeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict) or header.get("alg") != "RS256":
        return None
    return Unverified(str(header.get("kid", "")), claims, f"{head}.{body}".encode(), signature)


def signature_holds(token: Unverified, pem: str) -> bool:
    try:
        _private(pem).public_key().verify(token.signature, token.signed, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def new_refresh_token() -> str:
    """Opaque to clients, shaped as AWS's (a compact JWE: five base64url parts)."""
    header = _b64(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}')
    return ".".join(
        [
            header,
            _b64(secrets.token_bytes(256)),
            _b64(secrets.token_bytes(12)),
            _b64(secrets.token_bytes(48)),
            _b64(secrets.token_bytes(16)),
        ]
    )


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _claim_value(name: str, value: str) -> Any:
    if name in ("email_verified", "phone_number_verified"):
        return value == "true"
    return value


def id_claims(
    pool_id: str,
    client_id: str,
    user: dict[str, Any],
    groups: list[dict[str, Any]],
    auth_time: int,
    now: int,
    seconds: int,
    origin_jti: str,
    readable: list[str] | None,
) -> dict[str, Any]:
    """AWS's ID token: sub, cognito:groups (and roles, preferred role), the readable attributes, cognito:username,
    aud, token_use "id", auth_time, iat, exp, jti, origin_jti, event_id, iss."""
    claims: dict[str, Any] = {"sub": user["sub"]}
    if groups:
        claims["cognito:groups"] = [g["GroupName"] for g in groups]
        roles = [g["RoleArn"] for g in groups if g.get("RoleArn")]
        if roles:
            claims["cognito:roles"] = roles
            ranked = sorted((g for g in groups if g.get("RoleArn")), key=lambda g: g.get("Precedence", 2**31))
            claims["cognito:preferred_role"] = ranked[0]["RoleArn"]
    for name, value in user["attributes"].items():
        if name == "sub" or (readable is not None and name not in readable):
            continue
        claims[name] = _claim_value(name, value)
    claims.update(
        {
            "iss": issuer(pool_id),
            "cognito:username": user["username"],
            "origin_jti": origin_jti,
            "aud": client_id,
            "event_id": secrets.token_hex(16),
            "token_use": "id",
            "auth_time": auth_time,
            "exp": now + seconds,
            "iat": now,
            "jti": secrets.token_hex(16),
        }
    )
    return claims


def access_claims(
    pool_id: str,
    client_id: str,
    user: dict[str, Any] | None,
    groups: list[dict[str, Any]],
    auth_time: int,
    now: int,
    seconds: int,
    origin_jti: str | None,
    scopes: list[str],
) -> dict[str, Any]:
    """AWS's access token: sub, cognito:groups, iss, client_id, origin_jti, event_id, token_use "access", scope,
    auth_time, exp, iat, jti, username (a client-credentials token has no user: sub is the client id)."""
    claims: dict[str, Any] = {"sub": user["sub"] if user else client_id}
    if groups:
        claims["cognito:groups"] = [g["GroupName"] for g in groups]
    claims["iss"] = issuer(pool_id)
    claims["client_id"] = client_id
    if origin_jti:
        claims["origin_jti"] = origin_jti
    if user:
        claims["event_id"] = secrets.token_hex(16)
    claims.update(
        {"token_use": "access", "scope": " ".join(scopes), "auth_time": auth_time, "exp": now + seconds, "iat": now}
    )
    claims["jti"] = secrets.token_hex(16)
    if user:
        claims["username"] = user["username"]
    return claims
