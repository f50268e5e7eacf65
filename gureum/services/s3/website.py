"""The website endpoint: a bucket's PutBucketWebsite configuration served at ``<bucket>.s3-website.localhost:<port>``,
``<bucket>.s3-website-<region>.localhost`` and ``<bucket>.s3-website.<region>.localhost`` (an edge route, as AWS's
``s3-website`` hosts): index documents (and the redirect of ``/dir`` to ``/dir/``), the error document, the
object's WebsiteRedirectLocation, RedirectAllRequestsTo and RoutingRules, conditional and Range requests as GetObject
answers them, and AWS's HTML error pages. Only content anyone may read is served (the bucket policy must allow an
anonymous s3:GetObject), GET and HEAD only.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from email.utils import formatdate
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...aws.protocols.base import parse_timestamp
from ...ids import unique_id
from . import reads
from .backend import S3Backend
from .backend_website import publicly_readable
from .objects import Bucket, Version

if TYPE_CHECKING:
    from ...runtime import Runtime

WEBSITE_LABEL = ".s3-website"
_STATUS = {
    301: "Moved Permanently", 302: "Found", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    412: "Precondition Failed", 416: "Requested Range Not Satisfiable",
}  # fmt: skip
_DOMAINS = (".localhost", ".localhost.localstack.cloud", ".amazonaws.com")


def website_bucket(host: str) -> str | None:
    """The bucket of a website host: the labels before ``s3-website`` / ``s3-website-<region>``."""
    name = host.rpartition(":")[0] if host.count(":") == 1 else host
    name = name.lower()
    if not any(name.endswith(domain) for domain in _DOMAINS):
        return None
    labels = name.split(".")
    for i, label in enumerate(labels):
        if label == "s3-website" or label.startswith("s3-website-"):
            return ".".join(labels[:i]) or None
    return None


def accepts(request: Request) -> bool:
    return website_bucket(request.host) is not None


@dataclass(frozen=True, slots=True)
class Failure:
    """An error page: its status, S3's code and message, and the fields listed under them."""

    status: int
    code: str
    message: str
    fields: tuple[tuple[str, str], ...] = ()


def _page(failure: Failure, request_id: str, extra: str = "") -> bytes:
    title = f"{failure.status} {_STATUS.get(failure.status, 'Error')}"
    items = [("Code", failure.code), ("Message", failure.message), *failure.fields]
    items += [("RequestId", request_id), ("HostId", base64.b64encode(request_id.encode()).decode())]
    listed = "\n".join(f"<li>{name}: {escape(value)}</li>" for name, value in items)
    return (
        f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n{listed}\n</ul>\n"
        f"{extra}<hr/>\n</body>\n</html>\n"
    ).encode()


def _custom_error_failed(key: str) -> str:
    """The section AWS adds when the error document itself cannot be read."""
    return (
        "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n"
        "<li>Code: NoSuchKey</li>\n<li>Message: The specified key does not exist.</li>\n"
        f"<li>Key: {escape(key)}</li>\n</ul>\n"
    )


def _date(header: str | None) -> dt.datetime | None:
    """An If-(Un)Modified-Since date, read as the engine reads GetObject's; None when absent or not a date (S3
    ignores such a condition)."""
    if header is None:
        return None
    try:
        return parse_timestamp(header)
    except ServiceError:
        return None


def _headers(request_id: str) -> list[tuple[str, str]]:
    return [("x-amz-request-id", request_id), ("x-amz-id-2", base64.b64encode(request_id.encode()).decode())]


def _redirect(location: str, status: int, request_id: str) -> Response:
    return Response(status, [*_headers(request_id), ("Location", location), ("Content-Length", "0")], b"")


def _object_headers(version: Version) -> list[tuple[str, str]]:
    attrs = version.attributes
    headers = [
        ("Content-Type", attrs.get("ContentType") or "binary/octet-stream"),
        ("ETag", version.etag),
        ("Last-Modified", formatdate(int(version.modified), usegmt=True)),
    ]
    for member, header in (
        ("ContentEncoding", "Content-Encoding"),
        ("ContentLanguage", "Content-Language"),
        ("ContentDisposition", "Content-Disposition"),
        ("CacheControl", "Cache-Control"),
        ("ExpiresString", "Expires"),
    ):
        if attrs.get(member):
            headers.append((header, str(attrs[member])))
    for name, value in (attrs.get("Metadata") or {}).items():
        headers.append((f"x-amz-meta-{name}", value))
    return headers


def _rule_redirect(rule: dict[str, Any], key: str, request: Request, request_id: str) -> Response:
    """The redirect a routing rule (or RedirectAllRequestsTo) makes of a request for ``key``."""
    redirect = rule.get("Redirect") or {}
    condition = rule.get("Condition") or {}
    if redirect.get("ReplaceKeyWith") is not None:
        key = redirect["ReplaceKeyWith"]
    elif redirect.get("ReplaceKeyPrefixWith") is not None:
        prefix = condition.get("KeyPrefixEquals") or ""
        key = redirect["ReplaceKeyPrefixWith"] + key[len(prefix) :]
    protocol = redirect.get("Protocol") or request.scheme
    host = redirect.get("HostName") or request.host
    status = int(redirect.get("HttpRedirectCode") or 301)
    return _redirect(f"{protocol}://{host}/{quote(key, safe='/~')}", status, request_id)


