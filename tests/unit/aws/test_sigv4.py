"""SigV4 verification against botocore's own signer (header and presigned forms, S3 and others)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from gureum.aws.http import Request
from gureum.aws.sigv4 import SignatureProblem, read_signature, verify

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def _to_gureum(prepared: AWSRequest) -> Request:
    parts = urlsplit(prepared.url)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    return Request(prepared.method, parts.path or "/", parts.query, headers, body)


def _signed(
    service: str,
    method: str,
    url: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    query_auth: bool = False,
) -> Request:
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    if query_auth:
        signer = (S3SigV4QueryAuth if service == "s3" else SigV4QueryAuth)(CREDS, service, "eu-west-1", expires=300)
    else:
        signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(CREDS, service, "eu-west-1")
    signer.add_auth(request)
    return _to_gureum(request.prepare())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    "service, method, url, body",
    [
        ("sqs", "POST", "http://localhost:4566/", b'{"QueueName":"q"}'),
        ("sns", "POST", "http://localhost:4566/", b"Action=Publish&Message=a%20b%2Bc"),
        ("lambda", "GET", "http://localhost:4566/2015-03-31/functions/my%3Afn/configuration?Qualifier=%24LATEST", b""),
        ("s3", "PUT", "http://localhost:4566/bucket/dir/a%20b%2Bc.txt?tagging", b"data"),
        ("execute-api", "GET", "http://localhost:4566/a/./b/../c//d?x=1&x=0&y=%2F", b""),
    ],
)
def test_botocore_signatures_verify(service: str, method: str, url: str, body: bytes) -> None:
    request = _signed(service, method, url, body, {"Content-Type": "application/x-amz-json-1.0"})
    signed = read_signature(request)
    assert (signed.access_key, signed.region, signed.service) == ("AKIDEXAMPLE", "eu-west-1", service)
    verify(request, signed, CREDS.secret_key, now())
    with pytest.raises(SignatureProblem) as err:
        verify(request, signed, "wrong-secret", now())
    assert err.value.kind == "mismatch"


def test_tampered_body_or_header_fails() -> None:
    request = _signed("sqs", "POST", "http://localhost:4566/", b'{"QueueName":"q"}')
    request.body = b'{"QueueName":"evil"}'
    with pytest.raises(SignatureProblem):
        verify(request, read_signature(request), CREDS.secret_key, now())


@pytest.mark.parametrize("service", ["s3", "sqs"])
def test_presigned_urls_verify_and_expire(service: str) -> None:
    request = _signed(service, "GET", "http://localhost:4566/bucket/key?Action=ListQueues", query_auth=True)
    signed = read_signature(request)
    assert signed.presigned
    verify(request, signed, CREDS.secret_key, now())
    with pytest.raises(SignatureProblem) as err:
        verify(request, signed, CREDS.secret_key, now() + dt.timedelta(seconds=400))
    assert err.value.kind == "expired"


def test_clock_skew_and_missing_signature() -> None:
    request = _signed("sqs", "POST", "http://localhost:4566/", b"{}")
    with pytest.raises(SignatureProblem) as err:
        verify(request, read_signature(request), CREDS.secret_key, now() + dt.timedelta(minutes=20))
    assert err.value.kind == "skewed"
    with pytest.raises(SignatureProblem) as err:
        read_signature(Request("POST", "/", "", {"host": "x"}, b""))
    assert err.value.kind == "missing"
