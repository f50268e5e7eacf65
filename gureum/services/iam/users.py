"""Users and groups (a part of IamBackend): create, read, rename, delete, list, memberships (tags:
resources.Parts)."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import store
from .errors import DeleteConflict, NoSuchEntity, ValidationError, already_exists
from .model import arn, merge_tags, page
from .passwords import check_no_login_profile
from .resources import Parts, claim, create, group_shape, require, require_policy, user_shape
from .store import Entity
from .user_keys import holds_credentials


def root_user(account: str) -> dict[str, Any]:
    """The account's root user, as GetUser describes it to a caller signing with no IAM user's key."""
    return {
        "Path": "/",
        "UserName": "root",
        "UserId": account,
        "Arn": f"arn:aws:iam::{account}:root",
        "CreateDate": 0.0,
    }


class Users(Parts):
    async def create_user(
        self, account: str, name: str, path: str | None, tags: list[dict[str, str]], boundary: str | None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"Tags": merge_tags([], tags)}
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            if boundary:
                require_policy(tx, account, boundary)
                data["PermissionsBoundary"] = boundary
            return user_shape(create(tx, account, "user", name, path, data, now))

        return await self.store.write(write)

    async def put_user_permissions_boundary(self, account: str, name: str, boundary: str) -> None:
        def write(tx: Tx) -> None:
            user = claim(tx, account, "user", name)
            require_policy(tx, account, boundary)
            user.data["PermissionsBoundary"] = boundary
            store.save(tx, user)

        await self.store.write(write)

    async def delete_user_permissions_boundary(self, account: str, name: str) -> None:
        def write(tx: Tx) -> None:
            user = claim(tx, account, "user", name)
            if not user.data.pop("PermissionsBoundary", None):
                raise NoSuchEntity(f"The permissions boundary for the user with name {user.name} cannot be found.")
            store.save(tx, user)

        await self.store.write(write)

    async def get_user(self, account: str, name: str | None, access_key: str | None) -> dict[str, Any]:
        """The named user; without a name, the caller: the user whose access key signed the request, else the root."""
        if name:
            return user_shape(await self.store.read(lambda tx: require(tx, account, "user", name)))
        user = await self.key_user(account, access_key)
        return root_user(account) if user is None else user_shape(user)

    async def user_or_caller(self, account: str, name: str | None, access_key: str | None) -> str:
        """The user named; without a name, the user whose access key signed the request (IAM's ValidationError for
        other credentials: the root's, a role session's)."""
        if name:
            return name
        user = await self.key_user(account, access_key)
        if user is None:
            raise ValidationError("Must specify userName when calling with non-User credentials")
        return user.name

    async def key_user(self, account: str, access_key: str | None) -> Entity | None:
        """The IAM user an access key belongs to, or None."""

        def read(tx: Tx) -> Entity | None:
            key = store.access_key(tx, account, access_key) if access_key else None
            return store.by_id(tx, key[0]) if key else None

        return await self.store.read(read)

    async def rename(self, account: str, kind: str, name: str, new_name: str | None, new_path: str | None) -> None:
        """UpdateUser / UpdateGroup: a new name, a new path, or both."""

        def write(tx: Tx) -> None:
            entity = claim(tx, account, kind, name)
            target_name, target_path = new_name or entity.name, new_path or entity.path
            if not store.rename(tx, entity, target_name, target_path, arn(account, kind, target_path, target_name)):
                raise already_exists(kind, target_name)

        await self.store.write(write)

    async def delete_user(self, account: str, name: str) -> None:
        def write(tx: Tx) -> None:
            user = claim(tx, account, "user", name)
            if store.attached(tx, user.id) or store.inline_policies(tx, user.id):
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            if store.access_keys(tx, user.id):
                raise DeleteConflict("Cannot delete entity, must delete access keys first.")
            if store.parents(tx, user.id):
                raise DeleteConflict("Cannot delete entity, must remove users from group first.")
            held = holds_credentials(tx, user)
            if held:
                raise DeleteConflict(f"Cannot delete entity, must delete {held} first.")
            check_no_login_profile(user)
            store.delete(tx, user)

        await self.store.write(write)

    async def list_users(
        self, account: str, path_prefix: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        prefix = path_prefix or "/"
        users = await self.store.read(lambda tx: store.all_of(tx, account, "user"))
        shown = [u for u in users if u.path.startswith(prefix)]
        return page(shown, "Users", marker, max_items, lambda u: user_shape(u, full=False))

    # --- groups -------------------------------------------------------------------------------------------------

    async def create_group(self, account: str, name: str, path: str | None) -> dict[str, Any]:
        now = self.clock.now()
        return group_shape(await self.store.write(lambda tx: create(tx, account, "group", name, path, {}, now)))

    async def get_group(self, account: str, name: str, marker: str | None, max_items: int | None) -> dict[str, Any]:
        """GetGroup's answer: the group and a page of its users."""

        def read(tx: Tx) -> tuple[Entity, list[Entity]]:
            group = require(tx, account, "group", name)
            return group, store.children(tx, group.id)

        group, users = await self.store.read(read)
        return {"Group": group_shape(group)} | page(
            users, "Users", marker, max_items, lambda u: user_shape(u, full=False)
        )

    async def delete_group(self, account: str, name: str) -> None:
        def write(tx: Tx) -> None:
            group = claim(tx, account, "group", name)
            if store.attached(tx, group.id) or store.inline_policies(tx, group.id):
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            if store.children(tx, group.id):
                raise DeleteConflict("Cannot delete entity, must remove users from group first.")
            store.delete(tx, group)

        await self.store.write(write)

    async def list_groups(
        self, account: str, path_prefix: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        prefix = path_prefix or "/"
        groups = await self.store.read(lambda tx: store.all_of(tx, account, "group"))
        return page([g for g in groups if g.path.startswith(prefix)], "Groups", marker, max_items, group_shape)

    async def add_user_to_group(self, account: str, group_name: str, user_name: str) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            group = claim(tx, account, "group", group_name)
            user = claim(tx, account, "user", user_name)
            store.add_member(tx, group.id, user.id, now)

        await self.store.write(write)

    async def remove_user_from_group(self, account: str, group_name: str, user_name: str) -> None:
        def write(tx: Tx) -> None:
            group = claim(tx, account, "group", group_name)
            user = claim(tx, account, "user", user_name)
            if not store.remove_member(tx, group.id, user.id):
                raise NoSuchEntity(f"User {user.name} is not in group {group.name}.")

        await self.store.write(write)

    async def list_groups_for_user(
        self, account: str, user_name: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        groups = await self.store.read(lambda tx: store.parents(tx, require(tx, account, "user", user_name).id))
        return page(groups, "Groups", marker, max_items, group_shape)
