"""Client certificates (GenerateClientCertificate): a self-signed certificate API Gateway would present to an
integration's backend, valid for 365 days as AWS's are. gureum keeps only the public certificate; its integrations
do not present it (they call their backends over plain HTTP or the HTTPS of the machine)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...certificates import self_signed
from .model import new_id

VALID_DAYS = 365


def _pem(common_name: str, created: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = self_signed(key, common_name, dt.datetime.fromtimestamp(created, dt.UTC), VALID_DAYS)
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def new_certificate(created: int, description: str | None, tags: dict[str, str] | None) -> dict[str, Any]:
    """A new client certificate's document (CPU-bound: the caller runs it off the event loop)."""
    cert_id = new_id(6)
    item: dict[str, Any] = {
        "id": cert_id,
        "clientCertificateId": cert_id,
        "pemEncodedCertificate": _pem(f"ApiGateway-{cert_id}", created),
        "createdDate": created,
        "expirationDate": created + VALID_DAYS * 86400,
        "tags": dict(tags or {}),
    }
    if description:
        item["description"] = description
    return item


def certificate_view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "id" and (k != "tags" or v)}
