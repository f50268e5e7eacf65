"""Website endpoints: a bucket's website configuration served at <bucket>.s3-website.localhost and the Region host
forms: index and error documents, /dir → /dir/, object redirects, RedirectAllRequestsTo, RoutingRules, public
content only, conditional and Range requests, and AWS's HTML error pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests


def _site(endpoint: str, host_form: str = "{bucket}.s3-website.localhost") -> Callable[..., requests.Response]:
    port = urlsplit(endpoint).port

    def get(bucket: str, path: str = "/", method: str = "GET", **headers: str) -> requests.Response:
        sent = {"Host": host_form.format(bucket=bucket) + f":{port}"}
        sent.update((name.replace("_", "-"), value) for name, value in headers.items())
        return requests.request(
            method, f"http://127.0.0.1:{port}{path}", headers=sent, allow_redirects=False, timeout=10
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


def test_conditional_and_range_requests(s3: Any, bucket: str, endpoint: str) -> None:
    """A browser's cache revalidation (304) and a player's byte ranges (206) are answered as GetObject answers them;
    a failed precondition (412) and an unsatisfiable range (416) as AWS's HTML pages; the error document whole."""
    get = _site(endpoint)
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"},
                                                               "ErrorDocument": {"Key": "error.html"}})  # fmt: skip
    _public(s3, bucket)
    body = bytes(range(256)) * 40
    s3.put_object(Bucket=bucket, Key="clip.bin", Body=body, ContentType="video/mp4")
    _html(s3, bucket, "error.html", "<p>not here</p>")
    whole = get(bucket, "/clip.bin")
    assert whole.status_code == 200 and whole.content == body and whole.headers["Accept-Ranges"] == "bytes"
    etag, modified = whole.headers["ETag"], whole.headers["Last-Modified"]

    assert get(bucket, "/clip.bin", If_None_Match=etag).status_code == 304
    fresh = get(bucket, "/clip.bin", If_Modified_Since=modified)
    assert fresh.status_code == 304 and fresh.headers["ETag"] == etag and not fresh.content
    assert get(bucket, "/clip.bin", If_None_Match='"other"').content == body
    assert get(bucket, "/clip.bin", If_Modified_Since="not a date").status_code == 200
    failed = get(bucket, "/clip.bin", If_Match='"other"')
    assert failed.status_code == 412 and "<li>Code: PreconditionFailed</li>" in failed.text
    assert "<li>Condition: If-Match</li>" in failed.text
    assert get(bucket, "/clip.bin", If_Unmodified_Since="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 412

    part = get(bucket, "/clip.bin", Range="bytes=100-299")
    assert part.status_code == 206 and part.content == body[100:300]
    assert part.headers["Content-Range"] == f"bytes 100-299/{len(body)}" and part.headers["Content-Length"] == "200"
    tail = get(bucket, "/clip.bin", Range="bytes=-10")
    assert tail.status_code == 206 and tail.content == body[-10:]
    head = get(bucket, "/clip.bin", "HEAD", Range="bytes=0-9")
    assert head.status_code == 206 and head.headers["Content-Length"] == "10" and not head.content
    beyond = get(bucket, "/clip.bin", Range=f"bytes={len(body)}-")
    assert beyond.status_code == 416 and "<li>Code: InvalidRange</li>" in beyond.text
    assert beyond.headers["Content-Range"] == f"bytes */{len(body)}"
    # the error document is the answer to a failure: served whole, with the failure's status
    missing = get(bucket, "/nope.bin", Range="bytes=0-3", If_None_Match="*")
    assert missing.status_code == 404 and missing.text == "<p>not here</p>"
