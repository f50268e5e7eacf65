"""POST Object: the browser-based upload of an HTML form (``multipart/form-data`` POSTed to the bucket, path-style
or virtual-hosted), as boto3's ``generate_presigned_post`` and the JS SDK's ``createPresignedPost`` prepare it.

An edge route (the model has no such operation): the form's fields are read first, the policy document checked
(``expiration``; every field named by a condition — ``eq``, ``starts-with``, the ``{"field": value}`` form —
except ``policy``, the signature, ``file`` and ``x-ignore-*``; ``content-length-range`` checked on the bytes as
they are written), the signature verified in strict mode (SigV4 ``x-amz-signature`` or SigV2 ``signature`` over
the base64 policy), then the file streams into the object as PutObject's would, ``${filename}`` in the key
replaced, with an ``s3:ObjectCreated:Post`` notification. A form without a policy is anonymous: the bucket policy
must allow it ``s3:PutObject``. Answers: 204 (or ``success_action_status`` 200 / 201 with S3's PostResponse
document), or a 303 to ``success_action_redirect``; errors as S3's ``<Error>`` document.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlencode

from ...aws.auth import Caller as Signer
from ...aws.auth import account_for_key, is_issued
from ...aws.authorize import authorizer
from ...aws.dispatch import new_request_id
from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...aws.protocols.base import xml_escape
from ...aws.protocols.rest import write_bindings
from ...aws.protocols.rest_xml import RestXmlProtocol
from ...aws.protocols.xml import parse_document, read_members
from ...aws.routing import s3_bucket_from_host
from ...aws.sigv4 import signing_key
from ...aws.specs import load_spec
from ...policy import Caller as PolicyCaller
from ...policy import Principal, call_context
from ...policy.actions import required
from .access import Caller, Check, object_arn
from .backend import S3Backend
from .errors import AccessControlListNotSupported, AccessDenied, InvalidArgument, MalformedXML, SignatureDoesNotMatch
from .formdata import FormReader, boundary_of, malformed
from .notifications import Requester
from .transfer import Incoming
from .writes import write_spec

if TYPE_CHECKING:
    from ...runtime import Runtime

_PROTOCOL = RestXmlProtocol()
# fields the policy need not name (S3's "Creating a POST policy": all but these must match a condition)
_UNCHECKED = frozenset({"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"})
_CONTENT = {
    "content-type": "ContentType",
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "x-amz-storage-class": "StorageClass",
    "x-amz-server-side-encryption": "ServerSideEncryption",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
}
_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)


def _path_style_host(host: str) -> bool:
    """A host path-style requests come to: an address, a one-label name (``localhost``, a compose service's name)
    or S3's own (``s3.localhost``, ``s3.<region>.amazonaws.com``) — not another service's edge host (a function
    URL, an execute-api or custom domain name), whose forms are theirs."""
    name = host.rpartition(":")[0] if host.count(":") == 1 else host
    name = name.lower().strip("[]")
    return (
        "." not in name
        or ":" in name
        or name.replace(".", "").isdigit()
        or name.split(".")[0] in ("s3", "s3-external-1")
    )


def accepts(request: Request) -> bool:
    """A POST of a form to a bucket: ``/bucket`` path-style, or ``/`` on a virtual-hosted bucket's host."""
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return False
    path = request.path.rstrip("/")
    if path == "":
        return s3_bucket_from_host(request.host, True) is not None
    return path.count("/") == 1 and _path_style_host(request.host)


def _policy_denied(detail: str) -> ServiceError:
    return AccessDenied(f"Invalid according to Policy: {detail}")


def _invalid_policy(detail: str) -> ServiceError:
    return ServiceError(f"Invalid Policy: {detail}", code="InvalidPolicyDocument")


def _condition_text(condition: Any) -> str:
    return json.dumps(condition, separators=(", ", ": "))


def check_policy(policy_b64: str, fields: dict[str, str], bucket: str, now: float) -> tuple[int, int] | None:
    """Check a POST policy against the form's fields (lower-case names); the content-length-range it sets."""
    try:
        policy = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError):
        raise _invalid_policy("Invalid JSON.") from None
    if not isinstance(policy, dict):
        raise _invalid_policy("Invalid JSON.")
    expiration = policy.get("expiration")
    if not isinstance(expiration, str):
        raise _invalid_policy("Policy missing expiration.")
    try:
        expires = dt.datetime.fromisoformat(expiration.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid_policy(f"Invalid 'expiration' value: '{expiration}'") from None
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    if expires.timestamp() < now:
        raise _policy_denied("Policy expired.")
    conditions = policy.get("conditions")
    if not isinstance(conditions, list):
        raise _invalid_policy("Policy missing conditions.")
    values = {**fields, "bucket": bucket}
    named: set[str] = set()
    size_range: tuple[int, int] | None = None
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            name, expected = next(iter(condition.items()))
            op, name = "eq", str(name).lower()
        elif isinstance(condition, list) and len(condition) == 3 and isinstance(condition[0], str):
            op = condition[0].lower()
            if op == "content-length-range":
                try:
                    size_range = (int(condition[1]), int(condition[2]))
                except (TypeError, ValueError):
                    raise _invalid_policy(f"Invalid content-length-range: {_condition_text(condition)}") from None
                continue
            if op not in ("eq", "starts-with") or not isinstance(condition[1], str):
                raise _invalid_policy(f"Invalid Condition: {_condition_text(condition)}")
            name, expected = condition[1].removeprefix("$").lower(), condition[2]
        else:
            raise _invalid_policy(f"Invalid Condition: {_condition_text(condition)}")
        named.add(name)
        value = values.get(name)
        expected = str(expected)
        if value is None or not (value == expected if op == "eq" else value.startswith(expected)):
            raise _policy_denied(f"Policy Condition failed: {_condition_text(condition)}")
    extra = [
        name for name in fields if name not in named and name not in _UNCHECKED and not name.startswith("x-ignore-")
    ]
    if extra:
        raise _policy_denied(f"Extra input fields: {', '.join(extra)}")
    return size_range


def _verify_signature(runtime: Runtime, fields: dict[str, str], access_key: str, scope: list[str] | None) -> None:
    """Strict mode: the signature over the base64 policy, with the key's secret (SigV4 or SigV2)."""
    secret = runtime.secret_for(access_key)
    if secret is None:
        raise ServiceError(
            "The AWS Access Key Id you provided does not exist in our records.",
            code="InvalidAccessKeyId",
            status=403,
            fields={"AWSAccessKeyId": access_key},
        )
    policy = fields.get("policy", "").encode()
    if scope is not None:
        key = signing_key(secret, scope[1], scope[2], scope[3])
        expected = hmac.new(key, policy, hashlib.sha256).hexdigest()
        given = fields.get("x-amz-signature", "")
    else:
        expected = base64.b64encode(hmac.new(secret.encode(), policy, hashlib.sha1).digest()).decode()
        given = fields.get("signature", "")
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureDoesNotMatch(_SIGNATURE_MISMATCH, fields={"AWSAccessKeyId": access_key})


async def _caller(runtime: Runtime, request: Request, fields: dict[str, str], bucket: str, key: str) -> Caller:
    """Who uploads: the account of the key that signed the policy, or anyone (no policy: anonymous)."""
    scope: list[str] | None = None
    if "x-amz-signature" in fields:
        if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
            raise InvalidArgument(
                "Only AWS4-HMAC-SHA256 is supported for x-amz-algorithm.",
                fields={"ArgumentName": "x-amz-algorithm", "ArgumentValue": fields.get("x-amz-algorithm", "")},
            )
        scope = unquote(fields.get("x-amz-credential", "")).split("/")
        if len(scope) != 5 or scope[3] != "s3" or scope[4] != "aws4_request":
            raise InvalidArgument(
                "Invalid credential: must be <key>/<date>/<region>/s3/aws4_request.",
                fields={"ArgumentName": "x-amz-credential", "ArgumentValue": fields.get("x-amz-credential", "")},
            )
        access_key = scope[0]
    else:
        access_key = fields.get("awsaccesskeyid", "")
    now = runtime.clock.now()
    checks = (Check(bucket, "s3:PutObject", object_arn(bucket, key)),)
    extra = {"s3:authType": "POST", "s3:signatureversion": "AWS4-HMAC-SHA256" if scope else "AWS"}
    if not access_key or "policy" not in fields:
        if access_key or "policy" in fields or "signature" in fields or "x-amz-signature" in fields:
            raise InvalidArgument(
                "Bucket POST must contain a field named 'policy' and a signature with the access key id.",
                fields={"ArgumentName": "policy", "ArgumentValue": ""},
            )
        anonymous = PolicyCaller("", "", request.peer, request.scheme == "https")
        return Caller.make("", Principal(), lambda: call_context(anonymous, "", now, extra), lambda: checks)
    if runtime.config.strict_auth:
        _verify_signature(runtime, fields, access_key, scope)
    account = account_for_key(access_key)
    if runtime.config.enforce_iam or runtime.config.learn_iam:  # the signer's identity policies, as for PutObject
        region = scope[2] if scope is not None else "us-east-1"
        params = {"Bucket": bucket, "Key": key}
        requirement = required("s3", "PutObject", params, region, account, method="PUT", path=f"/{bucket}/{key}")
        if requirement is not None and not requirement.skip:
            signer = Signer(access_key, account, region, "s3")
            await authorizer(runtime).authorise(
                request, "rest-xml", signer, requirement, params, "s3 PostObject",
                session_token=fields.get("x-amz-security-token", ""),
            )  # fmt: skip
    arn = f"arn:aws:iam::{account}:root"
    if is_issued(access_key):
        arn = await runtime.principal_arn(account, access_key)
    who = PolicyCaller(account, access_key, request.peer, request.scheme == "https")
    return Caller.make(account, Principal(account, arn), lambda: call_context(who, arn, now, extra), lambda: checks)


def _attributes(fields: dict[str, str]) -> dict[str, Any]:
    """The PutObject members the form's fields set (content headers, metadata, storage class, tagging)."""
    req: dict[str, Any] = {}
    for name, member in _CONTENT.items():
        if name in fields:
            req[member] = fields[name]
    if "expires" in fields:
        try:
            req["Expires"] = parsedate_to_datetime(fields["expires"])
        except (TypeError, ValueError):
            raise InvalidArgument(
                "Invalid date given for Expires", fields={"ArgumentName": "Expires", "ArgumentValue": fields["expires"]}
            ) from None
    metadata = {name[len("x-amz-meta-") :]: value for name, value in fields.items() if name.startswith("x-amz-meta-")}
    if metadata:
        req["Metadata"] = metadata
    if "tagging" in fields:
        shape = load_spec("s3").model.shape_for("Tagging")
        try:
            tagging = read_members(shape, parse_document(fields["tagging"].encode()), "Tagging")
        except ServiceError:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            ) from None
        req["Tagging"] = urlencode([(tag.get("Key", ""), tag.get("Value", "")) for tag in tagging.get("TagSet") or []])
    acl = fields.get("acl")
    if acl is not None and acl not in ("private", "bucket-owner-full-control"):
        raise AccessControlListNotSupported("The bucket does not allow ACLs")
    return req


