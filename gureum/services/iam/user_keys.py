"""IAM users' SSH public keys (for CodeCommit) and X.509 signing certificates (a part of IamBackend): uploaded,
listed, made Active or Inactive, deleted. Each is an entity of its own, named by its id and owned by the user's
entity (so a renamed user keeps them); a user holding either cannot be deleted, as on AWS.

SSH keys: RSA of 2,048 bits or more, in OpenSSH or PEM form, answered in either (GetSSHPublicKey's Encoding), with
the MD5 fingerprint of the key, 5 a user. Signing certificates: PEM X.509, 2 a user, each once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...aws.errors import error_class
from ...store.base import Tx
from . import store
from .errors import LimitExceeded, NoSuchEntity
from .model import page
from .resources import Parts, claim, create, require
from .store import Entity

InvalidPublicKey = error_class("InvalidPublicKey", type_name="InvalidPublicKeyException")
DuplicateSSHPublicKey = error_class("DuplicateSSHPublicKey", type_name="DuplicateSSHPublicKeyException")
UnrecognizedPublicKeyEncoding = error_class(
    "UnrecognizedPublicKeyEncoding", type_name="UnrecognizedPublicKeyEncodingException"
)
MalformedCertificate = error_class("MalformedCertificate", type_name="MalformedCertificateException")
DuplicateCertificate = error_class("DuplicateCertificate", 409, type_name="DuplicateCertificateException")

SSH_KEY, SIGNING_CERTIFICATE = "ssh-public-key", "signing-certificate"
SSH_KEYS_PER_USER = 5
SIGNING_CERTIFICATES_PER_USER = 2
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _read_ssh_key(body: str) -> rsa.RSAPublicKey:
    text = body.strip()
    try:
        key = (
            serialization.load_pem_public_key(text.encode())
            if text.startswith("-----BEGIN")
            else serialization.load_ssh_public_key(" ".join(text.split()[:2]).encode())
        )
    except (ValueError, TypeError, IndexError, UnsupportedAlgorithm):
        raise UnrecognizedPublicKeyEncoding("The public key encoding format is unsupported or unrecognized.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidPublicKey("The public key is not an RSA key: only ssh-rsa keys are supported.")
    if key.key_size < 2048:
        raise InvalidPublicKey("The public key must be at least 2048 bits long.")
    return key


def _ssh_forms(key: rsa.RSAPublicKey) -> tuple[str, str, str]:
    """(OpenSSH text, PEM text, MD5 fingerprint of the key's blob)."""
    openssh = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    digest = hashlib.md5(base64.b64decode(openssh.split()[1]), usedforsecurity=False).hexdigest()
    return openssh, pem, ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _owned(tx: Tx, kind: str, owner: Entity, not_found: Callable[[], Exception], item_id: str) -> Entity:
    found = store.claim(tx, owner.account, kind, item_id)
    if found is None or found.data["Owner"] != owner.id:
        raise not_found()
    return found


def _of_user(tx: Tx, kind: str, user: Entity) -> list[Entity]:
    return sorted(
        (e for e in store.all_of(tx, user.account, kind) if e.data["Owner"] == user.id), key=lambda e: e.created_at
    )


def holds_credentials(tx: Tx, user: Entity) -> str | None:
    """What a user still holds that keeps it from being deleted (DeleteUser's DeleteConflict), if anything."""
    if _of_user(tx, SSH_KEY, user):
        return "SSH public keys"
    if _of_user(tx, SIGNING_CERTIFICATE, user):
        return "signing certificates"
    return None


def _ssh_view(key: Entity, user: Entity, encoding: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "UserName": user.name, "SSHPublicKeyId": key.name, "Status": key.data["Status"], "UploadDate": key.created_at,
    }  # fmt: skip
    if encoding is not None:
        out["Fingerprint"] = key.data["Fingerprint"]
        out["SSHPublicKeyBody"] = key.data["Pem"] if encoding == "PEM" else key.data["OpenSsh"]
    return out


def _certificate_view(cert: Entity, user: Entity) -> dict[str, Any]:
    return {
        "UserName": user.name, "CertificateId": cert.name, "CertificateBody": cert.data["CertificateBody"],
        "Status": cert.data["Status"], "UploadDate": cert.created_at,
    }  # fmt: skip


def _new_id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length - len(prefix)))


