"""Role operations: create, read, update, delete, list, tags, permissions boundaries and service-linked roles."""

from __future__ import annotations

import uuid
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import DeleteConflict, InvalidInput, NoSuchEntity, UnmodifiableEntity
from .model import TRUST_POLICY_CHARS, check_document, merge_tags, page
from .resources import claim, create, list_tags, require, require_policy, role_shape, tag

_SLR_PATH = "/aws-service-role/"
# role names AWS gives service-linked roles (the rest follow AWSServiceRoleFor + the service's first label)
_SLR_NAMES = {
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "ops.apigateway.amazonaws.com": "AWSServiceRoleForAPIGateway",
    "rds.amazonaws.com": "AWSServiceRoleForRDS",
    "es.amazonaws.com": "AWSServiceRoleForAmazonElasticsearchService",
    "opensearchservice.amazonaws.com": "AWSServiceRoleForAmazonOpenSearchService",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "lambda.amazonaws.com": "AWSServiceRoleForLambda",
    "replicator.lambda.amazonaws.com": "AWSServiceRoleForLambdaReplicator",
    "events.amazonaws.com": "AWSServiceRoleForCloudWatchEvents",
    "organizations.amazonaws.com": "AWSServiceRoleForOrganizations",
    "support.amazonaws.com": "AWSServiceRoleForSupport",
    "trustedadvisor.amazonaws.com": "AWSServiceRoleForTrustedAdvisor",
}


def _protected(role: Any) -> None:
    if role.path.startswith(_SLR_PATH):
        raise UnmodifiableEntity(
            f"Cannot perform the operation on the protected role '{role.name}' - this role is only modifiable by AWS"
        )


@SERVICE.op("CreateRole")
async def create_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    document = req["AssumeRolePolicyDocument"]
    check_document(document, trust=True, limit=TRUST_POLICY_CHARS)
    data = {
        "AssumeRolePolicyDocument": document,
        "Description": req.get("Description"),
        "MaxSessionDuration": req.get("MaxSessionDuration") or 3600,
        "Tags": merge_tags([], req.get("Tags") or []),
    }

    def write(tx: Tx) -> dict[str, Any]:
        if req.get("PermissionsBoundary"):
            require_policy(tx, ctx.account, req["PermissionsBoundary"])
            data["PermissionsBoundary"] = req["PermissionsBoundary"]
        return role_shape(create(tx, ctx, "role", req["RoleName"], req.get("Path"), data))

    return {"Role": await ctx.runtime.store.write(write)}


@SERVICE.op("GetRole")
async def get_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    role = await ctx.runtime.store.read(lambda tx: require(tx, ctx.account, "role", req["RoleName"]))
    return {"Role": role_shape(role)}


async def _update(ctx: RequestContext, name: str, change: Any) -> Any:
    def write(tx: Tx) -> Any:
        role = claim(tx, ctx.account, "role", name)
        _protected(role)
        change(tx, role)
        store.save(tx, role)
        return role

    return await ctx.runtime.store.write(write)


@SERVICE.op("UpdateRole")
async def update_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def change(tx: Tx, role: Any) -> None:
        if "Description" in req:
            role.data["Description"] = req["Description"]
        if req.get("MaxSessionDuration"):
            role.data["MaxSessionDuration"] = req["MaxSessionDuration"]

    await _update(ctx, req["RoleName"], change)
    return {}


