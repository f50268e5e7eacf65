"""Server certificates (a part of IamBackend): a TLS certificate, its chain and private key uploaded for load
balancers and CloudFront, kept under a path and a name. The certificate and key are read (PEM, X.509) and must be
a pair; the certificate's notAfter is answered as Expiration. The private key is never answered again, as on AWS.

ARN: arn:aws:iam::{account}:server-certificate{path}{name}.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ...aws.errors import error_class
from ...store.base import Tx
from . import store
from .errors import LimitExceeded, NoSuchEntity, already_exists
from .model import arn, drop_tags, merge_tags, page
from .resources import Parts, create
from .store import Entity

MalformedCertificate = error_class("MalformedCertificate", type_name="MalformedCertificateException")
KeyPairMismatch = error_class("KeyPairMismatch", type_name="KeyPairMismatchException")

_KIND = "server-certificate"
SERVER_CERTIFICATES = 20  # "Server certificates stored in an AWS account: 20"


def _read(body: str, key: str, chain: str | None) -> float:
    """The certificate's expiry; MalformedCertificate / KeyPairMismatch as IAM answers them."""
    try:
        certificate = x509.load_pem_x509_certificate(body.strip().encode())
    except ValueError:
        raise MalformedCertificate(
            "Unable to parse certificate. Please ensure the certificate is in PEM format."
        ) from None
    try:
        private = serialization.load_pem_private_key(key.strip().encode(), password=None)
    except (ValueError, TypeError):
        raise MalformedCertificate(
            "Unable to parse private key. Please ensure it is in PEM format, unencrypted."
        ) from None
    if chain:
        try:
            x509.load_pem_x509_certificates(chain.strip().encode())
        except ValueError:
            raise MalformedCertificate("Unable to parse certificate chain.") from None
    pem = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    if private.public_key().public_bytes(*pem) != certificate.public_key().public_bytes(*pem):
        raise KeyPairMismatch("The private key did not match the public key in the certificate.")
    return certificate.not_valid_after_utc.timestamp()


def _metadata(cert: Entity) -> dict[str, Any]:
    return {
        "Path": cert.path, "ServerCertificateName": cert.name, "ServerCertificateId": cert.entity_id,
        "Arn": cert.arn, "UploadDate": cert.created_at, "Expiration": cert.data["Expiration"],
    }  # fmt: skip


def _no_such(name: str) -> Exception:
    return NoSuchEntity(f"The Server Certificate with name {name} cannot be found.")


def _claim(tx: Tx, account: str, name: str) -> Entity:
    cert = store.claim(tx, account, _KIND, name)
    if cert is None:
        raise _no_such(name)
    return cert


class ServerCertificates(Parts):
    async def upload_server_certificate(
        self, account: str, name: str, path: str | None, body: str, key: str, chain: str | None,
        tags: list[dict[str, str]],
    ) -> dict[str, Any]:  # fmt: skip
        path = path or "/"  # the model's pattern checks a path given (/.../)
        expiration = _read(body, key, chain)
        kept_tags = merge_tags([], tags)
        data = {"CertificateBody": body.strip(), "CertificateChain": chain.strip() if chain else None,
                "Expiration": expiration, "Tags": kept_tags}  # fmt: skip
        now = self.clock.now()

        def write(tx: Tx) -> Entity:
            if len(store.all_of(tx, account, _KIND)) >= SERVER_CERTIFICATES:
                raise LimitExceeded(f"Cannot exceed quota for ServerCertificatesPerAccount: {SERVER_CERTIFICATES}")
            return create(tx, account, _KIND, name, path, data, now)

        cert = await self.store.write(write)
        return {"ServerCertificateMetadata": _metadata(cert), "Tags": kept_tags or None}

    async def get_server_certificate(self, account: str, name: str) -> dict[str, Any]:
        cert = await self.store.read(lambda tx: store.get(tx, account, _KIND, name))
        if cert is None:
            raise _no_such(name)
        out: dict[str, Any] = {
            "ServerCertificateMetadata": _metadata(cert),
            "CertificateBody": cert.data["CertificateBody"],
            "Tags": cert.data["Tags"] or None,
        }
        if cert.data.get("CertificateChain"):
            out["CertificateChain"] = cert.data["CertificateChain"]
        return out

    async def list_server_certificates(
        self, account: str, prefix: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        certs = await self.store.read(lambda tx: store.all_of(tx, account, _KIND))
        shown = [c for c in certs if c.path.startswith(prefix or "/")]
        return page(shown, "ServerCertificateMetadataList", marker, max_items, _metadata)

    async def update_server_certificate(
        self, account: str, name: str, new_name: str | None, new_path: str | None
    ) -> None:
        def write(tx: Tx) -> None:
            cert = _claim(tx, account, name)
            target_name, target_path = new_name or cert.name, new_path or cert.path
            if not store.rename(tx, cert, target_name, target_path, arn(account, _KIND, target_path, target_name)):
                raise already_exists(_KIND, target_name)

        await self.store.write(write)

    async def delete_server_certificate(self, account: str, name: str) -> None:
        await self.store.write(lambda tx: store.delete(tx, _claim(tx, account, name)))

    async def retag_server_certificate(
        self, account: str, name: str, add: list[dict[str, str]], remove: list[str]
    ) -> None:
        def write(tx: Tx) -> None:
            cert = _claim(tx, account, name)
            cert.data["Tags"] = merge_tags(drop_tags(cert.data["Tags"], remove), add)
            store.save(tx, cert)

        await self.store.write(write)

    async def list_server_certificate_tags(
        self, account: str, name: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        cert = await self.store.read(lambda tx: store.get(tx, account, _KIND, name))
        if cert is None:
            raise _no_such(name)
        return page(cert.data["Tags"], "Tags", marker, max_items)
