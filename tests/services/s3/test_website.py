"""Website endpoints: a bucket's website configuration served at <bucket>.s3-website.localhost and the Region host
forms: index and error documents, /dir → /dir/, object redirects, RedirectAllRequestsTo, RoutingRules, public
content only, and AWS's HTML error pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests


def _site(endpoint: str, host_form: str = "{bucket}.s3-website.localhost") -> Callable[..., requests.Response]:
    port = urlsplit(endpoint).port

    def get(bucket: str, path: str = "/", method: str = "GET") -> requests.Response:
        host = host_form.format(bucket=bucket) + f":{port}"
        return requests.request(
            method, f"http://127.0.0.1:{port}{path}", headers={"Host": host}, allow_redirects=False, timeout=10
        )

    return get


def _public(s3: Any, bucket: str) -> None:
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def _html(s3: Any, bucket: str, key: str, text: str) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=text.encode(), ContentType="text/html")


def test_index_and_error_documents(s3: Any, bucket: str, endpoint: str) -> None:
    get = _site(endpoint)
    page = get(bucket)
    assert page.status_code == 404 and "<li>Code: NoSuchWebsiteConfiguration</li>" in page.text
    s3.put_bucket_website(
        Bucket=bucket,
        WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}},
    )
    _html(s3, bucket, "index.html", "<p>home</p>")
    _html(s3, bucket, "docs/index.html", "<p>docs</p>")
    _html(s3, bucket, "docs/page.html", "<p>page</p>")
    # nothing is served until the content is public
    denied = get(bucket)
    assert denied.status_code == 403 and "<li>Code: AccessDenied</li>" in denied.text
    _public(s3, bucket)
    home = get(bucket)
    assert home.status_code == 200 and home.text == "<p>home</p>" and home.headers["Content-Type"] == "text/html"
    assert home.headers["ETag"] == s3.head_object(Bucket=bucket, Key="index.html")["ETag"]
    assert get(bucket, "/docs/").text == "<p>docs</p>"
    assert get(bucket, "/docs/page.html").text == "<p>page</p>"
    moved = get(bucket, "/docs")
    assert moved.status_code == 302 and moved.headers["Location"] == "/docs/"
    head = get(bucket, "/docs/page.html", "HEAD")
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len("<p>page</p>")) and not head.content
    # a missing key without an error document: AWS's page; with one present: it, with the 404 status
    missing = get(bucket, "/nope.html")
    assert missing.status_code == 404 and "<li>Code: NoSuchKey</li>" in missing.text
    assert "<li>Key: nope.html</li>" in missing.text and "Custom Error Document" in missing.text
    _html(s3, bucket, "error.html", "<p>not here</p>")
    custom = get(bucket, "/nope.html")
    assert custom.status_code == 404 and custom.text == "<p>not here</p>"
    assert get(bucket, "/", "POST").status_code == 405
    nobucket = get(bucket + "-none")
    assert nobucket.status_code == 404 and "<li>Code: NoSuchBucket</li>" in nobucket.text
    # the Region host forms
    for form in ("{bucket}.s3-website-us-east-1.localhost", "{bucket}.s3-website.us-east-1.localhost"):
        assert _site(endpoint, form)(bucket, "/docs/").text == "<p>docs</p>"


def test_redirects(s3: Any, bucket: str, endpoint: str, name: str) -> None:
    get = _site(endpoint)
    _public(s3, bucket)
    rules = [
        {"Condition": {"KeyPrefixEquals": "old/"}, "Redirect": {"ReplaceKeyPrefixWith": "new/"}},
        {
            "Condition": {"HttpErrorCodeReturnedEquals": "404", "KeyPrefixEquals": "gone/"},
            "Redirect": {"HostName": "example.com", "Protocol": "https", "HttpRedirectCode": "302"},
        },
        {"Condition": {"KeyPrefixEquals": "exact"}, "Redirect": {"ReplaceKeyWith": "target.html"}},
    ]
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}, "RoutingRules": rules}
    )
    port = urlsplit(endpoint).port
    moved = get(bucket, "/old/a/b.html")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"http://{bucket}.s3-website.localhost:{port}/new/a/b.html"
    assert get(bucket, "/exactly").headers["Location"].endswith("/target.html")
    gone = get(bucket, "/gone/x")
    assert gone.status_code == 302 and gone.headers["Location"] == "https://example.com/gone/x"
    _html(s3, bucket, "gone/here", "still here")
    assert get(bucket, "/gone/here").text == "still here"  # the rule applies to 404s only
    s3.put_object(Bucket=bucket, Key="moved.html", Body=b"", WebsiteRedirectLocation="/elsewhere.html")
    redirected = get(bucket, "/moved.html")
    assert redirected.status_code == 301 and redirected.headers["Location"] == "/elsewhere.html"

    other = f"{name}-all"
    s3.create_bucket(Bucket=other)
    s3.put_bucket_website(
        Bucket=other,
        WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "www.example.org", "Protocol": "https"}},
    )
    everything = get(other, "/any/path.html")
    assert everything.status_code == 301 and everything.headers["Location"] == "https://www.example.org/any/path.html"