@SERVICE.op("UpdateRoleDescription")
async def update_role_description(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    role = await _update(
        ctx, req["RoleName"], lambda tx, role: role.data.__setitem__("Description", req["Description"])
    )
    return {"Role": role_shape(role)}


@SERVICE.op("UpdateAssumeRolePolicy")
async def update_assume_role_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_document(req["PolicyDocument"], trust=True, limit=TRUST_POLICY_CHARS)
    await _update(
        ctx, req["RoleName"], lambda tx, role: role.data.__setitem__("AssumeRolePolicyDocument", req["PolicyDocument"])
    )
    return {}


@SERVICE.op("DeleteRole")
async def delete_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        role = claim(tx, ctx.account, "role", req["RoleName"])
        _protected(role)
        if store.parents(tx, role.id):
            raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
        if store.attached(tx, role.id):
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        if store.inline_policies(tx, role.id):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        store.delete(tx, role)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListRoles")
async def list_roles(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    prefix = req.get("PathPrefix") or "/"
    roles = await ctx.runtime.store.read(lambda tx: store.all_of(tx, ctx.account, "role"))
    return page([r for r in roles if r.path.startswith(prefix)], req, lambda r: role_shape(r, full=False), "Roles")


@SERVICE.op("PutRolePermissionsBoundary")
async def put_role_permissions_boundary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def change(tx: Tx, role: Any) -> None:
        require_policy(tx, ctx.account, req["PermissionsBoundary"])
        role.data["PermissionsBoundary"] = req["PermissionsBoundary"]

    await _update(ctx, req["RoleName"], change)
    return {}


@SERVICE.op("DeleteRolePermissionsBoundary")
async def delete_role_permissions_boundary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def change(tx: Tx, role: Any) -> None:
        if not role.data.pop("PermissionsBoundary", None):
            raise NoSuchEntity(f"The permissions boundary for the role with name {role.name} cannot be found.")

    await _update(ctx, req["RoleName"], change)
    return {}


# --- tags -----------------------------------------------------------------------------------------------------


@SERVICE.op("TagRole")
async def tag_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await tag(ctx, "role", req["RoleName"], new=req["Tags"])
    return {}


@SERVICE.op("UntagRole")
async def untag_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await tag(ctx, "role", req["RoleName"], keys=req["TagKeys"])
    return {}


@SERVICE.op("ListRoleTags")
async def list_role_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await list_tags(ctx, "role", req["RoleName"], req)


# --- service-linked roles ---------------------------------------------------------------------------------------


def _slr_name(service: str, suffix: str | None) -> str:
    name = _SLR_NAMES.get(service) or "AWSServiceRoleFor" + "".join(
        part[:1].upper() + part[1:] for part in service.split(".")[0].split("-")
    )
    return f"{name}_{suffix}" if suffix else name


@SERVICE.op("CreateServiceLinkedRole")
async def create_service_linked_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    service = req["AWSServiceName"]
    if not service.endswith(".amazonaws.com"):
        raise InvalidInput(f"Invalid service name: {service}")
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"'
        + service
        + '"},"Action":"sts:AssumeRole"}]}'
    )
    data = {
        "AssumeRolePolicyDocument": trust,
        "Description": req.get("Description"),
        "MaxSessionDuration": 3600,
        "Tags": [],
    }
    name = _slr_name(service, req.get("CustomSuffix"))
    role = await ctx.runtime.store.write(lambda tx: create(tx, ctx, "role", name, f"{_SLR_PATH}{service}/", data))
    return {"Role": role_shape(role)}


@SERVICE.op("DeleteServiceLinkedRole")
async def delete_service_linked_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> str:
        role = claim(tx, ctx.account, "role", req["RoleName"])
        if not role.path.startswith(_SLR_PATH):
            raise InvalidInput(f"Role {role.name} is not a service-linked role.")
        store.delete(tx, role)
        return f"task{role.path}{role.name}/{uuid.uuid4()}"

    return {"DeletionTaskId": await ctx.runtime.store.write(write)}


@SERVICE.op("GetServiceLinkedRoleDeletionStatus")
async def get_service_linked_role_deletion_status(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    # a deletion completes inside DeleteServiceLinkedRole's transaction
    if not req["DeletionTaskId"].startswith("task" + _SLR_PATH):
        raise InvalidInput(f"Invalid deletion task id: {req['DeletionTaskId']}")
    return {"Status": "SUCCEEDED"}