class UserKeys(Parts):
    # --- SSH public keys ----------------------------------------------------------------------------------

    async def upload_ssh_public_key(self, account: str, user_name: str, body: str) -> dict[str, Any]:
        openssh, pem, fingerprint = _ssh_forms(_read_ssh_key(body))
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            user = claim(tx, account, "user", user_name)
            keys = _of_user(tx, SSH_KEY, user)
            if any(k.data["Fingerprint"] == fingerprint for k in keys):
                raise DuplicateSSHPublicKey("The SSH public key specified is already associated with the user.")
            if len(keys) >= SSH_KEYS_PER_USER:
                raise LimitExceeded(f"Cannot exceed quota for SSHPublicKeysPerUser: {SSH_KEYS_PER_USER}")
            data = {"Owner": user.id, "OpenSsh": openssh, "Pem": pem, "Fingerprint": fingerprint, "Status": "Active"}
            key = create(tx, account, SSH_KEY, _new_id("APKA", 20), "/", data, now)
            return _ssh_view(key, user, "SSH")

        return await self.store.write(write)

    async def get_ssh_public_key(self, account: str, user_name: str, key_id: str, encoding: str) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            user = require(tx, account, "user", user_name)
            key = store.get(tx, account, SSH_KEY, key_id)
            if key is None or key.data["Owner"] != user.id:
                raise _no_ssh_key(key_id)
            return _ssh_view(key, user, encoding)

        return await self.store.read(read)

    async def list_ssh_public_keys(
        self, account: str, user_name: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        if not user_name:
            return {"SSHPublicKeys": [], "IsTruncated": False}

        def read(tx: Tx) -> dict[str, Any]:
            user = require(tx, account, "user", user_name)
            keys = _of_user(tx, SSH_KEY, user)
            return page(keys, "SSHPublicKeys", marker, max_items, lambda k: _ssh_view(k, user, None))

        return await self.store.read(read)

    async def update_ssh_public_key(self, account: str, user_name: str, key_id: str, status: str) -> None:
        def write(tx: Tx) -> None:
            key = _owned(tx, SSH_KEY, require(tx, account, "user", user_name), lambda: _no_ssh_key(key_id), key_id)
            key.data["Status"] = status
            store.save(tx, key)

        await self.store.write(write)

    async def delete_ssh_public_key(self, account: str, user_name: str, key_id: str) -> None:
        def write(tx: Tx) -> None:
            user = require(tx, account, "user", user_name)
            store.delete(tx, _owned(tx, SSH_KEY, user, lambda: _no_ssh_key(key_id), key_id))

        await self.store.write(write)

    # --- signing certificates -----------------------------------------------------------------------------

    async def upload_signing_certificate(self, account: str, user_name: str | None, body: str) -> dict[str, Any]:
        if not user_name:
            raise NoSuchEntity("The user with name root cannot be found.")  # gureum keeps no root credentials
        try:
            x509.load_pem_x509_certificate(body.strip().encode())
        except ValueError:
            raise MalformedCertificate("Unable to parse certificate. Please ensure it is in PEM format.") from None
        text = body.strip()  # the certificate, to find it again; its body is kept and answered as it came
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            user = claim(tx, account, "user", user_name)
            certificates = _of_user(tx, SIGNING_CERTIFICATE, user)
            known = store.all_of(tx, account, SIGNING_CERTIFICATE)
            if any(c.data["CertificateBody"].strip() == text for c in known):
                raise DuplicateCertificate("The certificate is already in use.")
            if len(certificates) >= SIGNING_CERTIFICATES_PER_USER:
                raise LimitExceeded(
                    f"Cannot exceed quota for SigningCertificatesPerUser: {SIGNING_CERTIFICATES_PER_USER}"
                )
            data = {"Owner": user.id, "CertificateBody": body, "Status": "Active"}
            cert = create(tx, account, SIGNING_CERTIFICATE, _new_id("", 32), "/", data, now)
            return _certificate_view(cert, user)

        return await self.store.write(write)

    async def list_signing_certificates(
        self, account: str, user_name: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        if not user_name:
            return {"Certificates": [], "IsTruncated": False}

        def read(tx: Tx) -> dict[str, Any]:
            user = require(tx, account, "user", user_name)
            certificates = _of_user(tx, SIGNING_CERTIFICATE, user)
            return page(certificates, "Certificates", marker, max_items, lambda c: _certificate_view(c, user))

        return await self.store.read(read)

    async def update_signing_certificate(self, account: str, user_name: str | None, cert_id: str, status: str) -> None:
        def write(tx: Tx) -> None:
            cert = self._certificate(tx, account, user_name, cert_id)
            cert.data["Status"] = status
            store.save(tx, cert)

        await self.store.write(write)

    async def delete_signing_certificate(self, account: str, user_name: str | None, cert_id: str) -> None:
        await self.store.write(lambda tx: store.delete(tx, self._certificate(tx, account, user_name, cert_id)))

    def _certificate(self, tx: Tx, account: str, user_name: str | None, cert_id: str) -> Entity:
        if not user_name:
            raise _no_certificate(cert_id)
        user = require(tx, account, "user", user_name)
        return _owned(tx, SIGNING_CERTIFICATE, user, lambda: _no_certificate(cert_id), cert_id)


def _no_ssh_key(key_id: str) -> Exception:
    return NoSuchEntity(f"The Public Key with id {key_id} cannot be found.")


def _no_certificate(cert_id: str) -> Exception:
    return NoSuchEntity(f"The Certificate with id {cert_id} cannot be found.")
