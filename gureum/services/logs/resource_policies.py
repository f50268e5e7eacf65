"""Resource policies (a part of LogsBackend): PutResourcePolicy / DescribeResourcePolicies / DeleteResourcePolicy,
the account's (named, at most ten per account and Region) and a log group's own (``resourceArn``, one per group,
guarded by its revision id). They are what lets a service deliver logs here: EventBridge's log-group targets are
checked against them under IAM enforcement (``delivery_policy``), as AWS checks events.amazonaws.com."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ... import safejson
from ...policy import PolicyError, parse
from ...store.base import Tx
from . import store_subscriptions as sstore
from .errors import (
    InvalidParameterException,
    LimitExceededException,
    OperationAbortedException,
    ResourceNotFoundException,
)
from .groups import Parts, group_by_arn
from .paging import page_sorted

ACCOUNT_POLICIES = 10  # "Up to 10 CloudWatch Logs resource policies per Region per account"


def describe_resource_policy(policy: sstore.ResourcePolicy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "policyDocument": policy.document,
        "lastUpdatedTime": policy.updated_at,
        "policyScope": "RESOURCE" if policy.group_id else "ACCOUNT",
    }
    if policy.name:
        out["policyName"] = policy.name
    if policy.group_id:
        out["resourceArn"] = policy.resource_arn
        out["revisionId"] = policy.revision
    return out


def _check_document(document: str) -> None:
    try:
        parse(document)
    except (PolicyError, RecursionError) as error:
        reason = error.message if isinstance(error, PolicyError) else "nested too deeply"
        raise InvalidParameterException(f"Invalid policy document: {reason}") from None


def _no_policy(name: str | None) -> Exception:
    return ResourceNotFoundException(
        f"Policy with name [{name}] does not exist." if name else "The specified resource policy does not exist."
    )


def _revision_matches(current: sstore.ResourcePolicy | None, expected: str | None) -> None:
    """A group's policy changes only from the revision its writer read (none when creating it)."""
    have = current.revision if current is not None else None
    if expected != have:
        raise OperationAbortedException(
            f"The expected revision id {expected} does not match the policy's current revision id {have}."
        )


def delivery_policy(tx: Tx, account: str, region: str, group_id: int) -> str | None:
    """The policy a delivery into a log group is checked against: the statements of the account's resource policies
    and of the group's own, as one document (None when there are none)."""
    statements: list[Any] = []
    for policy in sstore.list_resource_policies(tx, account, region) + sstore.list_resource_policies(
        tx, account, region, group_id
    ):
        try:
            doc = safejson.loads(policy.document)
        except ValueError:
            continue  # checked when written
        given = doc.get("Statement") if isinstance(doc, dict) else None
        statements.extend(given if isinstance(given, list) else [given] if isinstance(given, dict) else [])
    return json.dumps({"Version": "2012-10-17", "Statement": statements}) if statements else None


class ResourcePolicies(Parts):
    async def put_resource_policy(
        self,
        account: str,
        region: str,
        name: str | None,
        document: str | None,
        resource_arn: str | None,
        expected_revision: str | None,
    ) -> dict[str, Any]:
        """PutResourcePolicy's answer: {"resourcePolicy", "revisionId" (a group's own)}."""
        if not document:
            raise InvalidParameterException("policyDocument is required.")
        if not name and not resource_arn:
            raise InvalidParameterException("policyName is required.")
        _check_document(document)
        now = self.clock.now_ms()

        def run(tx: Tx) -> sstore.ResourcePolicy:
            if resource_arn:
                group = group_by_arn(tx, account, region, resource_arn)
                found = sstore.list_resource_policies(tx, account, region, group.id)
                _revision_matches(found[0] if found else None, expected_revision)
                policy = sstore.ResourcePolicy(
                    account, region, group.id, name or "", group.arn, document, uuid.uuid4().hex, now
                )
            else:
                assert name
                existing = sstore.list_resource_policies(tx, account, region)
                if name not in {p.name for p in existing} and len(existing) >= ACCOUNT_POLICIES:
                    raise LimitExceededException("Resource limit exceeded.")
                policy = sstore.ResourcePolicy(account, region, 0, name, None, document, None, now)
            sstore.put_resource_policy(tx, policy)
            return policy

        policy = await self.store.write(run)
        out: dict[str, Any] = {"resourcePolicy": describe_resource_policy(policy)}
        if policy.revision:
            out["revisionId"] = policy.revision
        return out

    async def describe_resource_policies(
        self,
        account: str,
        region: str,
        resource_arn: str | None,
        scope: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        """DescribeResourcePolicies' answer: {"resourcePolicies", "nextToken"}: the account's, a group's own
        (``resource_arn``), or every group's (scope RESOURCE)."""

        def run(tx: Tx) -> list[sstore.ResourcePolicy]:
            if resource_arn:
                group = group_by_arn(tx, account, region, resource_arn)
                return sstore.list_resource_policies(tx, account, region, group.id)
            return sstore.list_resource_policies(tx, account, region, None if scope == "RESOURCE" else 0)

        found = await self.store.read(run)
        shown, next_token = page_sorted(found, lambda p: (p.name, p.resource_arn or ""), token, limit)
        return {"resourcePolicies": [describe_resource_policy(p) for p in shown], "nextToken": next_token}

    async def delete_resource_policy(
        self, account: str, region: str, name: str | None, resource_arn: str | None, expected_revision: str | None
    ) -> None:
        if not name and not resource_arn:
            raise InvalidParameterException("policyName is required.")

        def run(tx: Tx) -> None:
            if resource_arn:
                group = group_by_arn(tx, account, region, resource_arn)
                found = sstore.list_resource_policies(tx, account, region, group.id)
                if not found:
                    raise _no_policy(name)
                if expected_revision is not None:
                    _revision_matches(found[0], expected_revision)
                sstore.delete_resource_policy(tx, account, region, group.id, None)
            elif not sstore.delete_resource_policy(tx, account, region, 0, name):
                raise _no_policy(name)

        await self.store.write(run)
