"""Signature Version 4 verification (strict mode): rebuild the canonical request, sign, compare.

Covers the Authorization header and presigned (query-string) requests, with S3's un-normalised paths
and x-amz-content-sha256 payload hashes, and the credential scope: signed for the operation's service (its
signing name) and for a valid Region (the one a service-named host names, when it names one).  Pure functions;
the caller supplies the secret for the key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus

from .http import Request

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED = "UNSIGNED-PAYLOAD"
# x-amz-content-sha256 values of S3's aws-chunked uploads: chunks signed (with or without signed trailing
# headers), or unsigned with trailing checksums
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
MAX_PRESIGNED_EXPIRES = 604_800  # seconds: a presigned URL lives at most 7 days
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW = dt.timedelta(minutes=15)
_HEADER = re.compile(r"(\w+)=([^,\s]+)")
# how AWS Region names are built: us-east-1, us-gov-west-1, cn-north-1, ap-southeast-5, eusc-de-east-1
_REGION = re.compile(r"[a-z]{2,5}(?:-[a-z]+)+-\d{1,2}")


@dataclass(slots=True, frozen=True)
class Signed:
    """The parts of a signed request."""

    access_key: str
    date: str  # yyyymmdd
    region: str
    service: str
    signed_headers: list[str]
    signature: str
    timestamp: str  # yyyymmddThhmmssZ
    presigned: bool
    expires: int | None = None


class SignatureProblem(Exception):
    """kind: "missing" (no or incomplete signature), "unknown" (a key without a known secret), "mismatch",
    "expired" or "skewed"."""

    def __init__(self, kind: str, detail: str = "", fields: dict[str, object] | None = None) -> None:
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail
        self.fields = fields or {}  # what S3 states of a mismatch (CanonicalRequest, StringToSign, …)


def read_signature(request: Request) -> Signed:
    header = request.headers.get("authorization", "")
    if header.startswith(ALGORITHM):
        fields = dict(_HEADER.findall(header[len(ALGORITHM) :]))
        try:
            key, date, region, service, _terminal = fields["Credential"].split("/")
            signed = fields["SignedHeaders"].split(";")
            signature = fields["Signature"]
        except (KeyError, ValueError):
            raise SignatureProblem(
                "missing", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
            ) from None
        timestamp = request.headers.get("x-amz-date") or _from_http_date(request.headers.get("date", ""))
        return Signed(key, date, region, service, signed, signature, timestamp, False)
    query = request.query
    if query.get("X-Amz-Algorithm") == ALGORITHM:
        try:
            key, date, region, service, _terminal = query["X-Amz-Credential"].split("/")
            return Signed(
                key,
                date,
                region,
                service,
                query["X-Amz-SignedHeaders"].split(";"),
                query["X-Amz-Signature"],
                query["X-Amz-Date"],
                True,
                int(query.get("X-Amz-Expires", "604800")),
            )
        except (KeyError, ValueError):
            raise SignatureProblem("missing", "Presigned request is missing required parameters.") from None
    raise SignatureProblem("missing")


def _from_http_date(text: str) -> str:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        return ""


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    for part in path.split("/"):
        if part and part != ".":
            if part == "..":
                if out:
                    out.pop()
            else:
                out.append(part)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and out else ""
    return first + "/".join(out) + last


def canonical_path(raw_path: str, service: str) -> str:
    if service == "s3":  # S3 signs the path as sent: no normalisation, no second encoding
        return raw_path or "/"
    return quote(_remove_dot_segments(raw_path) or "/", safe="/~")


def canonical_query(query_string: str, presigned: bool) -> str:
    pairs = []
    for item in filter(None, query_string.split("&")):
        key, _, value = item.partition("=")
        key, value = unquote_plus(key), unquote_plus(value)
        if presigned and key == "X-Amz-Signature":
            continue
        pairs.append((quote(key, safe="-_.~"), quote(value, safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(request: Request, signed: Signed) -> str:
    headers = "".join(f"{name}:{' '.join(request.headers.get(name, '').split())}\n" for name in signed.signed_headers)
    # presigned S3 URLs sign no payload; everything else signs the body's hash unless a header names it
    payload = request.headers.get("x-amz-content-sha256") or (
        UNSIGNED if signed.presigned and signed.service == "s3" else hashlib.sha256(request.body).hexdigest()
    )
    return "\n".join(
        [
            request.method,
            canonical_path(request.raw_path, signed.service),
            canonical_query(request.query_string, signed.presigned),
            headers,
            ";".join(signed.signed_headers),
            payload,
        ]
    )


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(f"AWS4{secret}".encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def expected_signature(request: Request, signed: Signed, secret: str) -> str:
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    digest = hashlib.sha256(canonical_request(request, signed).encode()).hexdigest()
    to_sign = f"{ALGORITHM}\n{signed.timestamp}\n{scope}\n{digest}"
    return hmac.new(
        signing_key(secret, signed.date, signed.region, signed.service), to_sign.encode(), hashlib.sha256
    ).hexdigest()


def verify(request: Request, signed: Signed, secret: str, now: dt.datetime) -> None:
    """Raise SignatureProblem unless the request carries a valid, current signature made with ``secret``."""
    try:
        when = dt.datetime.strptime(signed.timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        raise SignatureProblem("missing", "Authorization requires a valid X-Amz-Date or Date header.") from None
    if signed.presigned:
        if signed.expires is not None and not 1 <= signed.expires <= MAX_PRESIGNED_EXPIRES:
            raise SignatureProblem("mismatch", "X-Amz-Expires must be less than a week (in seconds) that is 604800")
        if signed.expires is not None and now > when + dt.timedelta(seconds=signed.expires):
            raise SignatureProblem(
                "expired",
                f"Request has expired. Expired at {(when + dt.timedelta(seconds=signed.expires)).isoformat()}.",
            )
    elif abs(now - when) > MAX_SKEW:
        raise SignatureProblem(
            "skewed",
            f"Signature expired: {signed.timestamp} is now earlier than {(now - MAX_SKEW).strftime('%Y%m%dT%H%M%SZ')}.",
        )
    if not hmac.compare_digest(expected_signature(request, signed, secret), signed.signature):
        raise SignatureProblem("mismatch", fields=mismatch_fields(request, signed))


def mismatch_fields(request: Request, signed: Signed) -> dict[str, object]:
    """What S3's SignatureDoesNotMatch shows the client, to compare with what it signed: the canonical request
    and string to sign gureum computed, the signature provided and the key."""
    canonical = canonical_request(request, signed)
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    to_sign = f"{ALGORITHM}\n{signed.timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return {
        "AWSAccessKeyId": signed.access_key,
        "StringToSign": to_sign,
        "SignatureProvided": signed.signature,
        "StringToSignBytes": " ".join(f"{b:02x}" for b in to_sign.encode()),
        "CanonicalRequest": canonical,
        "CanonicalRequestBytes": " ".join(f"{b:02x}" for b in canonical.encode()),
    }


class ChunkSigner:
    """The signatures of an aws-chunked body's chunks and trailer, each chained to the one before, starting from
    the request's own (the seed). S3 API reference: "Signature calculations … transferring payload in multiple
    chunks"."""

    def __init__(self, key: bytes, timestamp: str, scope: str, seed: str) -> None:
        self._key = key
        self._timestamp = timestamp
        self._scope = scope
        self.previous = seed

    def _sign(self, kind: str, tail: str) -> str:
        to_sign = f"{kind}\n{self._timestamp}\n{self._scope}\n{self.previous}\n{tail}"
        self.previous = hmac.new(self._key, to_sign.encode(), hashlib.sha256).hexdigest()
        return self.previous

    def chunk(self, data_sha256: str) -> str:
        """The signature the chunk whose data hashes to ``data_sha256`` (hex) must carry."""
        return self._sign("AWS4-HMAC-SHA256-PAYLOAD", f"{_EMPTY_SHA256}\n{data_sha256}")

    def trailer(self, canonical_trailers: bytes) -> str:
        """The x-amz-trailer-signature of the trailing headers (``name:value\n`` each)."""
        return self._sign("AWS4-HMAC-SHA256-TRAILER", hashlib.sha256(canonical_trailers).hexdigest())


