"""Managed policies: customer policies with up to five versions, AWS's catalogue, tags and ListEntitiesForPolicy."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import DeleteConflict, LimitExceeded, NoSuchEntity, UnmodifiableEntity
from .managed import AWS_POLICIES, AwsPolicy
from .model import MANAGED_POLICY_CHARS, POLICY_VERSIONS, check_document, drop_tags, encode_document, merge_tags, page
from .resources import boundary_counts, create, policy_shape, require_policy
from .store import Entity


def _customer(tx: Tx, account: str, policy_arn: str) -> Entity:
    """A customer managed policy about to change, its row locked until commit (version numbers stay exact)."""
    policy = store.claim_arn(tx, account, "policy", policy_arn)
    if policy is None:
        aws_policy = require_policy(tx, account, policy_arn)  # InvalidInput / NoSuchEntity, or an AWS policy
        raise UnmodifiableEntity(f"Policy {aws_policy.arn} is an AWS managed policy and cannot be modified.")
    return policy


def _shape(tx: Tx, account: str, policy: Entity | AwsPolicy, *, with_tags: bool = True) -> dict[str, Any]:
    return policy_shape(
        policy,
        store.attachment_counts(tx, account).get(policy.arn, 0),
        boundary_counts(tx, account).get(policy.arn, 0),
        with_tags=with_tags,
    )


@SERVICE.op("CreatePolicy")
async def create_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    document = req["PolicyDocument"]
    check_document(document, limit=MANAGED_POLICY_CHARS)
    now = ctx.runtime.clock.now()
    data = {
        "Description": req.get("Description"),
        "DefaultVersionId": "v1",
        "NextVersion": 2,
        "UpdateDate": now,
        "Tags": merge_tags([], req.get("Tags") or []),
    }

    def write(tx: Tx) -> dict[str, Any]:
        policy = create(tx, ctx, "policy", req["PolicyName"], req.get("Path"), data)
        store.add_version(tx, policy.id, "v1", document, now)
        out = policy_shape(policy, 0, 0)
        out.pop("Description")  # CreatePolicy's answer leaves the description out, as AWS's does
        return out

    return {"Policy": await ctx.runtime.store.write(write)}


@SERVICE.op("GetPolicy")
async def get_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "Policy": await ctx.runtime.store.read(
            lambda tx: _shape(tx, ctx.account, require_policy(tx, ctx.account, req["PolicyArn"]))
        )
    }


@SERVICE.op("DeletePolicy")
async def delete_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        policy = _customer(tx, ctx.account, req["PolicyArn"])
        if store.attachment_counts(tx, ctx.account).get(policy.arn):
            raise DeleteConflict("Cannot delete a policy attached to entities.")
        if len(store.versions(tx, policy.id)) > 1:
            raise DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. "
                "The default version is deleted with the policy."
            )
        store.delete(tx, policy)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListPolicies")
async def list_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    scope = req.get("Scope") or "All"
    prefix = req.get("PathPrefix") or "/"
    usage = req.get("PolicyUsageFilter")

    def read(tx: Tx) -> list[dict[str, Any]]:
        attachments = store.attachment_counts(tx, ctx.account)
        boundaries = boundary_counts(tx, ctx.account)
        policies: list[Entity | AwsPolicy] = []
        if scope in ("All", "AWS"):
            policies += sorted(AWS_POLICIES.values(), key=lambda p: p.name.lower())
        if scope in ("All", "Local"):
            policies += store.all_of(tx, ctx.account, "policy")
        out = []
        for policy in policies:
            used, bounds = attachments.get(policy.arn, 0), boundaries.get(policy.arn, 0)
            if not policy.path.startswith(prefix) or (req.get("OnlyAttached") and not used):
                continue
            if usage == "PermissionsBoundary" and not bounds:
                continue
            shape = policy_shape(policy, used, bounds, with_tags=False)
            shape.pop("Description", None)  # ListPolicies leaves descriptions out
            out.append(shape)
        return out

    return page(await ctx.runtime.store.read(read), req, lambda p: p, "Policies")


# --- versions ---------------------------------------------------------------------------------------------------


def _no_version(policy_arn: str, version_id: str) -> Exception:
    return NoSuchEntity(f"Policy {policy_arn} version {version_id} does not exist or is not attachable.")


@SERVICE.op("CreatePolicyVersion")
async def create_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    document = req["PolicyDocument"]
    check_document(document, limit=MANAGED_POLICY_CHARS)
    now = ctx.runtime.clock.now()

    def write(tx: Tx) -> dict[str, Any]:
        policy = _customer(tx, ctx.account, req["PolicyArn"])
        if len(store.versions(tx, policy.id)) >= POLICY_VERSIONS:
            raise LimitExceeded(
                f"A managed policy can have up to {POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version."
            )
        version_id = f"v{policy.data['NextVersion']}"
        policy.data["NextVersion"] += 1
        store.add_version(tx, policy.id, version_id, document, now)
        if req.get("SetAsDefault"):
            policy.data["DefaultVersionId"] = version_id
            policy.data["UpdateDate"] = now
        store.save(tx, policy)
        return {"VersionId": version_id, "IsDefaultVersion": bool(req.get("SetAsDefault")), "CreateDate": now}

    return {"PolicyVersion": await ctx.runtime.store.write(write)}


@SERVICE.op("GetPolicyVersion")
async def get_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    version_id = req["VersionId"]

    def read(tx: Tx) -> dict[str, Any]:
        policy = require_policy(tx, ctx.account, req["PolicyArn"])
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

    return {"PolicyVersion": await ctx.runtime.store.read(read)}


@SERVICE.op("ListPolicyVersions")
async def list_policy_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> list[dict[str, Any]]:
        policy = require_policy(tx, ctx.account, req["PolicyArn"])
        if isinstance(policy, AwsPolicy):
            return [{"VersionId": policy.version, "IsDefaultVersion": True, "CreateDate": policy.updated_at}]
        default = policy.data["DefaultVersionId"]
        return [
            {"VersionId": vid, "IsDefaultVersion": vid == default, "CreateDate": created}
            for vid, _, created in store.versions(tx, policy.id)
        ]

    return page(await ctx.runtime.store.read(read), req, lambda v: v, "Versions")


@SERVICE.op("DeletePolicyVersion")
async def delete_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        policy = _customer(tx, ctx.account, req["PolicyArn"])
        if req["VersionId"] not in {vid for vid, _, _ in store.versions(tx, policy.id)}:
            raise _no_version(policy.arn, req["VersionId"])
        if req["VersionId"] == policy.data["DefaultVersionId"]:
            raise DeleteConflict("Cannot delete the default version of a policy.")
        store.delete_version(tx, policy.id, req["VersionId"])

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("SetDefaultPolicyVersion")
async def set_default_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        policy = _customer(tx, ctx.account, req["PolicyArn"])
        if req["VersionId"] not in {vid for vid, _, _ in store.versions(tx, policy.id)}:
            raise _no_version(policy.arn, req["VersionId"])
        policy.data["DefaultVersionId"] = req["VersionId"]
        policy.data["UpdateDate"] = ctx.runtime.clock.now()
        store.save(tx, policy)

    await ctx.runtime.store.write(write)
    return {}


# --- tags and entities ----------------------------------------------------------------------------------------


async def _retag(ctx: RequestContext, policy_arn: str, change: Any) -> None:
    def write(tx: Tx) -> None:
        policy = _customer(tx, ctx.account, policy_arn)
        policy.data["Tags"] = change(list(policy.data.get("Tags") or []))
        store.save(tx, policy)

    await ctx.runtime.store.write(write)


@SERVICE.op("TagPolicy")
async def tag_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _retag(ctx, req["PolicyArn"], lambda tags: merge_tags(tags, req["Tags"]))
    return {}


@SERVICE.op("UntagPolicy")
async def untag_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _retag(ctx, req["PolicyArn"], lambda tags: drop_tags(tags, req["TagKeys"]))
    return {}


@SERVICE.op("ListPolicyTags")
async def list_policy_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    policy = await ctx.runtime.store.read(lambda tx: require_policy(tx, ctx.account, req["PolicyArn"]))
    tags = [] if isinstance(policy, AwsPolicy) else list(policy.data.get("Tags") or [])
    return page(tags, req, lambda t: t, "Tags")


@SERVICE.op("ListEntitiesForPolicy")
async def list_entities_for_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    prefix = req.get("PathPrefix") or "/"
    wanted = req.get("EntityFilter")
    usage = req.get("PolicyUsageFilter")

    def read(tx: Tx) -> list[Entity]:
        policy = require_policy(tx, ctx.account, req["PolicyArn"])
        found = [] if usage == "PermissionsBoundary" else store.attached_to(tx, ctx.account, policy.arn)
        if usage != "PermissionsPolicy":
            found += [
                e
                for kind in ("role", "user")
                for e in store.all_of(tx, ctx.account, kind)
                if e.data.get("PermissionsBoundary") == policy.arn
            ]
        kinds = {
            "Role": {"role"},
            "User": {"user"},
            "Group": {"group"},
            "LocalManagedPolicy": set(),
            "AWSManagedPolicy": set(),
        }.get(wanted or "", {"role", "user", "group"})
        return [e for e in found if e.kind in kinds and e.path.startswith(prefix)]

    entities = await ctx.runtime.store.read(read)
    out = page(entities, req, lambda e: e, "Entities")
    chunk = out.pop("Entities")
    out["PolicyRoles"] = [{"RoleName": e.name, "RoleId": e.entity_id} for e in chunk if e.kind == "role"]
    out["PolicyUsers"] = [{"UserName": e.name, "UserId": e.entity_id} for e in chunk if e.kind == "user"]
    out["PolicyGroups"] = [{"GroupName": e.name, "GroupId": e.entity_id} for e in chunk if e.kind == "group"]
    return out
