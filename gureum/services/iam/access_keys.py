"""IAM users' access keys (a part of IamBackend).  A key IAM issues encodes its account (gureum.aws.auth), so
requests signed with it act in the user's account on every node, and strict mode knows its secret."""

from __future__ import annotations

from typing import Any

from ...aws.auth import issue_access_key, issued_secret
from ...runtime import Runtime
from ...store.base import Tx
from . import store
from .errors import LimitExceeded, NoSuchEntity
from .model import ACCESS_KEYS_PER_USER, page
from .resources import Parts, claim, require


def _owned_key(tx: Tx, account: str, user_name: str | None, key_id: str) -> tuple[int, str, float]:
    """(owner id, status, created) of a key of this account, and of the named user when one is named."""
    user = require(tx, account, "user", user_name) if user_name else None
    found = store.access_key(tx, account, key_id)
    if found is None or (user is not None and found[0] != user.id):
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return found


class AccessKeys(Parts):
    runtime: Runtime  # the deployment's secret, which every issued key's secret derives from

    async def create_access_key(self, account: str, user_name: str | None) -> dict[str, Any]:
        if not user_name:
            raise NoSuchEntity("The user with name root cannot be found.")  # gureum keeps no root keys
        now = self.clock.now()
        key = issue_access_key(account)

        def write(tx: Tx) -> str:
            user = claim(tx, account, "user", user_name)
            if len(store.access_keys(tx, user.id)) >= ACCESS_KEYS_PER_USER:
                raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
            store.add_access_key(tx, key, account, user.id, now)
            return user.name

        name = await self.store.write(write)
        return {
            "UserName": name,
            "AccessKeyId": key,
            "Status": "Active",
            "SecretAccessKey": issued_secret(self.runtime.deployment_secret, key),
            "CreateDate": now,
        }

    async def list_access_keys(
        self, account: str, user_name: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        if not user_name:
            return {"AccessKeyMetadata": [], "IsTruncated": False}

        def read(tx: Tx) -> list[dict[str, Any]]:
            user = require(tx, account, "user", user_name)
            return [
                {"UserName": user.name, "AccessKeyId": k, "Status": s, "CreateDate": c}
                for k, s, c in store.access_keys(tx, user.id)
            ]

        return page(await self.store.read(read), "AccessKeyMetadata", marker, max_items)

    async def update_access_key(self, account: str, user_name: str | None, key_id: str, status: str) -> None:
        def write(tx: Tx) -> None:
            _owned_key(tx, account, user_name, key_id)
            store.set_access_key_status(tx, key_id, status)

        await self.store.write(write)

    async def delete_access_key(self, account: str, user_name: str | None, key_id: str) -> None:
        def write(tx: Tx) -> None:
            _owned_key(tx, account, user_name, key_id)
            store.delete_access_key(tx, key_id)

        await self.store.write(write)

    async def access_key_last_used(self, account: str, user_name: str | None, key_id: str) -> dict[str, Any]:
        """GetAccessKeyLastUsed's answer: the key's user, and its last use."""

        def read(tx: Tx) -> str:
            owner_id, _, _ = _owned_key(tx, account, user_name, key_id)
            user = store.by_id(tx, owner_id)
            return user.name if user else ""

        name = await self.store.read(read)
        # gureum does not record key use: AWS answers N/A for a key never used
        return {"UserName": name, "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