def chunk_signer(request: Request, secret_for: Callable[[str], str | None]) -> ChunkSigner | None:
    """The chunk signer of a request whose x-amz-content-sha256 says its chunks are signed (None otherwise, or
    when its key is unknown: authentication already refused those in strict mode)."""
    if request.headers.get("x-amz-content-sha256") not in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER):
        return None
    try:
        signed = read_signature(request)
    except SignatureProblem:
        return None
    secret = secret_for(signed.access_key)
    if secret is None:
        return None
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    key = signing_key(secret, signed.date, signed.region, signed.service)
    return ChunkSigner(key, signed.timestamp, scope, signed.signature)


def host_region(host: str, endpoint_prefix: str) -> str | None:
    """The Region a service-named host names (sqs.eu-west-1.localhost:4566 → eu-west-1), if it names one."""
    labels = host.partition(":")[0].lower().split(".")
    if len(labels) >= 3 and labels[0] == endpoint_prefix and _REGION.fullmatch(labels[1]):
        return labels[1]
    return None


def scope_problem(signed: Signed, service: str, region: str | None) -> str | None:
    """AWS's message when the credential scope is not for ``service`` (the operation's signing name) or names no
    valid Region (``region``: the one the endpoint names, if any); None when the scope fits."""
    if signed.service != service:
        return f"Credential should be scoped to correct service: '{service}'. "
    if not _REGION.fullmatch(signed.region) or (region is not None and signed.region != region):
        return f"Credential should be scoped to a valid region, not '{signed.region}'. "
    return None


