"""SesBackend, SES v2's dedicated IP pools of one's own: created (STANDARD or MANAGED scaling), described, listed,
moved from STANDARD to MANAGED scaling, deleted, and tagged like SES v2's other resources; configuration sets may
send through them. gureum has no dedicated IPs: a pool holds none (GetDedicatedIps answers an empty list) and mail
sent through one goes out as any other."""

from __future__ import annotations

from typing import Any

from ...aws.errors import ServiceError
from ...store.base import Store, Tx
from . import store_extras
from .errors import AlreadyExists, InvalidParameterValue, LimitExceeded, NotFound
from .tags import TAGS, check_tags

# the pools every account has (their IPs are SES's; not listed, not deletable)
BUILTIN_POOLS = ("ses-default-dedicated-pool", "ses-shared-pool")
MAX_POOLS = 50  # dedicated IP pools per account and Region (the SES quotas page)
POOL = "pool"
_PREFIX = "dedicated-ip-pool:"


def pool_scope(name: str) -> str:
    return f"{_PREFIX}{name}"


def pool_exists(tx: Tx, account: str, region: str, name: str) -> bool:
    """A pool configuration sets may name: a built-in one or one of the account's."""
    return name in BUILTIN_POOLS or store_extras.setting(tx, account, region, pool_scope(name), POOL) is not None


def _no_pool(name: str) -> ServiceError:
    return NotFound(f"Pool {name} does not exist.")


class PoolsBackend:
    """Mixed into SesBackend (which sets these attributes)."""

    store: Store

    async def create_dedicated_ip_pool(
        self, account: str, region: str, name: str, mode: str | None, tags: dict[str, str] | None
    ) -> None:
        if tags:
            check_tags(tags)

        def run(tx: Tx) -> None:
            if pool_exists(tx, account, region, name):
                raise AlreadyExists(f"Pool {name} already exists.")
            if len(store_extras.scopes_with(tx, account, region, _PREFIX, POOL)) >= MAX_POOLS:
                raise LimitExceeded(f"An account may have at most {MAX_POOLS} dedicated IP pools in a Region.")
            scope = pool_scope(name)
            store_extras.put_setting(tx, account, region, scope, POOL, {"ScalingMode": mode or "STANDARD"})
            if tags:
                store_extras.put_setting(tx, account, region, scope, TAGS, tags)

        await self.store.write(run)

    async def dedicated_ip_pool(self, account: str, region: str, name: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store_extras.setting(tx, account, region, pool_scope(name), POOL))
        if found is None:
            raise _no_pool(name)
        return {"PoolName": name, "ScalingMode": found["ScalingMode"]}

    async def dedicated_ip_pools(self, account: str, region: str) -> list[str]:
        scopes = await self.store.read(lambda tx: store_extras.scopes_with(tx, account, region, _PREFIX, POOL))
        return sorted(scope.removeprefix(_PREFIX) for scope in scopes)

    async def put_dedicated_ip_pool_scaling(self, account: str, region: str, name: str, mode: str) -> None:
        """STANDARD to MANAGED; a MANAGED pool cannot go back (the PutDedicatedIpPoolScalingAttributes reference)."""

        def run(tx: Tx) -> None:
            scope = pool_scope(name)
            found = store_extras.setting(tx, account, region, scope, POOL)
            if found is None:
                raise _no_pool(name)
            if found["ScalingMode"] == "MANAGED" and mode == "STANDARD":
                raise InvalidParameterValue("A MANAGED dedicated IP pool cannot be converted to STANDARD scaling.")
            store_extras.put_setting(tx, account, region, scope, POOL, {**found, "ScalingMode": mode})

        await self.store.write(run)

    async def delete_dedicated_ip_pool(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> None:
            scope = pool_scope(name)
            if store_extras.setting(tx, account, region, scope, POOL) is None:
                raise _no_pool(name)
            store_extras.delete_scope(tx, account, region, scope)

        await self.store.write(run)

    async def dedicated_ips(self, account: str, region: str, pool: str | None) -> list[dict[str, Any]]:
        """The dedicated IPs of a pool (or of the account): none, as gureum has none."""
        if pool is not None and not await self.store.read(lambda tx: pool_exists(tx, account, region, pool)):
            raise _no_pool(pool)
        return []
