"""IAM users' SSH public keys and signing certificates end to end (Terraform's aws_iam_user_ssh_key and
aws_iam_signing_certificate): upload, read in both encodings, status, list, delete; what AWS refuses; a user holding
either cannot be deleted."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ...expect import expect_error


def _ssh_key(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _certificate() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2034, 1, 1, tzinfo=dt.UTC)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def test_ssh_public_keys(iam: Any, name: str) -> None:
    iam.create_user(UserName=name)
    body = _ssh_key()
    made = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=body + " me@laptop")["SSHPublicKey"]
    key_id = made["SSHPublicKeyId"]
    digest = hashlib.md5(base64.b64decode(body.split()[1])).hexdigest()
    assert key_id.startswith("APKA") and made["Status"] == "Active" and made["SSHPublicKeyBody"] == body
    assert made["Fingerprint"] == ":".join(digest[i : i + 2] for i in range(0, 32, 2))
    expect_error(iam.upload_ssh_public_key, "DuplicateSSHPublicKey", UserName=name, SSHPublicKeyBody=body)
    pem = iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    assert (
        pem["SSHPublicKeyBody"].startswith("-----BEGIN PUBLIC KEY-----") and pem["Fingerprint"] == made["Fingerprint"]
    )
    iam.update_ssh_public_key(UserName=name, SSHPublicKeyId=key_id, Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed] == [(key_id, "Inactive")]
    expect_error(iam.upload_ssh_public_key, "InvalidPublicKey", UserName=name, SSHPublicKeyBody=_ssh_key(1024))
    expect_error(iam.upload_ssh_public_key, "UnrecognizedPublicKeyEncoding", UserName=name, SSHPublicKeyBody="x y")
    expect_error(iam.delete_user, "DeleteConflict", status=409, UserName=name)
    iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=key_id)
    expect_error(iam.get_ssh_public_key, "NoSuchEntity", status=404, UserName=name, SSHPublicKeyId=key_id,
                 Encoding="SSH")  # fmt: skip
    iam.delete_user(UserName=name)


def test_signing_certificates(iam: Any, name: str) -> None:
    iam.create_user(UserName=name)
    body = _certificate()
    made = iam.upload_signing_certificate(UserName=name, CertificateBody=body)["Certificate"]
    cert_id = made["CertificateId"]
    assert made["UserName"] == name and made["Status"] == "Active" and made["CertificateBody"] == body  # as given
    assert len(cert_id) >= 24
    expect_error(iam.upload_signing_certificate, "DuplicateCertificate", status=409, UserName=name,
                 CertificateBody=body.strip())  # fmt: skip
    expect_error(iam.upload_signing_certificate, "MalformedCertificate", UserName=name, CertificateBody="nope")
    iam.upload_signing_certificate(UserName=name, CertificateBody=_certificate())
    expect_error(iam.upload_signing_certificate, "LimitExceeded", status=409, UserName=name,
                 CertificateBody=_certificate())  # fmt: skip
    iam.update_signing_certificate(UserName=name, CertificateId=cert_id, Status="Inactive")
    listed = {c["CertificateId"]: c["Status"] for c in iam.list_signing_certificates(UserName=name)["Certificates"]}
    assert listed[cert_id] == "Inactive" and len(listed) == 2
    expect_error(iam.delete_user, "DeleteConflict", status=409, UserName=name)
    for other in listed:
        iam.delete_signing_certificate(UserName=name, CertificateId=other)
    expect_error(iam.delete_signing_certificate, "NoSuchEntity", status=404, UserName=name, CertificateId=cert_id)
    assert iam.list_signing_certificates(UserName=name)["Certificates"] == []
    iam.delete_user(UserName=name)