# the query parameters an S3 SigV2 signature covers (botocore's HmacV1Auth.QSAOfInterest)
_V2_SUBRESOURCES = frozenset(
    "accelerate acl cors defaultObjectAcl location logging partNumber policy requestPayment torrent versioning "
    "versionId versions website uploads uploadId response-content-type response-content-language response-expires "
    "response-cache-control response-content-disposition response-content-encoding delete lifecycle tagging restore "
    "storageClass notification replication analytics metrics inventory select select-type object-lock".split()
)


def is_s3_v2(request: Request) -> bool:
    """An S3 request signed with Signature Version 2: ``Authorization: AWS key:sig``, or a presigned URL with
    AWSAccessKeyId/Signature/Expires (what boto3's generate_presigned_url makes for S3 by default)."""
    return request.headers.get("authorization", "").startswith("AWS ") or (
        "AWSAccessKeyId=" in request.query_string and "Signature=" in request.query_string
    )


def _v2_resource(request: Request, bucket: str | None) -> str:
    path = request.raw_path or "/"
    if bucket is not None:
        path = f"/{bucket}{path}"
    elif path.count("/") == 1 and path != "/":
        path += "/"  # a bucket's own resource is "/bucket/" (the S3 guide's "Constructing the CanonicalizedResource")
    pairs = []
    for item in filter(None, request.query_string.split("&")):
        key, eq, value = item.partition("=")
        if key in _V2_SUBRESOURCES:
            pairs.append((key, f"{key}={unquote(value)}" if eq else key))
    if pairs:
        path += "?" + "&".join(text for _, text in sorted(pairs))
    return path


def authenticate_s3_v2(
    request: Request, secret_for: Callable[[str], str | None], now: dt.datetime, bucket: str | None
) -> str:
    """Check an S3 SigV2 request (``bucket``: the one a virtual-hosted Host names); the access key."""
    header = request.headers.get("authorization", "")
    headers = request.headers
    if header.startswith("AWS "):
        key, _, signature = header[4:].partition(":")
        when_text = headers.get("x-amz-date") or headers.get("date", "")
        stamp = _from_http_date(when_text)
        if not stamp:
            raise SignatureProblem("missing", "AWS authentication requires a valid Date or x-amz-date header")
        when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if abs(now - when) > MAX_SKEW:
            raise SignatureProblem(
                "skewed", "The difference between the request time and the current time is too large."
            )
        date_line = "" if "x-amz-date" in headers else headers.get("date", "")
    else:
        query = request.query
        key, signature, expires = query.get("AWSAccessKeyId", ""), query.get("Signature", ""), query.get("Expires", "")
        if not expires.isdigit():
            raise SignatureProblem(
                "missing", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
            )
        if now.timestamp() > int(expires):
            expired_at = dt.datetime.fromtimestamp(int(expires), dt.UTC).isoformat()
            raise SignatureProblem("expired", f"Request has expired. Expired at {expired_at}.")
        date_line = expires
    secret = secret_for(key)
    if secret is None:
        raise SignatureProblem("unknown")
    amz = {}
    for name, value in headers.items():
        if name.startswith("x-amz-"):
            amz[name] = ",".join(part.strip() for part in value.split(","))
    lines = [request.method, headers.get("content-md5", ""), headers.get("content-type", ""), date_line]
    lines += [f"{name}:{amz[name]}" for name in sorted(amz)]
    to_sign = "\n".join(lines) + "\n" + _v2_resource(request, bucket)
    expected = base64.b64encode(hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(expected, signature):
        raise SignatureProblem("mismatch")
    return key


def authenticate(
    request: Request,
    secret_for: Callable[[str], str | None],
    now: dt.datetime,
    *,
    service: str | None = None,
    region: str | None = None,
) -> Signed:
    """The one SigV4 check: read the signature, check its scope (when ``service`` is given: the signing name the
    operation needs; ``region``: the Region its endpoint names), find the key's secret, verify. Raises
    SignatureProblem whose kind says what failed; each caller turns that into its own protocol's answer."""
    if service == "s3" and is_s3_v2(request):
        from .routing import s3_bucket_from_host  # noqa: PLC0415  (routing loads the models; only S3 needs it)

        key = authenticate_s3_v2(request, secret_for, now, s3_bucket_from_host(request.host, True))
        return Signed(key, "", region or "us-east-1", "s3", [], "", "", "AWSAccessKeyId=" in request.query_string)
    signed = read_signature(request)
    if service is not None:
        problem = scope_problem(signed, service, region)
        if problem is not None:
            raise SignatureProblem("mismatch", problem)
    secret = secret_for(signed.access_key)
    if secret is None:
        raise SignatureProblem("unknown")
    verify(request, signed, secret, now)
    return signed
