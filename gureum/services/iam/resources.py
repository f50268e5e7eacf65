"""Lookups that raise AWS's errors, new entities, the response shapes of each kind (Role, User, Policy, …), and
``Parts``: what every part of the IAM backend shares (the store, the clock, tagging entities found by name)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...clock import Clock
from ...store.base import Store, Tx
from . import store
from .errors import InvalidInput, NoSuchEntity, already_exists, no_such
from .managed import AWS_POLICIES, AwsPolicy, is_aws_arn
from .model import arn, drop_tags, encode_document, merge_tags, page, unique_id
from .store import Entity

_POLICY_ARN = re.compile(r"^arn:aws[\w-]*:iam::(?:aws|\d{12}):policy/")


def require(tx: Tx, account: str, kind: str, name: str) -> Entity:
    entity = store.get(tx, account, kind, name)
    if entity is None:
        raise no_such(kind, name)
    return entity


def claim(tx: Tx, account: str, kind: str, name: str) -> Entity:
    """``require`` in a write: the entity's row is locked until commit (limits and version numbers stay exact)."""
    entity = store.claim(tx, account, kind, name)
    if entity is None:
        raise no_such(kind, name)
    return entity


def create(tx: Tx, account: str, kind: str, name: str, path: str | None, data: dict[str, Any], now: float) -> Entity:
    path = path or "/"
    entity = Entity(0, account, kind, name, path, unique_id(kind), arn(account, kind, path, name), now, data)
    if not store.insert(tx, entity):
        raise already_exists(kind, name)
    return entity


def find_policy(tx: Tx, account: str, policy_arn: str) -> Entity | AwsPolicy | None:
    if is_aws_arn(policy_arn):
        return AWS_POLICIES.get(policy_arn)
    return store.by_arn(tx, account, "policy", policy_arn)


def require_policy(tx: Tx, account: str, policy_arn: str) -> Entity | AwsPolicy:
    if not _POLICY_ARN.match(policy_arn):
        raise InvalidInput(f"ARN {policy_arn} is not valid.")
    policy = find_policy(tx, account, policy_arn)
    if policy is None:
        raise NoSuchEntity(f"Policy {policy_arn} was not found.")
    return policy


def tags(entity: Entity) -> list[dict[str, str]]:
    return list(entity.data.get("Tags") or [])


def boundary(entity: Entity) -> dict[str, str] | None:
    arn_ = entity.data.get("PermissionsBoundary")
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn_} if arn_ else None


def role_shape(role: Entity, *, full: bool = True) -> dict[str, Any]:
    """A Role as GetRole answers it; ``full=False`` for ListRoles, which leaves out tags, boundary and last use."""
    out: dict[str, Any] = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.entity_id,
        "Arn": role.arn,
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": encode_document(role.data["AssumeRolePolicyDocument"]),
        "Description": role.data.get("Description"),
        "MaxSessionDuration": role.data.get("MaxSessionDuration", 3600),
    }
    if full:
        out["PermissionsBoundary"] = boundary(role)
        out["Tags"] = tags(role) or None
        out["RoleLastUsed"] = {}
    return out


def user_shape(user: Entity, *, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.entity_id,
        "Arn": user.arn,
        "CreateDate": user.created_at,
    }
    if full:
        out["PermissionsBoundary"] = boundary(user)
        out["Tags"] = tags(user) or None
    return out


def group_shape(group: Entity) -> dict[str, Any]:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.entity_id,
        "Arn": group.arn,
        "CreateDate": group.created_at,
    }


def profile_shape(tx: Tx, profile: Entity) -> dict[str, Any]:
    return {
        "Path": profile.path,
        "InstanceProfileName": profile.name,
        "InstanceProfileId": profile.entity_id,
        "Arn": profile.arn,
        "CreateDate": profile.created_at,
        "Roles": [role_shape(role, full=False) for role in store.children(tx, profile.id)],
        "Tags": tags(profile) or None,
    }


def policy_shape(
    policy: Entity | AwsPolicy, attachments: int, boundaries: int, *, with_tags: bool = True
) -> dict[str, Any]:
    if isinstance(policy, AwsPolicy):
        return {
            "PolicyName": policy.name,
            "PolicyId": policy.policy_id,
            "Arn": policy.arn,
            "Path": policy.path,
            "DefaultVersionId": policy.version,
            "AttachmentCount": attachments,
            "PermissionsBoundaryUsageCount": boundaries,
            "IsAttachable": True,
            "Description": policy.description,
            "CreateDate": policy.created_at,
            "UpdateDate": policy.updated_at,
        }
    out = {
        "PolicyName": policy.name,
        "PolicyId": policy.entity_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.data["DefaultVersionId"],
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": boundaries,
        "IsAttachable": True,
        "Description": policy.data.get("Description"),
        "CreateDate": policy.created_at,
        "UpdateDate": policy.data.get("UpdateDate", policy.created_at),
    }
    if with_tags:
        out["Tags"] = tags(policy) or None
    return out


def boundary_counts(tx: Tx, account: str) -> dict[str, int]:
    """Policy ARN → how many roles and users use it as their permissions boundary."""
    counts: dict[str, int] = {}
    for kind in ("role", "user"):
        for entity in store.all_of(tx, account, kind):
            arn_ = entity.data.get("PermissionsBoundary")
            if arn_:
                counts[arn_] = counts.get(arn_, 0) + 1
    return counts


class Parts:
    """The base of every part of IamBackend: the store and the clock (set by IamBackend), and the tags of entities
    found by name (roles, users, instance profiles)."""

    store: Store
    clock: Clock

    async def tag_entity(self, account: str, kind: str, name: str, new: list[dict[str, str]]) -> None:
        await self._retag(account, kind, name, lambda current: merge_tags(current, new))

    async def untag_entity(self, account: str, kind: str, name: str, keys: list[str]) -> None:
        await self._retag(account, kind, name, lambda current: drop_tags(current, keys))

    async def _retag(
        self, account: str, kind: str, name: str, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]
    ) -> None:
        def write(tx: Tx) -> None:
            entity = claim(tx, account, kind, name)
            entity.data["Tags"] = change(tags(entity))
            store.save(tx, entity)

        await self.store.write(write)

    async def list_entity_tags(
        self, account: str, kind: str, name: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        entity = await self.store.read(lambda tx: require(tx, account, kind, name))
        return page(tags(entity), "Tags", marker, max_items)
