"""CORS as browsers meet it: preflight OPTIONS requests answered from the bucket's rules (unsigned), and the
Access-Control-* headers on the actual GET/HEAD/PUT of an object."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit


def _request(endpoint: str, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_preflight_and_actual_requests(endpoint: str, s3: Any, bucket: str) -> None:
    status, _, body = _request(
        endpoint, "OPTIONS", f"/{bucket}/k", {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    )
    assert status == 403 and b"CORS is not enabled for this bucket" in body
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": ["https://*.example"],
                    "AllowedMethods": ["GET", "PUT"],
                    "AllowedHeaders": ["content-type", "x-amz-*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                },
                {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
            ]
        },
    )
    status, headers, _ = _request(
        endpoint,
        "OPTIONS",
        f"/{bucket}/dir/k",
        {
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-Owner",
        },
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-allow-methods"] == "GET, PUT"
    assert headers["access-control-allow-headers"] == "content-type, x-amz-meta-owner"
    assert headers["access-control-expose-headers"] == "ETag"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-allow-credentials"] == "true"
    refused, _, body = _request(
        endpoint, "OPTIONS", f"/{bucket}/k", {"Origin": "https://evil.test", "Access-Control-Request-Method": "PUT"}
    )
    assert refused == 403 and b"<Code>AccessForbidden</Code>" in body
    wrong_header, _, _ = _request(
        endpoint,
        "OPTIONS",
        f"/{bucket}/k",
        {
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert wrong_header == 403
    anyone, headers, _ = _request(
        endpoint, "OPTIONS", f"/{bucket}", {"Origin": "https://other.test", "Access-Control-Request-Method": "HEAD"}
    )
    assert anyone == 200 and headers["access-control-allow-origin"] == "*"

    s3.put_object(Bucket=bucket, Key="k", Body=b"shared")
    got = s3.get_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]
    assert "access-control-allow-origin" not in got  # no Origin: no CORS headers
    status, headers, body = _request(endpoint, "GET", f"/{bucket}/k", {"Origin": "https://app.example"})
    assert (status, body) == (200, b"shared")
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-expose-headers"] == "ETag"
    status, headers, _ = _request(endpoint, "GET", f"/{bucket}/k", {"Origin": "https://evil.test"})
    assert status == 200 and "access-control-allow-origin" not in headers
