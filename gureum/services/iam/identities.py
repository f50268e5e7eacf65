"""What IAM enforcement asks of IAM (gureum.aws.authorize.IdentitySource): a user or role with every policy that
speaks for it (inline, attached, its groups' inline and attached; customer managed policies at their default
version, AWS managed ones from the catalogue), its permissions boundary, tags and trust policy. And NotifyingStore:
every IAM write tells every node (IAM_CHANNEL) to drop the identities it cached."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ...aws.authorize import IAM_CHANNEL, IdentityRecord
from ...store.base import Store, Tx
from . import store
from .managed import AWS_POLICIES, is_aws_arn
from .store import Entity

T = TypeVar("T")


class NotifyingStore:
    """IAM's store: every write also notifies IAM_CHANNEL when it commits (on PostgreSQL, on every node)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.dialect = inner.dialect

    async def write(self, fn: Callable[[Tx], T]) -> T:
        def run(tx: Tx) -> T:
            tx.notify(IAM_CHANNEL, "")
            return fn(tx)

        return await self.inner.write(run)

    async def read(self, fn: Callable[[Tx], T]) -> T:
        return await self.inner.read(fn)

    async def migrate(self, component: str, directory: Path) -> None:
        await self.inner.migrate(component, directory)

    def subscribe(self, channel: str, callback: Callable[[str], None]) -> None:
        self.inner.subscribe(channel, callback)

    async def is_leader(self, role: str) -> bool:
        return await self.inner.is_leader(role)

    async def close(self) -> None:
        await self.inner.close()


def managed_document(tx: Tx, account: str, policy_arn: str) -> str | None:
    """A managed policy's default version."""
    if is_aws_arn(policy_arn):
        known = AWS_POLICIES.get(policy_arn)
        return known.document if known is not None else None
    policy = store.by_arn(tx, policy_arn.split(":")[4], "policy", policy_arn)
    if policy is None:
        return None
    default = policy.data.get("DefaultVersionId")
    return next((doc for vid, doc, _ in store.versions(tx, policy.id) if vid == default), None)


def _documents(tx: Tx, entity: Entity) -> list[str]:
    docs = [doc for _, doc in store.inline_policies(tx, entity.id)]
    docs += [d for d in (managed_document(tx, entity.account, arn) for arn in store.attached(tx, entity.id)) if d]
    return docs


def record(tx: Tx, entity: Entity, active: bool = True) -> IdentityRecord:
    """A user or role as enforcement sees it."""
    docs = _documents(tx, entity)
    if entity.kind == "user":
        for group in store.parents(tx, entity.id):
            if group.kind == "group":
                docs += _documents(tx, group)
    boundary_arn = entity.data.get("PermissionsBoundary")
    boundary = managed_document(tx, entity.account, boundary_arn) if boundary_arn else None
    if boundary_arn and boundary is None:
        boundary = '{"Version": "2012-10-17", "Statement": []}'  # a boundary that cannot be read allows nothing
    tags = {t["Key"]: t["Value"] for t in entity.data.get("Tags") or [] if "Key" in t}
    return IdentityRecord(
        entity.kind,
        entity.arn,
        entity.account,
        entity.entity_id,
        entity.name,
        tuple(docs),
        boundary,
        tags,
        entity.data.get("AssumeRolePolicyDocument"),
        active,
    )


ORGANIZATION = "organization"  # the entity kind naming an account's organisation (organizations.py)


def organization_of(tx: Tx, account: str) -> str | None:
    """The organisation ``account`` belongs to (aws:PrincipalOrgID), set at /_gureum/iam/organization."""
    found = store.all_of(tx, account, ORGANIZATION)
    return found[0].name if found else None


def by_key(tx: Tx, account: str, access_key: str) -> IdentityRecord | None:
    key = store.access_key(tx, account, access_key)
    user = store.by_id(tx, key[0]) if key else None
    return record(tx, user, key[1] == "Active") if user is not None and key is not None else None


def by_arn(tx: Tx, arn: str) -> IdentityRecord | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam":
        return None
    kind = parts[5].split("/", 1)[0]
    if kind not in ("user", "role"):
        return None
    entity = store.by_arn(tx, parts[4], kind, arn)
    if entity is None:  # a role ARN written without its path: found by its name
        entity = store.get(tx, parts[4], kind, parts[5].rsplit("/", 1)[-1])
    return record(tx, entity) if entity is not None else None


class IdentitiesPort:
    """IdentitySource over IAM's store."""

    def __init__(self, inner: Store) -> None:
        self.store = inner

    async def by_key(self, account: str, access_key: str) -> IdentityRecord | None:
        return await self.store.read(lambda tx: by_key(tx, account, access_key))

    async def by_arn(self, arn: str) -> IdentityRecord | None:
        return await self.store.read(lambda tx: by_arn(tx, arn))

    async def organization(self, account: str) -> str | None:
        return await self.store.read(lambda tx: organization_of(tx, account))

    async def managed_documents(self, account: str, policy_arns: list[str]) -> list[str]:
        def read(tx: Tx) -> list[str]:
            return [d for d in (managed_document(tx, account, arn) for arn in policy_arns) if d]

        return await self.store.read(read)
