"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) for SOFTWARE_TOKEN_MFA, and
the random codes e-mail and SMS carry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct


def new_secret() -> str:
    """A base32 secret as AssociateSoftwareToken answers it (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code_at(secret: str, step: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def verify(secret: str, code: str, now: float) -> bool:
    """A code of this step or the one before or after it (clocks drift)."""
    step = int(now // 30)
    return any(hmac.compare_digest(code_at(secret, step + delta), code) for delta in (-1, 0, 1))


def random_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"
