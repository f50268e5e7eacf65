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

from ...aws.auth import Caller as Signer
from ...aws.auth import is_issued
from ...aws.authorize import authorizer, checks_deliveries
from ...aws.context import RequestContext
from ...policy import Caller as PolicyCaller
from ...policy import ContextValue, Principal, Request, actions, call_context, evaluate
from .errors import AccessDenied, ServiceError


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
    expected: Mapping[str, str]  # bucket -> the owner account the request expects
    per_entry: bool  # the call is decided per entry (DeleteObjects' keys), not refused whole
    _context: Callable[[], Mapping[str, ContextValue]]  # the condition keys, built only for a policy to evaluate
    _checks: Callable[[], tuple[Check, ...]]  # what the call needs, worked out only for another account's bucket

    @classmethod
    def make(
        cls,
        account: str,
        principal: Principal,
        context: Callable[[], Mapping[str, ContextValue]],
        checks: Callable[[], tuple[Check, ...]],
        expected: Mapping[str, str] | None = None,
        per_entry: bool = False,
    ) -> Caller:
        made = cls(account)
        made.principal, made._context, made._checks, made.expected = principal, context, checks, expected or {}
        made.per_entry = per_entry
        return made

    @property
    def account(self) -> str:
        return str(self)

    def check(self, bucket_name: str, owner: str, policy: str | None) -> None:
        """Raise AccessDenied unless this call may act on the bucket ``bucket_name`` of ``owner`` (for a call
        decided per entry: unless it may look the bucket up; ``refuses`` decides each entry)."""
        expected = self.expected.get(bucket_name)
        if expected is not None and expected != owner:
            raise access_denied()
        if owner == str(self) or self.per_entry:
            return
        needed = [check for check in self._checks() if check.bucket == bucket_name]
        if not needed or policy is None or not all(self._allowed(check, policy) for check in needed):
            raise access_denied()

    def _allowed(self, check: Check, policy: str | None) -> bool:
        if check.action is None or policy is None:
            return False
        return evaluate(policy, Request(self.principal, check.action, check.resource, self._context())).allowed

    def refuses(self, check: Check, owner: str, policy: str | None) -> bool:
        """For a call decided per entry: whether the bucket's policy refuses one entry's action (never within the
        owner's account)."""
        return owner != str(self) and not self._allowed(check, policy)


def check_bucket(account: str, bucket_name: str, owner: str, policy: str | None) -> None:
    """The one access rule of every bucket lookup: the owner's account, or a Caller the bucket's policy allows."""
    if isinstance(account, Caller):
        account.check(bucket_name, owner, policy)
    elif owner != account:
        raise access_denied()


def checks_for(operation: str, req: Mapping[str, Any]) -> tuple[Check, ...]:
    """What ``operation`` with these members needs of each bucket it touches: the actions and ARNs of IAM's table
    for S3 (gureum/policy/actions/s3.json); an operation the table does not list, or lists as the owner's alone,
    is the owner's account's only."""
    bucket = req.get("Bucket") or ""
    table = actions.table("s3")
    requirement = actions.required("s3", operation, req, "", "")
    if table is None or requirement is None or operation not in table.operations or not requirement.needs:
        return (Check(bucket, None, bucket_arn(bucket)),)
    checks = []
    for need in requirement.needs:
        name = need.resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        owner_only = need.action.split(":", 1)[1] in requirement.owner_only
        checks.append(Check(name, None if owner_only else need.action, need.resource))
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
        source_bucket = actions.copy_source_object(str(req["CopySource"])).partition("/")[0]
        expected[source_bucket] = str(req["ExpectedSourceBucketOwner"])
    now = ctx.runtime.clock.now()
    operation = ctx.operation
    return Caller.make(
        account,
        Principal(account, arn),
        lambda: call_context(who, arn, now, _s3_context(ctx, req)),
        lambda: checks_for(operation, req),  # IAM's table is read only for a call on another account's bucket
        expected,
        per_entry=_per_entry(operation),
    )


def _per_entry(operation: str) -> bool:
    """Whether IAM's table marks the operation as answered entry by entry (DeleteObjects: AccessDenied per key)."""
    table = actions.table("s3")
    return table is not None and bool(table.operations.get(operation, {}).get("perEntry"))


async def iam_refused(ctx: RequestContext, req: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """Under IAM enforcement, a call decided per entry (DeleteObjects): the (action, ARN) of the entries the signer's
    policies refuse, each decided on its own (the dispatcher leaves them to S3); none otherwise."""
    if not checks_deliveries(ctx.runtime):
        return frozenset()
    requirement = actions.required("s3", ctx.operation, req, ctx.region, ctx.account)
    if requirement is None or not requirement.per_entry:
        return frozenset()
    signer = Signer(ctx.access_key, ctx.account, ctx.region, "s3")
    refused = await authorizer(ctx.runtime).refused_entries(ctx.request, ctx.protocol, signer, requirement, req)
    return frozenset((need.action, need.resource) for need in refused)


def refused_entry(account: str, check: Check, owner: str, policy: str | None) -> bool:
    """Whether one entry of a call decided per entry (one key of DeleteObjects) is refused to ``account``."""
    return isinstance(account, Caller) and account.refuses(check, owner, policy)


def reader(
    account: str, principal_arn: str | None, bucket: str, key: str, version_id: str | None, now: float
) -> Caller:
    """A service reading an object for ``account`` (Lambda code from S3): s3:GetObject (s3:GetObjectVersion) as
    that account's principal."""
    arn = principal_arn or f"arn:aws:iam::{account}:root"
    action = "s3:GetObjectVersion" if version_id else "s3:GetObject"
    checks = (Check(bucket, action, object_arn(bucket, key)),)
    return Caller.make(
        account, Principal(account, arn), lambda: call_context(PolicyCaller(account), arn, now), lambda: checks
    )
