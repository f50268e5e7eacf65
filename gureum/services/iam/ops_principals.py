"""Inline policies and managed-policy attachments of roles, users and groups: one implementation per operation
family, registered under each kind's AWS names (PutRolePolicy, PutUserPolicy, PutGroupPolicy, …)."""

from __future__ import annotations

import re
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import LimitExceeded, NoSuchEntity, PolicyNotAttachable
from .managed import AwsPolicy
from .model import INLINE_POLICY_CHARS, MANAGED_POLICIES_PER_ENTITY, check_document, encode_document, page
from .resources import claim, find_policy, require, require_policy

_KINDS = {"role": "Role", "user": "User", "group": "Group"}


def _register(kind: str, word: str) -> None:
    name_key = f"{word}Name"

    async def put_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        document = req["PolicyDocument"]
        check_document(document)

        def write(tx: Tx) -> None:
            owner = claim(tx, ctx.account, kind, req[name_key])
            others = [
                doc for name, doc in store.inline_policies(tx, owner.id) if name.lower() != req["PolicyName"].lower()
            ]
            size = sum(len(re.sub(r"\s", "", doc)) for doc in [*others, document])
            if size > INLINE_POLICY_CHARS[kind]:
                raise LimitExceeded(
                    f"Maximum policy size of {INLINE_POLICY_CHARS[kind]} bytes exceeded for {kind} {owner.name}"
                )
            store.put_inline(tx, owner.id, req["PolicyName"], document)

        await ctx.runtime.store.write(write)
        return {}

    async def get_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def read(tx: Tx) -> tuple[str, str, str]:
            owner = require(tx, ctx.account, kind, req[name_key])
            for name, doc in store.inline_policies(tx, owner.id):
                if name.lower() == req["PolicyName"].lower():
                    return owner.name, name, doc
            raise NoSuchEntity(f"The {kind} policy with name {req['PolicyName']} cannot be found.")

        owner_name, name, doc = await ctx.runtime.store.read(read)
        return {name_key: owner_name, "PolicyName": name, "PolicyDocument": encode_document(doc)}

    async def delete_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def write(tx: Tx) -> None:
            owner = claim(tx, ctx.account, kind, req[name_key])
            if not store.delete_inline(tx, owner.id, req["PolicyName"]):
                raise NoSuchEntity(f"The {kind} policy with name {req['PolicyName']} cannot be found.")

        await ctx.runtime.store.write(write)
        return {}

    async def list_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def read(tx: Tx) -> list[str]:
            return [name for name, _ in store.inline_policies(tx, require(tx, ctx.account, kind, req[name_key]).id)]

        return page(await ctx.runtime.store.read(read), req, lambda n: n, "PolicyNames")

    async def attach_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        policy_arn = req["PolicyArn"]

        def write(tx: Tx) -> None:
            owner = claim(tx, ctx.account, kind, req[name_key])
            policy = require_policy(tx, ctx.account, policy_arn)
            if isinstance(policy, AwsPolicy) and policy.path == "/aws-service-role/":
                raise PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")
            if not isinstance(policy, AwsPolicy):
                store.claim_arn(
                    tx, ctx.account, "policy", policy_arn
                )  # a concurrent DeletePolicy waits, or is waited for
            current = store.attached(tx, owner.id)
            if policy_arn in current:
                return
            if len(current) >= MANAGED_POLICIES_PER_ENTITY:
                raise LimitExceeded(f"Cannot exceed quota for PoliciesPer{word}: {MANAGED_POLICIES_PER_ENTITY}")
            store.attach(tx, owner.id, ctx.account, policy_arn, ctx.runtime.clock.now())

        await ctx.runtime.store.write(write)
        return {}

    async def detach_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def write(tx: Tx) -> None:
            owner = claim(tx, ctx.account, kind, req[name_key])
            if not store.detach(tx, owner.id, req["PolicyArn"]):
                raise NoSuchEntity(f"Policy {req['PolicyArn']} was not found.")

        await ctx.runtime.store.write(write)
        return {}

    async def list_attached(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        prefix = req.get("PathPrefix") or "/"

        def read(tx: Tx) -> list[dict[str, str]]:
            owner = require(tx, ctx.account, kind, req[name_key])
            out = []
            for policy_arn in store.attached(tx, owner.id):
                policy = find_policy(tx, ctx.account, policy_arn)
                if policy is not None and policy.path.startswith(prefix):
                    out.append({"PolicyName": policy.name, "PolicyArn": policy_arn})
            return out

        return page(await ctx.runtime.store.read(read), req, lambda p: p, "AttachedPolicies")

    SERVICE.op(f"Put{word}Policy")(put_policy)
    SERVICE.op(f"Get{word}Policy")(get_policy)
    SERVICE.op(f"Delete{word}Policy")(delete_policy)
    SERVICE.op(f"List{word}Policies")(list_policies)
    SERVICE.op(f"Attach{word}Policy")(attach_policy)
    SERVICE.op(f"Detach{word}Policy")(detach_policy)
    SERVICE.op(f"ListAttached{word}Policies")(list_attached)


for _kind, _word in _KINDS.items():
    _register(_kind, _word)
