"""The backend's part for deployments and stages (and their caches), tags on any taggable resource, and the
account settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...store.base import Tx
from . import patches, stages, store
from .backend_base import BackendBase, require_api, require_entity, require_stage
from .errors import BadRequestException, ConflictException, not_found
from .model import apply_patch, new_id, page
from .state import CACHE_CHANNEL

_NO_CLOUDWATCH_ROLE = "CloudWatch Logs role ARN must be set in account settings to enable logging"
_ACCOUNT_DEFAULTS = {
    "id": "account",
    "throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
    "features": ["UsagePlans"],
    "apiKeyVersion": "4",
}
_TAGGABLE = re.compile(
    r"^arn:aws[\w-]*:apigateway:([^:]*)::/(restapis/([^/]+)(/stages/([^/]+))?"
    r"|(apikeys|usageplans|domainnames|vpclinks|clientcertificates)/([^/]+))$"
)
# the entity kind each ARN's collection is stored as (domain names by their lower-case name)
_TAGGED_KINDS = {
    "apikeys": "apikey",
    "usageplans": "usageplan",
    "domainnames": "domain",
    "vpclinks": "vpclink",
    "clientcertificates": "clientcertificate",
}
MAX_TAGS = 50


def _deployment(tx: Tx, account: str, region: str, api_id: str, deployment_id: str) -> dict[str, Any]:
    require_api(tx, account, region, api_id)
    found = store.get_deployment(tx, api_id, deployment_id)
    if found is None:
        raise not_found("deployment")
    return found


def _stage(tx: Tx, account: str, region: str, api_id: str, name: str) -> dict[str, Any]:
    require_api(tx, account, region, api_id)
    return require_stage(tx, api_id, name)


def _tagged(tx: Tx, account: str, region: str, arn: str) -> tuple[dict[str, Any], Callable[[], None]]:
    """(the item holding "tags", its save function) for a resource ARN."""
    match = _TAGGABLE.match(arn)
    if match is None:
        raise BadRequestException(f"Invalid ARN specified in the request: {arn}")
    api_id, stage_name = match.group(3), match.group(5)
    if api_id and stage_name:
        stage = store.get_stage(tx, api_id, stage_name)
        if stage is None or store.get_api(tx, account, region, api_id) is None:
            raise not_found("stage")
        return stage, lambda: store.save_stage(tx, api_id, stage)
    if api_id:
        doc = require_api(tx, account, region, api_id)
        return doc["api"], lambda: store.save_api(tx, doc)
    kind = _TAGGED_KINDS[match.group(6)]
    entity_id = match.group(7).lower() if kind == "domain" else match.group(7)
    item = require_entity(tx, account, region, kind, entity_id)
    lookup = item.get("value") if kind == "apikey" else None
    return item, lambda: store.save_entity(tx, account, region, kind, item, lookup=lookup)


class StagePart(BackendBase):
    def _upsert_stage(
        self, tx: Tx, api_id: str, name: str, deployment_id: str, create_only: bool, **members: Any
    ) -> dict[str, Any]:
        """A new stage serving the deployment (members: stages.new_stage's), or the one of that name redeployed."""
        stage = store.get_stage(tx, api_id, name)
        if stage is not None and create_only:
            raise ConflictException("Stage already exists")
        if stage is None:
            stage = stages.new_stage(name, deployment_id, self.now(), **members)
            store.insert_stage(tx, api_id, stage)
        else:
            stages.redeploy(stage, deployment_id, self.now(), members.get("variables"))
            store.save_stage(tx, api_id, stage)
        return stage

    # --- Deployments ------------------------------------------------------------------------------------------------

    async def create_deployment(
        self,
        account: str,
        region: str,
        api_id: str,
        description: str | None,
        stage_name: str | None,
        stage_description: str | None,
        **stage_members: Any,
    ) -> dict[str, Any]:
        """A snapshot of the API as it is; with a stage name, that stage serves it (stage_members: stages.new_stage's,
        for a stage this creates)."""
        stage_members["description"] = stage_description
        canary_settings = stage_members.pop("canary_settings", None)

        def create(tx: Tx) -> dict[str, Any]:
            doc = require_api(tx, account, region, api_id)
            deployment = stages.new_deployment(new_id(6), self.now(), description)
            if canary_settings is not None:  # the stage's canary serves the deployment; its own stays as it is
                stage = store.get_stage(tx, api_id, stage_name) if stage_name else None
                if stage is None:
                    raise BadRequestException("Canary deployment requires an existing stage")
                store.insert_deployment(tx, api_id, deployment, stages.snapshot(doc))
                stage["canarySettings"] = stages.canary(canary_settings, str(deployment["id"]))
                stages.check_canary(stage)
                stage["lastUpdatedDate"] = self.now()
                store.save_stage(tx, api_id, stage)
                return deployment
            store.insert_deployment(tx, api_id, deployment, stages.snapshot(doc))
            if stage_name:
                self._upsert_stage(tx, api_id, stage_name, str(deployment["id"]), False, **stage_members)
            return deployment

        return await self.store.write(create)

    async def get_deployment(self, account: str, region: str, api_id: str, deployment_id: str) -> dict[str, Any]:
        return await self.store.read(lambda tx: _deployment(tx, account, region, api_id, deployment_id))

    async def get_deployments(
        self, account: str, region: str, api_id: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        def get(tx: Tx) -> dict[str, Any]:
            require_api(tx, account, region, api_id)
            return page(store.list_deployments(tx, api_id), limit, position)

        return await self.store.read(get)

    async def update_deployment(
        self, account: str, region: str, api_id: str, deployment_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            item = apply_patch(_deployment(tx, account, region, api_id, deployment_id), operations, patches.DEPLOYMENT)
            store.save_deployment(tx, api_id, item)
            return item

        return await self.store.write(update)

    async def delete_deployment(self, account: str, region: str, api_id: str, deployment_id: str) -> None:
        def delete(tx: Tx) -> None:
            _deployment(tx, account, region, api_id, deployment_id)
            if any(deployment_id in stages.served_deployments(s) for s in store.list_stages(tx, api_id)):
                raise BadRequestException("Active stages pointing to this deployment must be moved or deleted")
            store.delete_deployment(tx, api_id, deployment_id)

        await self.store.write(delete)

    # --- Stages -----------------------------------------------------------------------------------------------------

    async def create_stage(
        self, account: str, region: str, api_id: str, stage_name: str, deployment_id: str, **members: Any
    ) -> dict[str, Any]:
        """A new stage serving the deployment (members: stages.new_stage's)."""

        def create(tx: Tx) -> dict[str, Any]:
            _deployment(tx, account, region, api_id, deployment_id)
            if (members.get("canary_settings") or {}).get("deploymentId"):
                _deployment(tx, account, region, api_id, members["canary_settings"]["deploymentId"])
            stages.check_canary({"canarySettings": members.get("canary_settings")})
            return stages.stage_view(self._upsert_stage(tx, api_id, stage_name, deployment_id, True, **members))

        return await self.store.write(create)

    async def get_stage(self, account: str, region: str, api_id: str, stage_name: str) -> dict[str, Any]:
        return stages.stage_view(await self.store.read(lambda tx: _stage(tx, account, region, api_id, stage_name)))

    async def get_stages(
        self, account: str, region: str, api_id: str, deployment_id: str | None
    ) -> list[dict[str, Any]]:
        def get(tx: Tx) -> list[dict[str, Any]]:
            require_api(tx, account, region, api_id)
            found = store.list_stages(tx, api_id)
            chosen = [s for s in found if s["deploymentId"] == deployment_id] if deployment_id else found
            return [stages.stage_view(s) for s in chosen]

        return await self.store.read(get)

    async def update_stage(
        self, account: str, region: str, api_id: str, stage_name: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            stage = stages.update_stage(_stage(tx, account, region, api_id, stage_name), operations, self.now())
            if stages.enables_logging(operations):
                settings = store.get_entity(tx, account, region, "account", "account") or {}
                if not settings.get("cloudwatchRoleArn"):
                    raise BadRequestException(_NO_CLOUDWATCH_ROLE)
            if any(store.get_deployment(tx, api_id, d) is None for d in stages.served_deployments(stage)):
                raise BadRequestException("Invalid deployment identifier specified")
            store.save_stage(tx, api_id, stage)
            return stages.stage_view(stage)

        return await self.store.write(update)

    async def delete_stage(self, account: str, region: str, api_id: str, stage_name: str) -> None:
        def delete(tx: Tx) -> None:
            _stage(tx, account, region, api_id, stage_name)
            store.delete_stage(tx, api_id, stage_name)

        await self.store.write(delete)

    async def flush_stage_authorizers_cache(self, account: str, region: str, api_id: str, stage_name: str) -> None:
        """Forget this node's cached authorizer answers for the API (each node caches on its own)."""
        await self.store.read(lambda tx: _stage(tx, account, region, api_id, stage_name))
        self.edge.flush_authorizers(api_id)

    async def flush_stage_cache(self, account: str, region: str, api_id: str, stage_name: str) -> None:
        """Empty the stage's cache on every node (each empties its own when the notification arrives)."""

        def flush(tx: Tx) -> None:
            stage = _stage(tx, account, region, api_id, stage_name)
            if not stage.get("cacheClusterEnabled"):
                raise BadRequestException("The stage does not have a cache cluster enabled")
            tx.notify(CACHE_CHANNEL, f"{api_id}/{stage_name}")

        await self.store.write(flush)

    # --- tags -------------------------------------------------------------------------------------------------------

    async def tag_resource(self, account: str, region: str, arn: str, tags: dict[str, str]) -> None:
        def tag(tx: Tx) -> None:
            item, save = _tagged(tx, account, region, arn)
            item["tags"] = {**(item.get("tags") or {}), **tags}
            if len(item["tags"]) > MAX_TAGS:
                raise BadRequestException(f"Too many tags: a resource can have at most {MAX_TAGS} tags")
            save()

        await self.store.write(tag)

    async def untag_resource(self, account: str, region: str, arn: str, tag_keys: list[str]) -> None:
        def untag(tx: Tx) -> None:
            item, save = _tagged(tx, account, region, arn)
            item["tags"] = {k: v for k, v in (item.get("tags") or {}).items() if k not in set(tag_keys)}
            save()

        await self.store.write(untag)

    async def get_tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        return await self.store.read(lambda tx: _tagged(tx, account, region, arn)[0].get("tags") or {})

    # --- the account ------------------------------------------------------------------------------------------------

    async def get_account(self, account: str, region: str) -> dict[str, Any]:
        item = await self.store.read(lambda tx: store.get_entity(tx, account, region, "account", "account"))
        return {k: v for k, v in (item or _ACCOUNT_DEFAULTS).items() if k != "id"}

    async def update_account(self, account: str, region: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            stored = store.get_entity(tx, account, region, "account", "account")
            item = apply_patch(stored or dict(_ACCOUNT_DEFAULTS), operations, patches.ACCOUNT)
            if stored is not None:
                store.save_entity(tx, account, region, "account", item)
            else:
                store.insert_entity(tx, account, region, "account", item, self.now())
            return {k: v for k, v in item.items() if k != "id"}

        return await self.store.write(update)
