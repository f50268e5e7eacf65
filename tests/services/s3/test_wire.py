"""S3 on the wire: virtual-hosted addressing, aws-chunked uploads (signed chunks and trailers checked in strict
mode, unsigned payloads with trailing checksums), x-amz-content-sha256 checked against the body, presigned URLs
(expiry enforced), signatures in strict mode."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from ...conftest import StoreFactory
from ...server import Server

KEY, SECRET = "AKIAS3TEST", "s3-secret"
EMPTY = hashlib.sha256(b"").hexdigest()


@pytest.fixture(scope="module")
def strict(store: StoreFactory) -> Iterator[Server]:
    server = Server(**store(), extra_args=["--strict-auth", "--credentials", f"{KEY}:{SECRET}"]).start()
    yield server
    server.stop()


def _client(endpoint: str, secret: str = SECRET, **config: Any) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEY,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **config),
    )


def _virtual_client(endpoint: str, host: str) -> Any:
    """A client addressing buckets as <bucket>.<host>: requests go to the server's address, Host names the bucket."""
    port = urlsplit(endpoint).port
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1}),
    )

    def to_server(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.url = request.url.replace(f"{parts.scheme}://{parts.netloc}", endpoint, 1)

    client.meta.events.register("before-send.s3", to_server)
    return client


@pytest.mark.parametrize("host", ["s3.localhost", "s3.us-east-1.localhost", "s3.localhost.localstack.cloud"])
def test_virtual_hosted_addressing(endpoint: str, s3: Any, name: str, host: str) -> None:
    client = _virtual_client(endpoint, host)
    client.create_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]  # the same bucket, path-style
    for key in ["plain", "dir/x y+z", "ü/%2F"]:
        client.put_object(Bucket=name, Key=key, Body=key.encode())
        assert s3.get_object(Bucket=name, Key=key)["Body"].read() == key.encode()
        assert client.get_object(Bucket=name, Key=key)["Body"].read() == key.encode()
    assert sorted(o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"]) == ["dir/x y+z", "plain", "ü/%2F"]
    assert client.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_bucket_dot_localhost_when_signed(endpoint: str, s3: Any, bucket: str) -> None:
    """LocalStack's bucket.localhost: the bucket is the host's first label when the request is signed for S3."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"found")
    request = AWSRequest("GET", f"{endpoint}/k", headers={"Host": f"{bucket}.localhost"})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    status, _, body = _send(endpoint, request.method, "/k", b"", dict(request.headers))
    assert (status, body) == (200, b"found")


def test_a_bucket_named_like_another_services_path(s3: Any) -> None:
    """GET /restapis?list-type=2 is API Gateway's path too: signed for s3 it is S3's ListObjectsV2."""
    missing = pytest.raises(ClientError, s3.list_objects_v2, Bucket="restapis")
    assert missing.value.response["Error"]["Code"] == "NoSuchBucket"


def _send(
    endpoint: str, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class _SignsAs(S3SigV4Auth):
    """botocore's S3 signer with the x-amz-content-sha256 of an aws-chunked upload (botocore has no chunk signing)."""

    def __init__(self, credentials: Credentials, mode: str) -> None:
        super().__init__(credentials, "s3", "us-east-1")
        self._mode = mode

    def payload(self, request: Any) -> str:
        return self._mode


def _signing_key(secret: str, date: str) -> bytes:
    key = hmac.new(f"AWS4{secret}".encode(), date.encode(), hashlib.sha256).digest()
    for part in ("us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _chunked_put(
    endpoint: str,
    path: str,
    payload: bytes,
    *,
    mode: str,
    chunk: int = 64 * 1024,
    secret: str = SECRET,
    tamper: bool = False,
    trailer_value: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """A PutObject whose body is aws-chunked as the S3 API reference describes: ``mode`` is the
    x-amz-content-sha256 (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] or STREAMING-UNSIGNED-PAYLOAD-TRAILER)."""
    host = urlsplit(endpoint).netloc
    headers = {
        "Host": host,
        "X-Amz-Content-SHA256": mode,
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(payload)),
    }
    trailing = mode.endswith("TRAILER")
    crc = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
    if trailing:
        headers["X-Amz-Trailer"] = "x-amz-checksum-crc32"
    request = AWSRequest("PUT", endpoint + path, headers=headers)
    _SignsAs(Credentials(KEY, secret), mode).add_auth(request)
    signed = dict(request.headers)
    auth = signed["Authorization"]
    seed = auth.rsplit("Signature=", 1)[1]
    stamp = signed["X-Amz-Date"]
    scope = f"{stamp[:8]}/us-east-1/s3/aws4_request"
    key = _signing_key(secret, stamp[:8])
    previous = seed
    pieces = [payload[i : i + chunk] for i in range(0, len(payload), chunk)] + [b""]
    out = bytearray()
    for index, data in enumerate(pieces):
        if mode.startswith("STREAMING-AWS4"):
            to_sign = (
                f"AWS4-HMAC-SHA256-PAYLOAD\n{stamp}\n{scope}\n{previous}\n{EMPTY}\n{hashlib.sha256(data).hexdigest()}"
            )
            signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            if tamper and index == 1:
                signature = "0" * 64
            previous = signature
            out += f"{len(data):x};chunk-signature={signature}\r\n".encode()
        else:
            out += f"{len(data):x}\r\n".encode()
        if data:
            out += data + b"\r\n"
    if trailing:
        trailer = f"x-amz-checksum-crc32:{trailer_value or crc}\n"
        out += trailer.replace("\n", "\r\n").encode()
        if mode.startswith("STREAMING-AWS4"):
            digest = hashlib.sha256(trailer.encode()).hexdigest()
            to_sign = f"AWS4-HMAC-SHA256-TRAILER\n{stamp}\n{scope}\n{previous}\n{digest}"
            out += f"x-amz-trailer-signature:{hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()}\r\n".encode()
    out += b"\r\n"
    signed["Content-Length"] = str(len(out))
    return _send(endpoint, "PUT", path, bytes(out), signed)


@pytest.mark.parametrize(
    "mode",
    [
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    ],
)
@pytest.mark.parametrize("size", [100_000, 3 * 1024 * 1024 + 7])  # read whole, and streamed (past 1 MiB)
def test_aws_chunked_uploads(strict: Server, name: str, mode: str, size: int) -> None:
    client = _client(strict.endpoint)
    client.create_bucket(Bucket=name)
    payload = hashlib.sha256(name.encode()).digest() * (size // 32) + b"x" * (size % 32)
    status, headers, body = _chunked_put(strict.endpoint, f"/{name}/obj", payload, mode=mode)
    assert status == 200, body
    assert headers["etag"] == f'"{hashlib.md5(payload).hexdigest()}"'
    assert client.get_object(Bucket=name, Key="obj")["Body"].read() == payload
    if mode.endswith("TRAILER"):
        head = client.head_object(Bucket=name, Key="obj", ChecksumMode="ENABLED")
        assert head["ChecksumCRC32"] == base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
        wrong = _chunked_put(strict.endpoint, f"/{name}/bad", payload, mode=mode, trailer_value="AAAAAA==")
        assert wrong[0] == 400 and b"<Code>BadDigest</Code>" in wrong[2]


def test_chunk_signatures_are_checked(strict: Server, name: str) -> None:
    client = _client(strict.endpoint)
    client.create_bucket(Bucket=name)
    payload = b"z" * 300_000
    status, _, body = _chunked_put(
        strict.endpoint, f"/{name}/tampered", payload, mode="STREAMING-AWS4-HMAC-SHA256-PAYLOAD", tamper=True
    )
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    with pytest.raises(ClientError) as missing:
        client.head_object(Bucket=name, Key="tampered")
    assert missing.value.response["Error"]["Code"] == "404"  # nothing half-written is visible


def test_content_sha256_must_match_the_body(endpoint: str, bucket: str) -> None:
    body = b"the real body"
    request = AWSRequest(
        "PUT",
        f"{endpoint}/{bucket}/k",
        data=body,
        headers={"X-Amz-Content-SHA256": hashlib.sha256(b"other").hexdigest()},
    )
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    status, _, answer = _send(endpoint, "PUT", f"/{bucket}/k", body, dict(request.headers))
    assert status == 400 and b"<Code>XAmzContentSHA256Mismatch</Code>" in answer


def test_strict_signatures(strict: Server, name: str) -> None:
    _client(strict.endpoint).create_bucket(Bucket=name)
    with pytest.raises(ClientError) as wrong:
        _client(strict.endpoint, secret="not-it").put_object(Bucket=name, Key="k", Body=b"x")
    assert wrong.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert wrong.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # S3 shows what it computed, for the client to compare with what it signed
    shown = wrong.value.response["Error"]
    assert shown["CanonicalRequest"].startswith(f"PUT\n/{name}/k\n")
    assert shown["StringToSign"].startswith("AWS4-HMAC-SHA256\n")
    assert shown["AWSAccessKeyId"] == KEY and len(shown["SignatureProvided"]) == 64
    big = b"b" * (2 * 1024 * 1024)  # a streamed body, signed with its SHA-256 (plain HTTP: boto3 signs payloads)
    _client(strict.endpoint).put_object(Bucket=name, Key="big", Body=big)
    assert _client(strict.endpoint).get_object(Bucket=name, Key="big")["Body"].read() == big


@pytest.mark.parametrize("version", ["s3", "s3v4"])  # boto3 presigns S3 URLs with SigV2 unless told otherwise
def test_presigned_urls(strict: Server, name: str, version: str) -> None:
    client = _client(strict.endpoint, signature_version=version)
    client.create_bucket(Bucket=name)
    put_url = client.generate_presigned_url("put_object", Params={"Bucket": name, "Key": "p k"}, ExpiresIn=60)
    target = urlsplit(put_url)
    status, _, _ = _send(
        strict.endpoint,
        "PUT",
        f"{target.path}?{target.query}",
        b"presigned body",
        {"Host": target.netloc, "Content-Length": "14"},
    )
    assert status == 200
    get_url = client.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "p k"}, ExpiresIn=60)
    with urllib.request.urlopen(get_url) as response:
        assert response.read() == b"presigned body"
    with pytest.raises(urllib.error.HTTPError) as tampered:
        urllib.request.urlopen(get_url.replace("p%20k", "other"))
    assert tampered.value.code == 403
    short = client.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "p k"}, ExpiresIn=1)
    time.sleep(2.1)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(short)
    assert expired.value.code == 403
    document = expired.value.read()
    assert b"<Code>AccessDenied</Code>" in document and b"Request has expired" in document
    if version == "s3v4":  # SigV4 presigned URLs live at most a week (SigV2's name an absolute time)
        week = client.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "p k"}, ExpiresIn=604801)
        with pytest.raises(urllib.error.HTTPError) as too_long:
            urllib.request.urlopen(week)
        assert too_long.value.code == 403


def test_unsigned_is_refused_in_strict_mode(strict: Server, name: str) -> None:
    _client(strict.endpoint).create_bucket(Bucket=name)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{strict.endpoint}/{name}?list-type=2")
    assert refused.value.code == 403
    assert b"<Error><Code>AccessDenied</Code>" in refused.value.read()


def test_not_modified_has_no_body(endpoint: str, s3: Any, bucket: str) -> None:
    """A 304 carries no body (and the ETag): the connection goes on with the next request."""
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"cached")["ETag"]
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", f"/{bucket}/k", headers={"If-None-Match": etag})
        first = conn.getresponse()
        assert (first.status, first.read(), first.getheader("ETag")) == (304, b"", etag)
        conn.request("GET", f"/{bucket}/k")
        second = conn.getresponse()
        assert (second.status, second.read()) == (200, b"cached")
    finally:
        conn.close()
