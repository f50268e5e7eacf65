"""Instance profiles (a part of IamBackend): create, read, delete, list and their one role (tags: resources.Parts)."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import store
from .errors import DeleteConflict, LimitExceeded, NoSuchEntity
from .model import ROLES_PER_INSTANCE_PROFILE, merge_tags, page
from .resources import Parts, claim, create, profile_shape, require

_KIND = "instance-profile"


class InstanceProfiles(Parts):
    async def create_instance_profile(
        self, account: str, name: str, path: str | None, tags: list[dict[str, str]]
    ) -> dict[str, Any]:
        data = {"Tags": merge_tags([], tags)}
        now = self.clock.now()
        return await self.store.write(lambda tx: profile_shape(tx, create(tx, account, _KIND, name, path, data, now)))

    async def get_instance_profile(self, account: str, name: str) -> dict[str, Any]:
        return await self.store.read(lambda tx: profile_shape(tx, require(tx, account, _KIND, name)))

    async def delete_instance_profile(self, account: str, name: str) -> None:
        def write(tx: Tx) -> None:
            profile = claim(tx, account, _KIND, name)
            if store.children(tx, profile.id):
                raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
            store.delete(tx, profile)

        await self.store.write(write)

    async def list_instance_profiles(
        self, account: str, path_prefix: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        prefix = path_prefix or "/"

        def read(tx: Tx) -> list[dict[str, Any]]:
            return [profile_shape(tx, p) for p in store.all_of(tx, account, _KIND) if p.path.startswith(prefix)]

        return page(await self.store.read(read), "InstanceProfiles", marker, max_items)

    async def add_role_to_instance_profile(self, account: str, profile_name: str, role_name: str) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            profile = claim(tx, account, _KIND, profile_name)
            role = claim(tx, account, "role", role_name)
            if len(store.children(tx, profile.id)) >= ROLES_PER_INSTANCE_PROFILE:
                raise LimitExceeded(
                    f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_INSTANCE_PROFILE}"
                )
            store.add_member(tx, profile.id, role.id, now)

        await self.store.write(write)

    async def remove_role_from_instance_profile(self, account: str, profile_name: str, role_name: str) -> None:
        def write(tx: Tx) -> None:
            profile = claim(tx, account, _KIND, profile_name)
            role = claim(tx, account, "role", role_name)
            if not store.remove_member(tx, profile.id, role.id):
                raise NoSuchEntity(f"The role with name {role.name} cannot be found.")

        await self.store.write(write)

    async def list_instance_profiles_for_role(
        self, account: str, role_name: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            role = require(tx, account, "role", role_name)
            return [profile_shape(tx, p) for p in store.parents(tx, role.id)]

        return page(await self.store.read(read), "InstanceProfiles", marker, max_items)
