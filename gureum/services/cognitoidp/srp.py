"""SRP-6a as Cognito speaks it (USER_SRP_AUTH → PASSWORD_VERIFIER), the server's half of what Amplify's
AuthenticationHelper and pycognito's AWSSRP compute: the RFC 5054 3072-bit group with g = 2, k = H(00‖N‖0‖g),
x = H(salt ‖ H(poolName ‖ userId ‖ ":" ‖ password)), u = H(pad(A) ‖ pad(B)), the "Caldera Derived Key" HKDF of S
salted with u, and PASSWORD_CLAIM_SIGNATURE = HMAC(key, poolName ‖ userId ‖ secretBlock ‖ timestamp). Pure
arithmetic (CPU: callers run it off the event loop)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
G_HEX = "2"
N = int(N_HEX, 16)
G = 2


def _hash_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest().rjust(64, "0")


def _hex_hash(hex_text: str) -> str:
    return _hash_hex(bytes.fromhex(hex_text))


def pad_hex(value: int | str) -> str:
    """The clients' padHex: an even number of digits, and a leading 00 where the first digit has its high bit."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2 == 1:
        return "0" + text
    if text[0] in "89ABCDEFabcdef":
        return "00" + text
    return text


K = int(_hex_hash("00" + N_HEX + "0" + G_HEX), 16)


def pool_name(pool_id: str) -> str:
    """The part of a pool id after the region ("us-east-1_AbC" → "AbC"), which the clients hash in."""
    return pool_id.split("_", 1)[1]


def new_salt() -> str:
    return pad_hex(secrets.token_hex(16))


def _x(pool: str, user_id: str, password: str, salt: str) -> int:
    inner = _hash_hex(f"{pool_name(pool)}{user_id}:{password}".encode())
    return int(_hex_hash(pad_hex(salt) + inner), 16)


def verifier(pool: str, user_id: str, password: str, salt: str) -> str:
    """v = g^x mod N (hex), what the server keeps to check a PASSWORD_VERIFIER without the password."""
    return f"{pow(G, _x(pool, user_id, password, salt), N):x}"


def server_b(verifier_hex: str) -> tuple[int, int]:
    """(b, B): the server's secret and public value B = k·v + g^b mod N."""
    v = int(verifier_hex, 16)
    while True:
        b = secrets.randbits(256)
        big_b = (K * v + pow(G, b, N)) % N
        if big_b % N:
            return b, big_b


def _hkdf(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def expected_signature(
    pool: str,
    user_id: str,
    verifier_hex: str,
    a_hex: str,
    b: int,
    big_b: int,
    secret_block: bytes,
    timestamp: str,
) -> bytes | None:
    """The PASSWORD_CLAIM_SIGNATURE a client holding the password computes; None when A is unusable."""
    big_a = int(a_hex, 16)
    if big_a % N == 0:
        return None
    u = int(_hex_hash(pad_hex(big_a) + pad_hex(big_b)), 16)
    if u == 0:
        return None
    v = int(verifier_hex, 16)
    s = pow(big_a * pow(v, u, N), b, N)
    key = _hkdf(bytes.fromhex(pad_hex(s)), bytes.fromhex(pad_hex(f"{u:x}")))
    message = pool_name(pool).encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def check_signature(expected: bytes | None, given: str) -> bool:
    try:
        claimed = base64.b64decode(given, validate=True)
    except ValueError:
        return False
    return expected is not None and hmac.compare_digest(expected, claimed)
