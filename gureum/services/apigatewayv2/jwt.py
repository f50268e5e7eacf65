"""JWT authorizers of HTTP APIs: verify a token against the issuer's JWKS (RS256/384/512, ES256/384/512).

The JWKS comes from {issuer}/.well-known/openid-configuration → jwks_uri and is cached for an hour (fetched again,
at most once a minute, when a token names a key id it does not hold). Checks as the developer guide's "Controlling
access to HTTP APIs with JWT authorizers": signature, iss, aud (or client_id), exp, nbf, and the route's scopes."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ... import safejson
from ...clock import Clock

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_JWKS_TTL = 3600.0
# the JWKS of an issuer this server signs for (gureum.ports.CognitoTokens.jwks), None for any other issuer
LocalKeys = Callable[[str], Awaitable[dict[str, Any] | None]]
_REFRESH_MIN = 60.0


class TokenProblem(Exception):
    """A token that does not verify; the text goes into www-authenticate's error_description."""


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(text: str) -> int:
    return int.from_bytes(_b64(text), "big")


def _public_key(jwk: dict[str, Any]) -> Any:
    if jwk.get("kty") == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
    if jwk.get("kty") == "EC":
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}[jwk["crv"]]
        return ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), curve).public_key()
    raise TokenProblem("unsupported key type")


class JwksCache:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._keys: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}  # issuer → (fetched at, {kid: jwk})

    def clear(self) -> None:
        self._keys.clear()

    async def key(self, issuer: str, kid: str | None, local: LocalKeys | None = None) -> dict[str, Any]:
        """The issuer's key ``kid``: a Cognito user pool of this server answers through ``local`` (never cached
        here, so rotated keys are seen at once); any other issuer's JWKS is fetched over HTTP."""
        found = await local(issuer) if local is not None else None
        if found is not None:
            local_keys = {k.get("kid"): k for k in found.get("keys", [])}
            if kid not in local_keys:
                raise TokenProblem("signing key not found")
            return dict(local_keys[kid])
        now = self._clock.monotonic()
        cached = self._keys.get(issuer)
        if cached is None or now - cached[0] > _JWKS_TTL or (kid not in cached[1] and now - cached[0] > _REFRESH_MIN):
            cached = (now, await self._fetch(issuer))
            self._keys[issuer] = cached
        keys = cached[1]
        if kid is None and len(keys) == 1:
            return next(iter(keys.values()))
        if kid not in keys:
            raise TokenProblem("signing key not found")
        return keys[kid]

    @staticmethod
    async def _fetch(issuer: str) -> dict[str, dict[str, Any]]:
        import httpx  # imported on first use: it costs start-up time

        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                config = (await client.get(issuer.rstrip("/") + "/.well-known/openid-configuration")).json()
                jwks = (await client.get(config["jwks_uri"])).json()
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise TokenProblem(f"unable to fetch the issuer's signing keys: {type(exc).__name__}") from None
        return {k.get("kid"): k for k in jwks.get("keys", [])}


async def verify(
    token: str, issuer: str, audiences: list[str], cache: JwksCache, now: float, local: LocalKeys | None = None
) -> dict[str, Any]:
    """The token's claims once it verifies; TokenProblem otherwise."""
    try:
        head_b64, body_b64, sig_b64 = token.split(".")
        header = safejson.loads(_b64(head_b64))
        claims: dict[str, Any] = safejson.loads(_b64(body_b64))
        signature = _b64(sig_b64)
    except (ValueError, TypeError):
        raise TokenProblem("the token is malformed") from None
    alg = str(header.get("alg", ""))
    if alg[:2] not in ("RS", "ES") or alg[2:] not in _HASHES:
        raise TokenProblem(f"unsupported signing algorithm {alg}")
    if claims.get("iss") != issuer:
        raise TokenProblem("the token has an invalid issuer")
    key = _public_key(await cache.key(issuer, header.get("kid"), local))
    signed = f"{head_b64}.{body_b64}".encode()
    digest = _HASHES[alg[2:]]()
    try:
        if alg.startswith("RS"):
            key.verify(signature, signed, padding.PKCS1v15(), digest)
        else:
            half = len(signature) // 2
            der = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
            key.verify(der, signed, ec.ECDSA(digest))
    except (InvalidSignature, ValueError, TypeError):
        raise TokenProblem("signature is invalid") from None
    aud = (
        claims["aud"] if claims.get("aud") is not None else claims.get("client_id")
    )  # client_id only when there is no aud
    token_audiences = aud if isinstance(aud, list) else [aud]
    if not set(token_audiences) & set(audiences):
        raise TokenProblem("the token does not have a valid audience")
    if "exp" in claims and now >= float(claims["exp"]):
        raise TokenProblem("the token has expired")
    if "nbf" in claims and now < float(claims["nbf"]):
        raise TokenProblem("the token is not valid yet")
    return claims


def scopes_of(claims: dict[str, Any]) -> list[str]:
    raw = claims.get("scope", claims.get("scp", ""))
    return raw if isinstance(raw, list) else str(raw).split()


def claims_for_event(claims: dict[str, Any]) -> dict[str, Any]:
    """AWS passes claims as strings; arrays look like "[a b]"."""
    out: dict[str, Any] = {}
    for key, value in claims.items():
        if isinstance(value, list):
            out[key] = "[" + " ".join(str(v) for v in value) + "]"
        elif isinstance(value, str):
            out[key] = value
        else:
            out[key] = json.dumps(value) if isinstance(value, dict) else str(value)
    return out
