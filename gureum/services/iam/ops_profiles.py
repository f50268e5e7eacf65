"""Instance profile operations: create, read, delete, list, their one role, and tags."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateInstanceProfile")
async def create_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    profile = await backend(ctx).create_instance_profile(
        ctx.account, req["InstanceProfileName"], req.get("Path"), req.get("Tags") or []
    )
    return {"InstanceProfile": profile}


@SERVICE.op("GetInstanceProfile")
async def get_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"InstanceProfile": await backend(ctx).get_instance_profile(ctx.account, req["InstanceProfileName"])}


@SERVICE.op("DeleteInstanceProfile")
async def delete_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_instance_profile(ctx.account, req["InstanceProfileName"])
    return {}


@SERVICE.op("ListInstanceProfiles")
async def list_instance_profiles(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_instance_profiles(
        ctx.account, req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("AddRoleToInstanceProfile")
async def add_role_to_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).add_role_to_instance_profile(ctx.account, req["InstanceProfileName"], req["RoleName"])
    return {}


@SERVICE.op("RemoveRoleFromInstanceProfile")
async def remove_role_from_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).remove_role_from_instance_profile(ctx.account, req["InstanceProfileName"], req["RoleName"])
    return {}


@SERVICE.op("ListInstanceProfilesForRole")
async def list_instance_profiles_for_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_instance_profiles_for_role(
        ctx.account, req["RoleName"], req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("TagInstanceProfile")
async def tag_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_entity(ctx.account, "instance-profile", req["InstanceProfileName"], req["Tags"])
    return {}


@SERVICE.op("UntagInstanceProfile")
async def untag_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_entity(ctx.account, "instance-profile", req["InstanceProfileName"], req["TagKeys"])
    return {}


@SERVICE.op("ListInstanceProfileTags")
async def list_instance_profile_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_entity_tags(
        ctx.account, "instance-profile", req["InstanceProfileName"], req.get("Marker"), req.get("MaxItems")
    )
