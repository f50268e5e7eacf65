"""Self-signed X.509 certificates, as services make them for themselves: SES's STARTTLS certificate, SNS's message
signing certificate, API Gateway's client certificates (each chooses its key and keeps or serializes it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID


def self_signed(
    key: CertificateIssuerPrivateKeyTypes,
    common_name: str,
    start: dt.datetime,
    days: int,
    *,
    organization: str | None = None,
    dns_names: Sequence[str] = (),
) -> x509.Certificate:
    """A certificate for ``key``'s public key, signed by ``key`` (SHA-256), valid ``days`` days from ``start``."""
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    name = x509.Name(attributes)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
    )
    if dns_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), False)
    return builder.sign(key, hashes.SHA256())
