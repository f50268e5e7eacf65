"""Message signatures: one RSA key per deployment (kept in the store, so every node signs alike), a self-signed
X.509 certificate served at SigningCertURL, and AWS's canonical strings for SignatureVersion 1 (SHA1withRSA)
and 2 (SHA256withRSA) (sns-verify-signature-of-message.html)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

CERT_PATH = "/_gureum/sns/SimpleNotificationService.pem"
NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


def generate(now: float) -> tuple[str, str]:
    """A new key and its self-signed certificate, both PEM (once per deployment: x509 is imported here only)."""
    from ...certificates import self_signed

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = dt.datetime.fromtimestamp(now, dt.UTC) - dt.timedelta(days=1)
    cert = self_signed(key, "sns.amazonaws.com", start, 3650, organization="gureum")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem.decode(), cert.public_bytes(serialization.Encoding.PEM).decode()


def canonical(fields: Mapping[str, str | None], keys: tuple[str, ...]) -> bytes:
    """ "Name\\nvalue\\n" for each signed field present, in AWS's (alphabetical) order."""
    return "".join(f"{key}\n{fields[key]}\n" for key in keys if fields.get(key) is not None).encode()


@dataclass(slots=True)
class Signer:
    key: RSAPrivateKey
    key_pem: str
    cert_pem: str

    @classmethod
    def load(cls, key_pem: str, cert_pem: str) -> Signer:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        assert isinstance(key, RSAPrivateKey)
        return cls(key, key_pem, cert_pem)

    def sign(self, data: bytes, version: str) -> str:
        algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
        return base64.b64encode(self.key.sign(data, padding.PKCS1v15(), algorithm)).decode()

    def sign_notification(self, fields: Mapping[str, str | None], version: str) -> str:
        return self.sign(canonical(fields, NOTIFICATION_KEYS), version)

    def sign_confirmation(self, fields: Mapping[str, str | None], version: str) -> str:
        return self.sign(canonical(fields, CONFIRMATION_KEYS), version)