def _matching_rule(config: dict[str, Any], key: str, error: int | None) -> dict[str, Any] | None:
    """The first routing rule for ``key``: before the lookup (``error`` None) the rules without an error code;
    after a failure the rules naming its status."""
    for rule in config.get("RoutingRules") or []:
        condition = rule.get("Condition") or {}
        wanted = condition.get("HttpErrorCodeReturnedEquals")
        if (wanted is None) != (error is None) or (wanted is not None and str(wanted) != str(error)):
            continue
        if key.startswith(condition.get("KeyPrefixEquals") or ""):
            return dict(rule)
    return None


class Website:
    """One request to a website endpoint."""

    def __init__(self, backend: S3Backend, request: Request, bucket_name: str) -> None:
        self.backend = backend
        self.request = request
        self.bucket_name = bucket_name
        self.request_id = unique_id()
        self.head = request.method == "HEAD"

    def _error(self, failure: Failure, extra: str = "") -> Response:
        body = _page(failure, self.request_id, extra)
        headers = [*_headers(self.request_id), ("Content-Type", "text/html; charset=utf-8")]
        if self.head:
            return Response(failure.status, [*headers, ("Content-Length", str(len(body)))], b"")
        return Response(failure.status, headers, body)

    async def _serve(self, version: Version, status: int = 200) -> Response:
        """The object's answer: for a document found (200), the request's conditions (304 / 412) and Range (206 /
        416) as GetObject answers them; an error document is served whole."""
        headers = [*_headers(self.request_id), *_object_headers(version)]
        span = None
        if status == 200:
            get = self.request.headers.get
            try:
                reads.check_conditions(version.etag, version.modified, get("if-match"), get("if-none-match"),
                                       _date(get("if-modified-since")), _date(get("if-unmodified-since")))  # fmt: skip
                span = reads.parse_range(get("range"), version.size)
            except ServiceError as error:
                if error.status == 304:
                    return Response(304, [*_headers(self.request_id), *error.headers.items()], b"")
                fields = tuple((name, str(value)) for name, value in error.fields.items())
                answer = self._error(Failure(error.status, error.code, error.message, fields))
                answer.headers.extend(error.headers.items())
                return answer
            headers.append(("Accept-Ranges", "bytes"))
        start, end = (span.start, span.end) if span is not None else (0, version.size)
        if span is not None:
            status = 206
            headers.append(("Content-Range", span.content_range(version.size)))
        if self.head:
            return Response(status, [*headers, ("Content-Length", str(end - start))], b"")
        return Response(status, headers, b"", await self.backend.website_body(version, start, end))

    async def answer(self) -> Response:
        if self.request.method not in ("GET", "HEAD"):
            method = self.request.method
            return self._error(
                Failure(
                    405,
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                    (("Method", method), ("ResourceType", "OBJECT")),
                )  # fmt: skip
            )
        bucket = await self.backend.website_bucket(self.bucket_name)
        if bucket is None:
            failure = Failure(
                404, "NoSuchBucket", "The specified bucket does not exist", (("BucketName", self.bucket_name),)
            )
            return self._error(failure)
        config = bucket.config.get("website")
        if not config:
            return self._error(
                Failure(
                    404,
                    "NoSuchWebsiteConfiguration",
                    "The specified bucket does not have a website configuration",
                    (("BucketName", bucket.name),),
                )
            )
        key = self.request.path.lstrip("/")
        everything = config.get("RedirectAllRequestsTo")
        if everything:
            redirect = {"HostName": everything.get("HostName"), "Protocol": everything.get("Protocol")}
            return _rule_redirect({"Redirect": redirect}, key, self.request, self.request_id)
        rule = _matching_rule(config, key, None)
        if rule is not None:
            return _rule_redirect(rule, key, self.request, self.request_id)
        return await self._object(bucket, config, key)

    async def _object(self, bucket: Bucket, config: dict[str, Any], key: str) -> Response:
        suffix = (config.get("IndexDocument") or {}).get("Suffix") or ""
        wanted = key + suffix if (not key or key.endswith("/")) and suffix else key
        if not publicly_readable(bucket, wanted):
            return await self._failed(bucket, config, key, Failure(403, "AccessDenied", "Access Denied"))
        found = await self.backend.website_object(bucket, wanted)
        if found is None and wanted == key and suffix:
            # "/dir" with "dir/index.html" present: AWS redirects to "/dir/"
            index = f"{key}/{suffix}"
            if publicly_readable(bucket, index) and await self.backend.website_object(bucket, index):
                return _redirect(f"/{quote(key, safe='/~')}/", 302, self.request_id)
        if found is None:
            failure = Failure(404, "NoSuchKey", "The specified key does not exist.", (("Key", wanted),))
            return await self._failed(bucket, config, key, failure)
        location = found.attributes.get("WebsiteRedirectLocation")
        if location:
            return _redirect(location, 301, self.request_id)
        return await self._serve(found)

    async def _failed(self, bucket: Bucket, config: dict[str, Any], key: str, failure: Failure) -> Response:
        """A 4xx: a routing rule for the status, else the error document with that status, else AWS's page."""
        rule = _matching_rule(config, key, failure.status)
        if rule is not None:
            return _rule_redirect(rule, key, self.request, self.request_id)
        document = (config.get("ErrorDocument") or {}).get("Key")
        if not document:
            return self._error(failure)
        found = await self.backend.website_object(bucket, document) if publicly_readable(bucket, document) else None
        if found is None:
            return self._error(failure, _custom_error_failed(document))
        return await self._serve(found, failure.status)


async def handle(runtime: Runtime, request: Request) -> Response:
    """The edge route of ``*.s3-website*`` hosts."""
    bucket = website_bucket(request.host)
    assert bucket is not None  # accepts() let only website hosts through
    return await Website(runtime.state(S3Backend), request, bucket).answer()
