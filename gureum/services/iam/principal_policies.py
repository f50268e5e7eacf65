"""Inline policies and managed-policy attachments of roles, users and groups (a part of IamBackend): one method per
operation family, for each ``kind`` ("role", "user", "group")."""

from __future__ import annotations

import re
from typing import Any

from ...store.base import Tx
from . import store
from .errors import LimitExceeded, NoSuchEntity, PolicyNotAttachable
from .managed import AwsPolicy
from .model import INLINE_POLICY_CHARS, MANAGED_POLICIES_PER_ENTITY, check_document, encode_document, page
from .resources import Parts, claim, find_policy, require, require_policy

# the word AWS's quota names use for each kind (PoliciesPerRole, …)
_WORD = {"role": "Role", "user": "User", "group": "Group"}


def _no_inline(kind: str, policy_name: str) -> Exception:
    return NoSuchEntity(f"The {kind} policy with name {policy_name} cannot be found.")


class PrincipalPolicies(Parts):
    async def put_inline_policy(
        self, account: str, kind: str, owner_name: str, policy_name: str, document: str
    ) -> None:
        check_document(document)

        def write(tx: Tx) -> None:
            owner = claim(tx, account, kind, owner_name)
            others = [doc for name, doc in store.inline_policies(tx, owner.id) if name.lower() != policy_name.lower()]
            size = sum(len(re.sub(r"\s", "", doc)) for doc in [*others, document])
            if size > INLINE_POLICY_CHARS[kind]:
                raise LimitExceeded(
                    f"Maximum policy size of {INLINE_POLICY_CHARS[kind]} bytes exceeded for {kind} {owner.name}"
                )
            store.put_inline(tx, owner.id, policy_name, document)

        await self.store.write(write)

    async def get_inline_policy(
        self, account: str, kind: str, owner_name: str, policy_name: str
    ) -> tuple[str, str, str]:
        """(owner's name, policy name, URL-encoded document) as AWS spells the names."""

        def read(tx: Tx) -> tuple[str, str, str]:
            owner = require(tx, account, kind, owner_name)
            for name, doc in store.inline_policies(tx, owner.id):
                if name.lower() == policy_name.lower():
                    return owner.name, name, encode_document(doc)
            raise _no_inline(kind, policy_name)

        return await self.store.read(read)

    async def delete_inline_policy(self, account: str, kind: str, owner_name: str, policy_name: str) -> None:
        def write(tx: Tx) -> None:
            owner = claim(tx, account, kind, owner_name)
            if not store.delete_inline(tx, owner.id, policy_name):
                raise _no_inline(kind, policy_name)

        await self.store.write(write)

    async def list_inline_policies(
        self, account: str, kind: str, owner_name: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[str]:
            return [name for name, _ in store.inline_policies(tx, require(tx, account, kind, owner_name).id)]

        return page(await self.store.read(read), "PolicyNames", marker, max_items)

    async def attach_policy(self, account: str, kind: str, owner_name: str, policy_arn: str) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            owner = claim(tx, account, kind, owner_name)
            policy = require_policy(tx, account, policy_arn)
            if isinstance(policy, AwsPolicy) and policy.path == "/aws-service-role/":
                raise PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")
            if not isinstance(policy, AwsPolicy):
                store.claim_arn(tx, account, "policy", policy_arn)  # a concurrent DeletePolicy waits, or is waited for
            current = store.attached(tx, owner.id)
            if policy_arn in current:
                return
            if len(current) >= MANAGED_POLICIES_PER_ENTITY:
                raise LimitExceeded(f"Cannot exceed quota for PoliciesPer{_WORD[kind]}: {MANAGED_POLICIES_PER_ENTITY}")
            store.attach(tx, owner.id, account, policy_arn, now)

        await self.store.write(write)

    async def detach_policy(self, account: str, kind: str, owner_name: str, policy_arn: str) -> None:
        def write(tx: Tx) -> None:
            owner = claim(tx, account, kind, owner_name)
            if not store.detach(tx, owner.id, policy_arn):
                raise NoSuchEntity(f"Policy {policy_arn} was not found.")

        await self.store.write(write)

    async def list_attached_policies(
        self,
        account: str,
        kind: str,
        owner_name: str,
        path_prefix: str | None,
        marker: str | None,
        max_items: int | None,
    ) -> dict[str, Any]:
        prefix = path_prefix or "/"

        def read(tx: Tx) -> list[dict[str, str]]:
            owner = require(tx, account, kind, owner_name)
            out = []
            for policy_arn in store.attached(tx, owner.id):
                policy = find_policy(tx, account, policy_arn)
                if policy is not None and policy.path.startswith(prefix):
                    out.append({"PolicyName": policy.name, "PolicyArn": policy_arn})
            return out

        return page(await self.store.read(read), "AttachedPolicies", marker, max_items)
