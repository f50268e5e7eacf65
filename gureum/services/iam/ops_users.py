"""Users, groups and access keys.  An access key IAM issues encodes its account (gureum.aws.auth), so requests
signed with it act in the user's account on every node, and strict mode knows its secret."""

from __future__ import annotations

from typing import Any

from ...aws.auth import issue_access_key, issued_secret
from ...aws.context import RequestContext
from ...ports import KeyOwner
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, store
from .errors import DeleteConflict, LimitExceeded, NoSuchEntity, already_exists
from .model import ACCESS_KEYS_PER_USER, arn, merge_tags, page
from .resources import claim, create, group_shape, list_tags, require, require_policy, tag, user_shape


@SERVICE.op("CreateUser")
async def create_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"Tags": merge_tags([], req.get("Tags") or [])}

    def write(tx: Tx) -> dict[str, Any]:
        if req.get("PermissionsBoundary"):
            require_policy(tx, ctx.account, req["PermissionsBoundary"])
            data["PermissionsBoundary"] = req["PermissionsBoundary"]
        return user_shape(create(tx, ctx, "user", req["UserName"], req.get("Path"), data))

    return {"User": await ctx.runtime.store.write(write)}


@SERVICE.op("GetUser")
async def get_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("UserName"):
        return {
            "User": user_shape(
                await ctx.runtime.store.read(lambda tx: require(tx, ctx.account, "user", req["UserName"]))
            )
        }

    # without a name, GetUser describes the caller: the user whose access key signed the request, else the root
    user = await _key_user(ctx.runtime, ctx.account, ctx.access_key)
    if user is not None:
        return {"User": user_shape(user)}
    return {
        "User": {
            "Path": "/",
            "UserName": "root",
            "UserId": ctx.account,
            "Arn": f"arn:aws:iam::{ctx.account}:root",
            "CreateDate": 0.0,
        }
    }


async def _key_user(runtime: Runtime, account: str, access_key: str | None) -> Any:
    """The IAM user an access key belongs to, or None."""

    def read(tx: Tx) -> Any:
        key = store.access_key(tx, account, access_key) if access_key else None
        return store.by_id(tx, key[0]) if key else None

    return await runtime.store.read(read)


class KeyOwnerPort:
    """The KeyOwner port: STS answers GetCallerIdentity with the IAM user an access key belongs to."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def owner(self, account: str, access_key: str) -> dict[str, str] | None:
        """{"UserId", "Arn"} of the IAM user an access key belongs to, None when it is no user's key."""
        user = await _key_user(self.runtime, account, access_key)
        return None if user is None else {"UserId": user.entity_id, "Arn": user.arn}


@SERVICE.on_start
async def _provide(runtime: Runtime) -> None:
    runtime.provide(KeyOwner, KeyOwnerPort(runtime))


async def _rename(ctx: RequestContext, kind: str, name: str, new_name: str | None, new_path: str | None) -> None:
    def write(tx: Tx) -> None:
        entity = claim(tx, ctx.account, kind, name)
        target_name, target_path = new_name or entity.name, new_path or entity.path
        if not store.rename(tx, entity, target_name, target_path, arn(ctx.account, kind, target_path, target_name)):
            raise already_exists(kind, target_name)

    await ctx.runtime.store.write(write)


@SERVICE.op("UpdateUser")
async def update_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _rename(ctx, "user", req["UserName"], req.get("NewUserName"), req.get("NewPath"))
    return {}


@SERVICE.op("UpdateGroup")
async def update_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _rename(ctx, "group", req["GroupName"], req.get("NewGroupName"), req.get("NewPath"))
    return {}


