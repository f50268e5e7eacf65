"""Role operations: create, read, update, delete, list, tags, permissions boundaries and service-linked roles."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateRole")
async def create_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    role = await backend(ctx).create_role(
        ctx.account,
        req["RoleName"],
        req.get("Path"),
        req["AssumeRolePolicyDocument"],
        req.get("Description"),
        req.get("MaxSessionDuration"),
        req.get("Tags") or [],
        req.get("PermissionsBoundary"),
    )
    return {"Role": role}


@SERVICE.op("GetRole")
async def get_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Role": await backend(ctx).get_role(ctx.account, req["RoleName"])}


@SERVICE.op("UpdateRole")
async def update_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_role(ctx.account, req["RoleName"], req.get("Description"), req.get("MaxSessionDuration"))
    return {}


@SERVICE.op("UpdateRoleDescription")
async def update_role_description(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Role": await backend(ctx).update_role_description(ctx.account, req["RoleName"], req["Description"])}


@SERVICE.op("UpdateAssumeRolePolicy")
async def update_assume_role_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_assume_role_policy(ctx.account, req["RoleName"], req["PolicyDocument"])
    return {}


@SERVICE.op("DeleteRole")
async def delete_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_role(ctx.account, req["RoleName"])
    return {}


@SERVICE.op("ListRoles")
async def list_roles(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_roles(ctx.account, req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems"))


@SERVICE.op("PutRolePermissionsBoundary")
async def put_role_permissions_boundary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_role_permissions_boundary(ctx.account, req["RoleName"], req["PermissionsBoundary"])
    return {}


@SERVICE.op("DeleteRolePermissionsBoundary")
async def delete_role_permissions_boundary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_role_permissions_boundary(ctx.account, req["RoleName"])
    return {}


@SERVICE.op("TagRole")
async def tag_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_entity(ctx.account, "role", req["RoleName"], req["Tags"])
    return {}


@SERVICE.op("UntagRole")
async def untag_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_entity(ctx.account, "role", req["RoleName"], req["TagKeys"])
    return {}


@SERVICE.op("ListRoleTags")
async def list_role_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_entity_tags(
        ctx.account, "role", req["RoleName"], req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("CreateServiceLinkedRole")
async def create_service_linked_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    role = await backend(ctx).create_service_linked_role(
        ctx.account, req["AWSServiceName"], req.get("Description"), req.get("CustomSuffix")
    )
    return {"Role": role}


@SERVICE.op("DeleteServiceLinkedRole")
async def delete_service_linked_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"DeletionTaskId": await backend(ctx).delete_service_linked_role(ctx.account, req["RoleName"])}


@SERVICE.op("GetServiceLinkedRoleDeletionStatus")
async def get_service_linked_role_deletion_status(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Status": await backend(ctx).service_linked_role_deletion_status(req["DeletionTaskId"])}
