"""EcrBackend, the registry's own settings: its permissions policy (PutRegistryPolicy …) and its replication
configuration (PutReplicationConfiguration, DescribeRegistry). Both are kept and shown; images are not replicated
(one gureum process is one Region) and the registry policy grants nothing beyond what repository policies do."""

from __future__ import annotations

import json
from typing import Any

from ...aws.errors import ServiceError
from ...store.base import Store, Tx
from . import store
from .errors import RegistryPolicyNotFoundException
from .repositories import check_policy, check_replication


def _no_policy(account: str) -> ServiceError:
    return RegistryPolicyNotFoundException(f"Registry policy does not exist in the registry with id '{account}'")


class RegistryBackend:
    """Mixed into EcrBackend (which sets these attributes)."""

    store: Store

    async def put_registry_policy(self, account: str, region: str, text: str) -> dict[str, Any]:
        check_policy(text, "registry")
        await self.store.write(lambda tx: store.set_registry_setting(tx, account, region, "policy", text))
        return {"registryId": account, "policyText": text}

    async def get_registry_policy(self, account: str, region: str) -> dict[str, Any]:
        policy, _ = await self.store.read(lambda tx: store.registry_settings(tx, account, region))
        if policy is None:
            raise _no_policy(account)
        return {"registryId": account, "policyText": policy}

    async def delete_registry_policy(self, account: str, region: str) -> dict[str, Any]:
        def delete(tx: Tx) -> str:
            policy, _ = store.registry_settings(tx, account, region)
            if policy is None:
                raise _no_policy(account)
            store.set_registry_setting(tx, account, region, "policy", None)
            return policy

        return {"registryId": account, "policyText": await self.store.write(delete)}

    async def put_replication_configuration(self, account: str, region: str, config: dict[str, Any]) -> dict[str, Any]:
        checked = check_replication(config)
        text = json.dumps(checked)
        await self.store.write(lambda tx: store.set_registry_setting(tx, account, region, "replication", text))
        return {"replicationConfiguration": checked}

    async def describe_registry(self, account: str, region: str) -> dict[str, Any]:
        _, replication = await self.store.read(lambda tx: store.registry_settings(tx, account, region))
        return {"registryId": account, "replicationConfiguration": replication or {"rules": []}}