def _location(request: Request, bucket: str, key: str, virtual: bool) -> str:
    path = f"/{quote(key)}" if virtual else f"/{bucket}/{quote(key)}"
    return f"{request.scheme}://{request.host}{path}"


async def _upload(runtime: Runtime, request: Request, request_id: str) -> Response:
    virtual = s3_bucket_from_host(request.host, True)
    bucket = virtual or request.path.strip("/")
    boundary = boundary_of(request.headers.get("content-type", ""))
    if boundary is None:
        raise malformed("The body of your POST request is not well-formed multipart/form-data.")
    source = request.stream if request.stream is not None else _whole(request.body)
    reader = FormReader(source, boundary)
    form = await reader.read_fields()
    fields: dict[str, str] = {}
    for name, value in form.fields:
        fields.setdefault(name.lower(), value)
    if "key" not in fields:
        raise InvalidArgument(
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            fields={"ArgumentName": "key", "ArgumentValue": ""},
        )
    if not form.has_file:
        raise InvalidArgument(
            "POST requires exactly one file upload per request.",
            fields={"ArgumentName": "file", "ArgumentValue": "0"},
        )
    key = fields["key"].replace("${filename}", form.filename)
    be = runtime.state(S3Backend)
    caller = await _caller(runtime, request, fields, bucket, key)  # the signature first, then what it signs
    size_range = None
    if "policy" in fields:
        size_range = check_policy(fields["policy"], fields, bucket, runtime.clock.now())
    spec = write_spec(_attributes(fields))
    info = Incoming(content_md5=fields.get("content-md5"), size_range=size_range)
    who = Requester(
        caller.account,
        f"AWS:{fields.get('awsaccesskeyid') or (fields.get('x-amz-credential') or '').split('/')[0] or 'anonymous'}",
        request.peer,
        request_id,
        base64.b64encode(request_id.encode()).decode(),
    )
    out = await be.put_object(
        caller, bucket, key, _FileBody(reader), info, spec, who, request.headers.get("origin"), post=True
    )
    if request.stream is not None and not request.stream.complete:
        request.stream.discard()  # what follows the file (the closing delimiter, fields S3 ignores)
    headers = _PROTOCOL.request_id_headers(request_id)
    write_bindings(load_spec("s3").model.operation_model("PutObject").output_shape, out, headers)
    location = _location(request, bucket, key, virtual is not None)
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        query = urlencode({"bucket": bucket, "key": key, "etag": out["ETag"]})
        headers.append(("Location", f"{redirect}{'&' if '?' in redirect else '?'}{query}"))
        return Response(303, headers, b"")
    headers.append(("Location", location))
    status = fields.get("success_action_status")
    if status == "201":
        document = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
            f"<Location>{xml_escape(location)}</Location><Bucket>{xml_escape(bucket)}</Bucket>"
            f"<Key>{xml_escape(key)}</Key><ETag>{xml_escape(out['ETag'])}</ETag></PostResponse>"
        )
        headers.append(("Content-Type", "application/xml"))
        return Response(201, headers, document.encode())
    return Response(200 if status == "200" else 204, headers, b"")


class _FileBody:
    """The form's file as the body PutObject writes (transfer.Stream)."""

    length: int | None = None

    def __init__(self, reader: FormReader) -> None:
        self._reader = reader

    def discard(self) -> None:
        pass

    def __aiter__(self) -> Any:
        return self._reader.file()


async def _whole(body: bytes) -> Any:
    yield body


async def handle(runtime: Runtime, request: Request) -> Response:
    """The edge route's answer: the upload's, or S3's error document."""
    request_id = new_request_id()
    try:
        return await _upload(runtime, request, request_id)
    except ServiceError as error:
        if request.stream is not None and not request.stream.complete:
            request.stream.discard()
        return _PROTOCOL.serialize_error(error, request_id, spec=load_spec("s3"))
