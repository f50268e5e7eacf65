"""Key material with the cryptography package: key pairs as Lightsail hands them out (an RSA key, its OpenSSH public
line, AWS's fingerprints), the instances' ed25519 host keys, and the short-lived SSH certificates
GetInstanceAccessDetails signs with the region's access CA (the instances trust it: TrustedUserCAKeys).
CPU-bound: callers run these in a worker thread.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from .errors import InvalidInputException


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    public: str  # the OpenSSH public line ("ssh-rsa AAAA… name")
    private: str  # PEM
    fingerprint: str


def _colons(digest: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in digest)


def create_rsa(comment: str) -> KeyMaterial:
    """A new 2048-bit RSA key pair; fingerprint as AWS gives it for keys it made: SHA-1 of the PKCS#8 private key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return KeyMaterial(f"{public.decode()} {comment}", private, _colons(hashlib.sha1(pkcs8).digest()))


def imported(public_text: str) -> tuple[str, str]:
    """An imported OpenSSH public key (as text): (its normalised line, AWS's fingerprint for imported keys: MD5 of
    the DER public key; for ed25519, MD5 of the OpenSSH key blob). InvalidInputException when it is not a key."""
    text = public_text.strip()
    try:
        key = serialization.load_ssh_public_key(text.encode())
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm):
        raise InvalidInputException(
            "The public key is not a valid OpenSSH public key (ssh-rsa or ssh-ed25519)."
        ) from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise InvalidInputException("RSA public keys must be at least 2048 bits long.")
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        digest = hashlib.md5(der).digest()
    elif isinstance(key, ed25519.Ed25519PublicKey):
        blob = base64.b64decode(text.split()[1])
        digest = hashlib.md5(blob).digest()
    else:
        raise InvalidInputException("Only ssh-rsa and ssh-ed25519 public keys can be imported.")
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return line, _colons(digest)


@dataclass(frozen=True, slots=True)
class HostKey:
    private: str  # OpenSSH PEM
    public: str  # "ssh-ed25519 AAAA…"
    sha1: str
    sha256: str


def host_key() -> HostKey:
    """An instance's ed25519 host key and its fingerprints as ssh-keygen -l prints them."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    blob = base64.b64decode(public.split()[1])
    sha1 = "SHA1:" + base64.b64encode(hashlib.sha1(blob).digest()).decode().rstrip("=")
    sha256 = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return HostKey(private, public.decode(), sha1, sha256)


def certificate_authority() -> tuple[str, str]:
    """A new access CA: (private PEM, public OpenSSH line)."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, public.decode() + " gureum-lightsail-access-ca"


def access_certificate(ca_private: str, user: str, now: float, seconds: int) -> tuple[str, str]:
    """A fresh RSA key and an SSH user certificate for ``user`` signed by the CA, valid ``seconds`` from ``now``:
    (private PEM, certificate line) — what GetInstanceAccessDetails returns as privateKey and certKey."""
    ca = serialization.load_ssh_private_key(ca_private.encode(), password=None)
    if not isinstance(ca, ed25519.Ed25519PrivateKey):
        raise ValueError("the access CA is not an ed25519 key")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        serialization.SSHCertificateBuilder()
        .public_key(key.public_key())
        .serial(secrets.randbits(63))
        .type(serialization.SSHCertificateType.USER)
        .key_id(f"lightsail-{user}".encode())
        .valid_principals([user.encode()])
        .valid_after(int(now) - 60)
        .valid_before(int(now) + seconds)
        .add_extension(b"permit-pty", b"")
        .add_extension(b"permit-port-forwarding", b"")
        .sign(ca)
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    return private, cert.public_bytes().decode()
