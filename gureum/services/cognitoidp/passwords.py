"""Passwords at rest: a salted scrypt hash (N=2^14, r=8, p=1; its parameters stored beside it so they can change)
and the SRP verifier USER_SRP_AUTH checks against, both computed off the event loop; and the pool's password
policy, whose failures name the rule as AWS's InvalidPasswordException does."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import string
from typing import Any

from . import srp
from .errors import InvalidPasswordException

_N, _R, _P = 2**14, 8, 1
_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)


def _hash(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _matches(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def _credentials(pool_id: str, username: str, password: str) -> dict[str, Any]:
    salt = srp.new_salt()
    return {"hash": _hash(password), "srp_salt": salt, "srp_verifier": srp.verifier(pool_id, username, password, salt)}


async def credentials(pool_id: str, username: str, password: str) -> dict[str, Any]:
    """What a user document keeps of a password: {"hash", "srp_salt", "srp_verifier"} (never the password)."""
    return await asyncio.to_thread(_credentials, pool_id, username, password)


async def matches(password: str, stored: dict[str, Any] | None) -> bool:
    if not stored or not stored.get("hash"):
        return False
    return await asyncio.to_thread(_matches, password, str(stored["hash"]))


def check_policy(password: str, policy: dict[str, Any]) -> None:
    """InvalidPasswordException naming the first rule the password breaks (AWS's wording)."""
    minimum = int(policy.get("MinimumLength", 8))
    if len(password) < minimum:
        raise InvalidPasswordException("Password did not conform with policy: Password not long enough")
    if policy.get("RequireLowercase", True) and not any(c in string.ascii_lowercase for c in password):
        raise InvalidPasswordException("Password did not conform with policy: Password must have lowercase characters")
    if policy.get("RequireUppercase", True) and not any(c in string.ascii_uppercase for c in password):
        raise InvalidPasswordException("Password did not conform with policy: Password must have uppercase characters")
    if policy.get("RequireNumbers", True) and not any(c in string.digits for c in password):
        raise InvalidPasswordException("Password did not conform with policy: Password must have numeric characters")
    if policy.get("RequireSymbols", True) and not any(c in _SYMBOLS for c in password):
        raise InvalidPasswordException("Password did not conform with policy: Password must have symbol characters")


def temporary_password(policy: dict[str, Any]) -> str:
    """A random temporary password that satisfies the policy (AdminCreateUser without TemporaryPassword)."""
    length = max(12, int(policy.get("MinimumLength", 8)))
    picks = [
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.digits),
        secrets.choice("^$*.!@#%&"),
    ]
    alphabet = string.ascii_letters + string.digits
    picks += [secrets.choice(alphabet) for _ in range(length - len(picks))]
    secrets.SystemRandom().shuffle(picks)
    return "".join(picks)
