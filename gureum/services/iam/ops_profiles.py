"""Instance profiles: create, read, delete, list, their one role, and tags."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import DeleteConflict, LimitExceeded, NoSuchEntity
from .model import ROLES_PER_INSTANCE_PROFILE, merge_tags, page
from .resources import claim, create, list_tags, profile_shape, require, tag


@SERVICE.op("CreateInstanceProfile")
async def create_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    data = {"Tags": merge_tags([], req.get("Tags") or [])}

    def write(tx: Tx) -> dict[str, Any]:
        return profile_shape(tx, create(tx, ctx, "instance-profile", req["InstanceProfileName"], req.get("Path"), data))

    return {"InstanceProfile": await ctx.runtime.store.write(write)}


@SERVICE.op("GetInstanceProfile")
async def get_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> dict[str, Any]:
        return profile_shape(tx, require(tx, ctx.account, "instance-profile", req["InstanceProfileName"]))

    return {"InstanceProfile": await ctx.runtime.store.read(read)}


@SERVICE.op("DeleteInstanceProfile")
async def delete_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        profile = claim(tx, ctx.account, "instance-profile", req["InstanceProfileName"])
        if store.children(tx, profile.id):
            raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
        store.delete(tx, profile)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListInstanceProfiles")
async def list_instance_profiles(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    prefix = req.get("PathPrefix") or "/"

    def read(tx: Tx) -> list[dict[str, Any]]:
        return [
            profile_shape(tx, p) for p in store.all_of(tx, ctx.account, "instance-profile") if p.path.startswith(prefix)
        ]

    return page(await ctx.runtime.store.read(read), req, lambda p: p, "InstanceProfiles")


@SERVICE.op("AddRoleToInstanceProfile")
async def add_role_to_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        profile = claim(tx, ctx.account, "instance-profile", req["InstanceProfileName"])
        role = claim(tx, ctx.account, "role", req["RoleName"])
        if len(store.children(tx, profile.id)) >= ROLES_PER_INSTANCE_PROFILE:
            raise LimitExceeded(
                f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_INSTANCE_PROFILE}"
            )
        store.add_member(tx, profile.id, role.id, ctx.runtime.clock.now())

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("RemoveRoleFromInstanceProfile")
async def remove_role_from_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        profile = claim(tx, ctx.account, "instance-profile", req["InstanceProfileName"])
        role = claim(tx, ctx.account, "role", req["RoleName"])
        if not store.remove_member(tx, profile.id, role.id):
            raise NoSuchEntity(f"The role with name {role.name} cannot be found.")

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListInstanceProfilesForRole")
async def list_instance_profiles_for_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> list[dict[str, Any]]:
        role = require(tx, ctx.account, "role", req["RoleName"])
        return [profile_shape(tx, p) for p in store.parents(tx, role.id)]

    return page(await ctx.runtime.store.read(read), req, lambda p: p, "InstanceProfiles")


@SERVICE.op("TagInstanceProfile")
async def tag_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await tag(ctx, "instance-profile", req["InstanceProfileName"], new=req["Tags"])
    return {}


@SERVICE.op("UntagInstanceProfile")
async def untag_instance_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await tag(ctx, "instance-profile", req["InstanceProfileName"], keys=req["TagKeys"])
    return {}


@SERVICE.op("ListInstanceProfileTags")
async def list_instance_profile_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await list_tags(ctx, "instance-profile", req["InstanceProfileName"], req)
