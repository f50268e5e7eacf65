"""Managed policies (a part of IamBackend): customer policies with up to five versions, AWS's catalogue, tags and
the entities a policy is attached to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...store.base import Tx
from . import store
from .errors import DeleteConflict, LimitExceeded, NoSuchEntity, UnmodifiableEntity
from .managed import AWS_POLICIES, AwsPolicy
from .model import MANAGED_POLICY_CHARS, POLICY_VERSIONS, check_document, drop_tags, encode_document, merge_tags, page
from .resources import Parts, boundary_counts, create, policy_shape, require_policy
from .store import Entity

# ListEntitiesForPolicy's EntityFilter → the kinds it lists (managed policies are never attached to policies)
_ENTITY_KINDS = {
    "Role": {"role"},
    "User": {"user"},
    "Group": {"group"},
    "LocalManagedPolicy": set(),
    "AWSManagedPolicy": set(),
}


def _customer(tx: Tx, account: str, policy_arn: str) -> Entity:
    """A customer managed policy about to change, its row locked until commit (version numbers stay exact)."""
    policy = store.claim_arn(tx, account, "policy", policy_arn)
    if policy is None:
        aws_policy = require_policy(tx, account, policy_arn)  # InvalidInput / NoSuchEntity, or an AWS policy
        raise UnmodifiableEntity(f"Policy {aws_policy.arn} is an AWS managed policy and cannot be modified.")
    return policy


def _shape(tx: Tx, account: str, policy: Entity | AwsPolicy) -> dict[str, Any]:
    return policy_shape(
        policy,
        store.attachment_counts(tx, account).get(policy.arn, 0),
        boundary_counts(tx, account).get(policy.arn, 0),
    )


def _no_version(policy_arn: str, version_id: str) -> Exception:
    return NoSuchEntity(f"Policy {policy_arn} version {version_id} does not exist or is not attachable.")


def _check_version(tx: Tx, policy: Entity, version_id: str) -> None:
    if version_id not in {vid for vid, _, _ in store.versions(tx, policy.id)}:
        raise _no_version(policy.arn, version_id)


class Policies(Parts):
    async def create_policy(
        self,
        account: str,
        name: str,
        path: str | None,
        document: str,
        description: str | None,
        tags: list[dict[str, str]],
    ) -> dict[str, Any]:
        check_document(document, limit=MANAGED_POLICY_CHARS)
        now = self.clock.now()
        data = {
            "Description": description,
            "DefaultVersionId": "v1",
            "NextVersion": 2,
            "UpdateDate": now,
            "Tags": merge_tags([], tags),
        }

        def write(tx: Tx) -> dict[str, Any]:
            policy = create(tx, account, "policy", name, path, data, now)
            store.add_version(tx, policy.id, "v1", document, now)
            out = policy_shape(policy, 0, 0)
            out.pop("Description")  # CreatePolicy's answer leaves the description out, as AWS's does
            return out

        return await self.store.write(write)

    async def get_policy(self, account: str, policy_arn: str) -> dict[str, Any]:
        return await self.store.read(lambda tx: _shape(tx, account, require_policy(tx, account, policy_arn)))

    async def delete_policy(self, account: str, policy_arn: str) -> None:
        def write(tx: Tx) -> None:
            policy = _customer(tx, account, policy_arn)
            if store.attachment_counts(tx, account).get(policy.arn):
                raise DeleteConflict("Cannot delete a policy attached to entities.")
            if len(store.versions(tx, policy.id)) > 1:
                raise DeleteConflict(
                    "This policy has more than one version. Before you delete a policy, you must delete the policy's "
                    "versions. The default version is deleted with the policy."
                )
            store.delete(tx, policy)

        await self.store.write(write)

    async def list_policies(
        self,
        account: str,
        scope: str | None,
        path_prefix: str | None,
        only_attached: bool,
        usage: str | None,
        marker: str | None,
        max_items: int | None,
    ) -> dict[str, Any]:
        scope = scope or "All"
        prefix = path_prefix or "/"

        def read(tx: Tx) -> list[dict[str, Any]]:
            attachments = store.attachment_counts(tx, account)
            boundaries = boundary_counts(tx, account)
            policies: list[Entity | AwsPolicy] = []
            if scope in ("All", "AWS"):
                policies += sorted(AWS_POLICIES.values(), key=lambda p: p.name.lower())
            if scope in ("All", "Local"):
                policies += store.all_of(tx, account, "policy")
            out = []
            for policy in policies:
                used, bounds = attachments.get(policy.arn, 0), boundaries.get(policy.arn, 0)
                if not policy.path.startswith(prefix) or (only_attached and not used):
                    continue
                if usage == "PermissionsBoundary" and not bounds:
                    continue
                shape = policy_shape(policy, used, bounds, with_tags=False)
                shape.pop("Description", None)  # ListPolicies leaves descriptions out
                out.append(shape)
            return out

        return page(await self.store.read(read), "Policies", marker, max_items)

    # --- versions ---------------------------------------------------------------------------------------------

    async def create_policy_version(
        self, account: str, policy_arn: str, document: str, set_as_default: bool
    ) -> dict[str, Any]:
        check_document(document, limit=MANAGED_POLICY_CHARS)
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            policy = _customer(tx, account, policy_arn)
            if len(store.versions(tx, policy.id)) >= POLICY_VERSIONS:
                raise LimitExceeded(
                    f"A managed policy can have up to {POLICY_VERSIONS} versions. Before you create a new version, "
                    "you must delete an existing version."
                )
            version_id = f"v{policy.data['NextVersion']}"
            policy.data["NextVersion"] += 1
            store.add_version(tx, policy.id, version_id, document, now)
            if set_as_default:
                policy.data["DefaultVersionId"] = version_id
                policy.data["UpdateDate"] = now
            store.save(tx, policy)
            return {"VersionId": version_id, "IsDefaultVersion": set_as_default, "CreateDate": now}

        return await self.store.write(write)

    async def get_policy_version(self, account: str, policy_arn: str, version_id: str) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            policy = require_policy(tx, account, policy_arn)
            if isinstance(policy, AwsPolicy):
                if version_id != policy.version:
                    raise _no_version(policy.arn, version_id)
                return {
                    "Document": encode_document(policy.document),
                    "VersionId": version_id,
                    "IsDefaultVersion": True,
                    "CreateDate": policy.updated_at,
                }
            for vid, document, created in store.versions(tx, policy.id):
                if vid == version_id:
                    return {
                        "Document": encode_document(document),
                        "VersionId": vid,
                        "IsDefaultVersion": vid == policy.data["DefaultVersionId"],
                        "CreateDate": created,
                    }
            raise _no_version(policy.arn, version_id)

        return await self.store.read(read)

    async def list_policy_versions(
        self, account: str, policy_arn: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            policy = require_policy(tx, account, policy_arn)
            if isinstance(policy, AwsPolicy):
                return [{"VersionId": policy.version, "IsDefaultVersion": True, "CreateDate": policy.updated_at}]
            default = policy.data["DefaultVersionId"]
            return [
                {"VersionId": vid, "IsDefaultVersion": vid == default, "CreateDate": created}
                for vid, _, created in store.versions(tx, policy.id)
            ]

        return page(await self.store.read(read), "Versions", marker, max_items)

    async def delete_policy_version(self, account: str, policy_arn: str, version_id: str) -> None:
        def write(tx: Tx) -> None:
            policy = _customer(tx, account, policy_arn)
            _check_version(tx, policy, version_id)
            if version_id == policy.data["DefaultVersionId"]:
                raise DeleteConflict("Cannot delete the default version of a policy.")
            store.delete_version(tx, policy.id, version_id)

        await self.store.write(write)

    async def set_default_policy_version(self, account: str, policy_arn: str, version_id: str) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            policy = _customer(tx, account, policy_arn)
            _check_version(tx, policy, version_id)
            policy.data["DefaultVersionId"] = version_id
            policy.data["UpdateDate"] = now
            store.save(tx, policy)

        await self.store.write(write)

    # --- tags and entities -----------------------------------------------------------------------------------

    async def tag_policy(self, account: str, policy_arn: str, tags: list[dict[str, str]]) -> None:
        await self._retag_policy(account, policy_arn, lambda current: merge_tags(current, tags))

    async def untag_policy(self, account: str, policy_arn: str, keys: list[str]) -> None:
        await self._retag_policy(account, policy_arn, lambda current: drop_tags(current, keys))

    async def _retag_policy(
        self, account: str, policy_arn: str, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]
    ) -> None:
        def write(tx: Tx) -> None:
            policy = _customer(tx, account, policy_arn)
            policy.data["Tags"] = change(list(policy.data.get("Tags") or []))
            store.save(tx, policy)

        await self.store.write(write)

    async def list_policy_tags(
        self, account: str, policy_arn: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        policy = await self.store.read(lambda tx: require_policy(tx, account, policy_arn))
        tags = [] if isinstance(policy, AwsPolicy) else list(policy.data.get("Tags") or [])
        return page(tags, "Tags", marker, max_items)

    async def list_entities_for_policy(
        self,
        account: str,
        policy_arn: str,
        path_prefix: str | None,
        entity_filter: str | None,
        usage: str | None,
        marker: str | None,
        max_items: int | None,
    ) -> dict[str, Any]:
        """ListEntitiesForPolicy's answer: the page's PolicyRoles, PolicyUsers and PolicyGroups."""
        prefix = path_prefix or "/"
        kinds = _ENTITY_KINDS.get(entity_filter or "", {"role", "user", "group"})

        def read(tx: Tx) -> list[Entity]:
            policy = require_policy(tx, account, policy_arn)
            found = [] if usage == "PermissionsBoundary" else store.attached_to(tx, account, policy.arn)
            if usage != "PermissionsPolicy":
                found += [
                    e
                    for kind in ("role", "user")
                    for e in store.all_of(tx, account, kind)
                    if e.data.get("PermissionsBoundary") == policy.arn
                ]
            return [e for e in found if e.kind in kinds and e.path.startswith(prefix)]

        out = page(await self.store.read(read), "Entities", marker, max_items)
        chunk = out.pop("Entities")
        out["PolicyRoles"] = [{"RoleName": e.name, "RoleId": e.entity_id} for e in chunk if e.kind == "role"]
        out["PolicyUsers"] = [{"UserName": e.name, "UserId": e.entity_id} for e in chunk if e.kind == "user"]
        out["PolicyGroups"] = [{"GroupName": e.name, "GroupId": e.entity_id} for e in chunk if e.kind == "group"]
        return out
