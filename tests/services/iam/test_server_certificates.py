"""Server certificates end to end (Terraform's aws_iam_server_certificate): upload with a chain, read without the
private key, list by path, rename and move, tags, delete; malformed input and a key of another pair refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ...expect import ACCOUNT, expect_error

NOT_AFTER = dt.datetime(2031, 5, 1, 12, 0, tzinfo=dt.UTC)


def _pair(common_name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(NOT_AFTER).sign(key, hashes.SHA256())
    )  # fmt: skip
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), pem


def test_server_certificate_lifecycle(iam: Any, name: str) -> None:
    body, key = _pair("www.example.com")
    chain, _ = _pair("Example CA")
    made = iam.upload_server_certificate(
        ServerCertificateName=name, Path="/cloudfront/", CertificateBody=body, PrivateKey=key,
        CertificateChain=chain, Tags=[{"Key": "a", "Value": "b"}],
    )  # fmt: skip
    meta = made["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/{name}"
    assert meta["ServerCertificateId"].startswith("ASCA") and meta["Expiration"] == NOT_AFTER
    assert made["Tags"] == [{"Key": "a", "Value": "b"}]
    expect_error(iam.upload_server_certificate, "EntityAlreadyExists", status=409, ServerCertificateName=name,
                 CertificateBody=body, PrivateKey=key)  # fmt: skip
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["ServerCertificateMetadata"] == meta and got["CertificateBody"] == body.strip()
    assert got["CertificateChain"] == chain.strip() and "PrivateKey" not in got
    listed = iam.list_server_certificates(PathPrefix="/cloudfront/")["ServerCertificateMetadataList"]
    assert meta in listed
    assert meta not in iam.list_server_certificates(PathPrefix="/elb/")["ServerCertificateMetadataList"]

    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=name + "-2", NewPath="/elb/")
    expect_error(iam.get_server_certificate, "NoSuchEntity", status=404, ServerCertificateName=name)
    moved = iam.get_server_certificate(ServerCertificateName=name + "-2")["ServerCertificate"]
    assert moved["ServerCertificateMetadata"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/elb/{name}-2"
    iam.tag_server_certificate(ServerCertificateName=name + "-2", Tags=[{"Key": "c", "Value": "d"}])
    iam.untag_server_certificate(ServerCertificateName=name + "-2", TagKeys=["a"])
    assert iam.list_server_certificate_tags(ServerCertificateName=name + "-2")["Tags"] == [{"Key": "c", "Value": "d"}]
    iam.delete_server_certificate(ServerCertificateName=name + "-2")
    expect_error(iam.delete_server_certificate, "NoSuchEntity", status=404, ServerCertificateName=name + "-2")


def test_server_certificate_input_is_checked(iam: Any, name: str) -> None:
    body, key = _pair("www.example.com")
    _, other_key = _pair("other.example.com")
    expect_error(iam.upload_server_certificate, "KeyPairMismatch", ServerCertificateName=name, CertificateBody=body,
                 PrivateKey=other_key)  # fmt: skip
    garbage = "-----BEGIN CERTIFICATE-----\nbm90\n-----END CERTIFICATE-----"
    expect_error(iam.upload_server_certificate, "MalformedCertificate", ServerCertificateName=name,
                 CertificateBody=garbage, PrivateKey=key)  # fmt: skip
    expect_error(iam.upload_server_certificate, "ValidationError", ServerCertificateName=name, Path="no-slashes",
                 CertificateBody=body, PrivateKey=key)  # fmt: skip
    expect_error(iam.get_server_certificate, "NoSuchEntity", status=404, ServerCertificateName=name)