@SERVICE.op("DeleteUser")
async def delete_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        user = claim(tx, ctx.account, "user", req["UserName"])
        if store.attached(tx, user.id) or store.inline_policies(tx, user.id):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if store.access_keys(tx, user.id):
            raise DeleteConflict("Cannot delete entity, must delete access keys first.")
        if store.parents(tx, user.id):
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        store.delete(tx, user)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListUsers")
async def list_users(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    prefix = req.get("PathPrefix") or "/"
    users = await ctx.runtime.store.read(lambda tx: store.all_of(tx, ctx.account, "user"))
    return page([u for u in users if u.path.startswith(prefix)], req, lambda u: user_shape(u, full=False), "Users")


@SERVICE.op("TagUser")
async def tag_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await tag(ctx, "user", req["UserName"], new=req["Tags"])
    return {}


@SERVICE.op("UntagUser")
async def untag_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await tag(ctx, "user", req["UserName"], keys=req["TagKeys"])
    return {}


@SERVICE.op("ListUserTags")
async def list_user_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await list_tags(ctx, "user", req["UserName"], req)


# --- groups -------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateGroup")
async def create_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    group = await ctx.runtime.store.write(lambda tx: create(tx, ctx, "group", req["GroupName"], req.get("Path"), {}))
    return {"Group": group_shape(group)}


@SERVICE.op("GetGroup")
async def get_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> tuple[Any, list[Any]]:
        group = require(tx, ctx.account, "group", req["GroupName"])
        return group, store.children(tx, group.id)

    group, users = await ctx.runtime.store.read(read)
    return {"Group": group_shape(group)} | page(users, req, lambda u: user_shape(u, full=False), "Users")


@SERVICE.op("DeleteGroup")
async def delete_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        group = claim(tx, ctx.account, "group", req["GroupName"])
        if store.attached(tx, group.id) or store.inline_policies(tx, group.id):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if store.children(tx, group.id):
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        store.delete(tx, group)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListGroups")
async def list_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    prefix = req.get("PathPrefix") or "/"
    groups = await ctx.runtime.store.read(lambda tx: store.all_of(tx, ctx.account, "group"))
    return page([g for g in groups if g.path.startswith(prefix)], req, group_shape, "Groups")


@SERVICE.op("AddUserToGroup")
async def add_user_to_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        group = claim(tx, ctx.account, "group", req["GroupName"])
        user = claim(tx, ctx.account, "user", req["UserName"])
        store.add_member(tx, group.id, user.id, ctx.runtime.clock.now())

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("RemoveUserFromGroup")
async def remove_user_from_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        group = claim(tx, ctx.account, "group", req["GroupName"])
        user = claim(tx, ctx.account, "user", req["UserName"])
        if not store.remove_member(tx, group.id, user.id):
            raise NoSuchEntity(f"User {user.name} is not in group {group.name}.")

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListGroupsForUser")
async def list_groups_for_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> list[Any]:
        return store.parents(tx, require(tx, ctx.account, "user", req["UserName"]).id)

    return page(await ctx.runtime.store.read(read), req, group_shape, "Groups")


# --- access keys -------------------------------------------------------------------------------------------------


def _key_owner(tx: Tx, ctx: RequestContext, req: dict[str, Any]) -> Any:
    user = require(tx, ctx.account, "user", req["UserName"]) if req.get("UserName") else None
    found = store.access_key(tx, ctx.account, req["AccessKeyId"])
    if found is None or (user is not None and found[0] != user.id):
        raise NoSuchEntity(f"The Access Key with id {req['AccessKeyId']} cannot be found.")
    return found


@SERVICE.op("CreateAccessKey")
async def create_access_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if not req.get("UserName"):
        raise NoSuchEntity("The user with name root cannot be found.")  # gureum keeps no root keys
    now = ctx.runtime.clock.now()
    key = issue_access_key(ctx.account)

    def write(tx: Tx) -> str:
        user = claim(tx, ctx.account, "user", req["UserName"])
        if len(store.access_keys(tx, user.id)) >= ACCESS_KEYS_PER_USER:
            raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
        store.add_access_key(tx, key, ctx.account, user.id, now)
        return user.name

    name = await ctx.runtime.store.write(write)
    secret = issued_secret(ctx.runtime.deployment_secret, key)
    return {
        "AccessKey": {
            "UserName": name,
            "AccessKeyId": key,
            "Status": "Active",
            "SecretAccessKey": secret,
            "CreateDate": now,
        }
    }


@SERVICE.op("ListAccessKeys")
async def list_access_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if not req.get("UserName"):
        return {"AccessKeyMetadata": [], "IsTruncated": False}

    def read(tx: Tx) -> list[dict[str, Any]]:
        user = require(tx, ctx.account, "user", req["UserName"])
        return [
            {"UserName": user.name, "AccessKeyId": k, "Status": s, "CreateDate": c}
            for k, s, c in store.access_keys(tx, user.id)
        ]

    return page(await ctx.runtime.store.read(read), req, lambda k: k, "AccessKeyMetadata")


@SERVICE.op("UpdateAccessKey")
async def update_access_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        _key_owner(tx, ctx, req)
        store.set_access_key_status(tx, req["AccessKeyId"], req["Status"])

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("DeleteAccessKey")
async def delete_access_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        _key_owner(tx, ctx, req)
        store.delete_access_key(tx, req["AccessKeyId"])

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("GetAccessKeyLastUsed")
async def get_access_key_last_used(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> str:
        owner_id, _, _ = _key_owner(tx, ctx, req)
        user = store.by_id(tx, owner_id)
        return user.name if user else ""

    name = await ctx.runtime.store.read(read)
    # gureum does not record key use: AWS answers N/A for a key never used
    return {"UserName": name, "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
