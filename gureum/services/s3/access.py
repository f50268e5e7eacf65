"""Who calls S3 and what another account may do with a bucket: a call on a bucket of another account is allowed only
when the bucket's policy allows the caller's principal the call's S3 action on the bucket's or the object's ARN
(gureum.policy; an applying Deny wins), and ExpectedBucketOwner / ExpectedSourceBucketOwner must name the owner.
Calls within the owner's account are not checked (identity policies are not evaluated here). Presigned URLs act
as the account whose key signed them, so another account's URL passes only as far as the policy allows it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ...aws.auth import is_issued
from ...aws.context import RequestContext
from ...policy import Caller as PolicyCaller
from ...policy import ContextValue, Principal, Request, call_context, evaluate
from .errors import AccessDenied, ServiceError

# the bucket-level action of each operation on a bucket (None: only the owner's account may call it, as AWS has it
# for the bucket policy's own operations)
BUCKET_ACTIONS: dict[str, str | None] = {
    "HeadBucket": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "DeleteBucket": "s3:DeleteBucket",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "PutBucketVersioning": "s3:PutBucketVersioning",
    "GetBucketAcl": "s3:GetBucketAcl",
    "PutBucketAcl": "s3:PutBucketAcl",
    "GetBucketPolicyStatus": "s3:GetBucketPolicyStatus",
    "GetBucketTagging": "s3:GetBucketTagging",
    "PutBucketTagging": "s3:PutBucketTagging",
    "DeleteBucketTagging": "s3:PutBucketTagging",
    "GetBucketPolicy": None,
    "PutBucketPolicy": None,
    "DeleteBucketPolicy": None,
    "GetBucketCors": "s3:GetBucketCORS",
    "PutBucketCors": "s3:PutBucketCORS",
    "DeleteBucketCors": "s3:PutBucketCORS",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetBucketOwnershipControls": "s3:GetBucketOwnershipControls",
    "PutBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "GetBucketWebsite": "s3:GetBucketWebsite",
    "PutBucketWebsite": "s3:PutBucketWebsite",
    "DeleteBucketWebsite": "s3:DeleteBucketWebsite",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
    "GetBucketRequestPayment": "s3:GetBucketRequestPayment",
    "PutBucketRequestPayment": "s3:PutBucketRequestPayment",
    "GetBucketLogging": "s3:GetBucketLogging",
    "PutBucketLogging": "s3:PutBucketLogging",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
}
# the object-level action of each operation on an object: (without VersionId, with VersionId)
OBJECT_ACTIONS: dict[str, tuple[str, str]] = {
    "GetObject": ("s3:GetObject", "s3:GetObjectVersion"),
    "HeadObject": ("s3:GetObject", "s3:GetObjectVersion"),
    "GetObjectAttributes": ("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
    "PutObject": ("s3:PutObject", "s3:PutObject"),
    "CopyObject": ("s3:PutObject", "s3:PutObject"),
    "CreateMultipartUpload": ("s3:PutObject", "s3:PutObject"),
    "UploadPart": ("s3:PutObject", "s3:PutObject"),
    "UploadPartCopy": ("s3:PutObject", "s3:PutObject"),
    "CompleteMultipartUpload": ("s3:PutObject", "s3:PutObject"),
    "AbortMultipartUpload": ("s3:AbortMultipartUpload", "s3:AbortMultipartUpload"),
    "ListParts": ("s3:ListMultipartUploadParts", "s3:ListMultipartUploadParts"),
    "DeleteObject": ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    "GetObjectTagging": ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    "PutObjectTagging": ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    "DeleteObjectTagging": ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    "GetObjectAcl": ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    "PutObjectAcl": ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
}


def access_denied() -> ServiceError:
    return AccessDenied("Access Denied")


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


@dataclass(frozen=True, slots=True)
class Check:
    """One action the call needs on one bucket: its S3 action and the ARN it acts on."""

    bucket: str
    action: str | None  # None: the owner's account only
    resource: str


class Caller(str):
    """The caller's account id (the plain string every backend method takes as ``account``) carrying who acts and
    what the call needs, so the bucket lookup every operation starts with (core.owned_bucket) can decide a call on
    another account's bucket. A plain ``str`` account is the owner's account or nothing."""

    principal: Principal
    checks: tuple[Check, ...]
    expected: Mapping[str, str]  # bucket -> the owner account the request expects
    _context: Callable[[], Mapping[str, ContextValue]]  # the condition keys, built only for a policy to evaluate

    @classmethod
    def make(
        cls,
        account: str,
        principal: Principal,
        context: Callable[[], Mapping[str, ContextValue]],
        checks: tuple[Check, ...],
        expected: Mapping[str, str] | None = None,
    ) -> Caller:
        made = cls(account)
        made.principal, made._context, made.checks, made.expected = principal, context, checks, expected or {}
        return made

    @property
    def account(self) -> str:
        return str(self)

    def check(self, bucket_name: str, owner: str, policy: str | None) -> None:
        """Raise AccessDenied unless this call may act on the bucket ``bucket_name`` of ``owner``."""
        expected = self.expected.get(bucket_name)
        if expected is not None and expected != owner:
            raise access_denied()
        if owner == str(self):
            return
        needed = [check for check in self.checks if check.bucket == bucket_name]
        if not needed or policy is None:
            raise access_denied()
        context = self._context()
        for check in needed:
            if check.action is None:
                raise access_denied()
            if not evaluate(policy, Request(self.principal, check.action, check.resource, context)).allowed:
                raise access_denied()


def check_bucket(account: str, bucket_name: str, owner: str, policy: str | None) -> None:
    """The one access rule of every bucket lookup: the owner's account, or a Caller the bucket's policy allows."""
    if isinstance(account, Caller):
        account.check(bucket_name, owner, policy)
    elif owner != account:
        raise access_denied()


def _source(copy_source: str) -> tuple[str, str, str | None]:
    """(bucket, key, version id) of an x-amz-copy-source (a malformed one is the backend's to refuse)."""
    text = unquote(copy_source.lstrip("/"))
    text, _, version = text.partition("?versionId=")
    bucket, _, key = text.partition("/")
    return bucket, key, version or None


def checks_for(operation: str, req: Mapping[str, Any]) -> tuple[Check, ...]:
    """What ``operation`` with these members needs of each bucket it touches."""
    bucket = req.get("Bucket") or ""
    if operation in BUCKET_ACTIONS:
        return (Check(bucket, BUCKET_ACTIONS[operation], bucket_arn(bucket)),)
    if operation == "DeleteObjects":
        objects = (req.get("Delete") or {}).get("Objects") or []
        return tuple(
            Check(
                bucket,
                "s3:DeleteObjectVersion" if one.get("VersionId") else "s3:DeleteObject",
                object_arn(bucket, one.get("Key") or ""),
            )
            for one in objects
        ) or (Check(bucket, "s3:DeleteObject", object_arn(bucket, "")),)
    actions = OBJECT_ACTIONS.get(operation)
    if actions is None:
        return (Check(bucket, None, bucket_arn(bucket)),)
    key = req.get("Key") or ""
    checks = [Check(bucket, actions[1] if req.get("VersionId") else actions[0], object_arn(bucket, key))]
    if req.get("CopySource"):
        source_bucket, source_key, version = _source(str(req["CopySource"]))
        action = "s3:GetObjectVersion" if version else "s3:GetObject"
        checks.append(Check(source_bucket, action, object_arn(source_bucket, source_key)))
    return tuple(checks)


def _s3_context(ctx: RequestContext, req: Mapping[str, Any]) -> dict[str, ContextValue]:
    """S3's own condition keys of the request (s3:prefix and the list keys, s3:authType, s3:x-amz-acl, …)."""
    query = ctx.request.query_string
    presigned_v2 = "Signature=" in query and "AWSAccessKeyId=" in query
    presigned = presigned_v2 or "X-Amz-Signature=" in query
    authorization = ctx.request.headers.get("authorization") or ""
    v2 = presigned_v2 or authorization.startswith("AWS ")
    context: dict[str, ContextValue] = {
        "s3:authType": "REST-QUERY-STRING" if presigned else "REST-HEADER",
        "s3:signatureversion": "AWS" if v2 else "AWS4-HMAC-SHA256",
    }
    for member, key in (("Prefix", "s3:prefix"), ("Delimiter", "s3:delimiter"), ("ACL", "s3:x-amz-acl")):
        if isinstance(req.get(member), str):
            context[key] = req[member]
    if req.get("MaxKeys") is not None:
        context["s3:max-keys"] = str(req["MaxKeys"])
    if req.get("VersionId"):
        context["s3:VersionId"] = str(req["VersionId"])
    return context


async def caller(ctx: RequestContext, req: Mapping[str, Any]) -> Caller:
    """The caller of this request as the backend takes it (its account, carrying what a bucket of another account
    would have to allow). A key gureum did not issue acts as its account's root, without a lookup."""
    account = ctx.account
    arn = f"arn:aws:iam::{account}:root"
    if ctx.access_key and is_issued(ctx.access_key):
        arn = await ctx.runtime.principal_arn(account, ctx.access_key)
    who = PolicyCaller(account, ctx.access_key, ctx.request.peer, ctx.request.scheme == "https")
    expected: dict[str, str] = {}
    if req.get("ExpectedBucketOwner"):
        expected[req.get("Bucket") or ""] = str(req["ExpectedBucketOwner"])
    if req.get("ExpectedSourceBucketOwner") and req.get("CopySource"):
        expected[_source(str(req["CopySource"]))[0]] = str(req["ExpectedSourceBucketOwner"])
    now = ctx.runtime.clock.now()
    return Caller.make(
        account,
        Principal(account, arn),
        lambda: call_context(who, arn, now, _s3_context(ctx, req)),
        checks_for(ctx.operation, req),
        expected,
    )


def reader(
    account: str, principal_arn: str | None, bucket: str, key: str, version_id: str | None, now: float
) -> Caller:
    """A service reading an object for ``account`` (Lambda code from S3): s3:GetObject (s3:GetObjectVersion) as
    that account's principal."""
    arn = principal_arn or f"arn:aws:iam::{account}:root"
    action = "s3:GetObjectVersion" if version_id else "s3:GetObject"
    checks = (Check(bucket, action, object_arn(bucket, key)),)
    return Caller.make(account, Principal(account, arn), lambda: call_context(PolicyCaller(account), arn, now), checks)
