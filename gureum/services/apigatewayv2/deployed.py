"""What a stage serves: its deployment's snapshot, compiled once per deployment (route table, lookups by id).

The stage row is read on every request (so a deploy through any node takes effect at once); the compiled snapshot
is cached per deployment id, which never changes content, in a Deployments object of the node's state."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from ...store.base import Store, Tx
from . import store
from .routes import RouteTable


@dataclass
class Deployed:
    api_id: str
    account: str
    region: str
    api: dict[str, Any]
    stage: dict[str, Any]
    routes: dict[str, dict[str, Any]]  # by RouteKey
    integrations: dict[str, dict[str, Any]]
    authorizers: dict[str, dict[str, Any]]
    route_responses: dict[str, list[dict[str, Any]]]  # by RouteId
    integration_responses: dict[str, list[dict[str, Any]]]  # by IntegrationId
    table: RouteTable = field(default_factory=lambda: RouteTable([]))

    @property
    def protocol(self) -> str:
        return str(self.api["ProtocolType"])

    @property
    def stage_name(self) -> str:
        return str(self.stage["StageName"])

    @property
    def variables(self) -> dict[str, str]:
        return dict(self.stage.get("StageVariables") or {})

    def integration_for(self, route: dict[str, Any]) -> dict[str, Any] | None:
        target = route.get("Target") or ""
        return self.integrations.get(target.split("/", 1)[1]) if target.startswith("integrations/") else None


def _compile(snapshot: dict[str, Any]) -> dict[str, Any]:
    def group(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            out.setdefault(item.get("_parent", ""), []).append(item)
        return out

    routes = {r["RouteKey"]: r for r in snapshot.get("Route", [])}
    return {
        "api": snapshot["api"],
        "routes": routes,
        "integrations": {i["IntegrationId"]: i for i in snapshot.get("Integration", [])},
        "authorizers": {a["AuthorizerId"]: a for a in snapshot.get("Authorizer", [])},
        "route_responses": group(snapshot.get("RouteResponse", [])),
        "integration_responses": group(snapshot.get("IntegrationResponse", [])),
        "table": RouteTable(list(routes)) if snapshot["api"]["ProtocolType"] == "HTTP" else RouteTable([]),
    }


_CACHE_SIZE = 256  # compiled snapshots kept per node (the most recently compiled)


def _read(
    tx: Tx, api_id: str, stage_name: str | None, cached: Container[str]
) -> tuple[tuple[str, str, dict[str, Any]], dict[str, Any], dict[str, Any] | None] | None:
    """(api row, stage, its deployment's snapshot unless cached) for ``stage_name``; None when there is no such API."""
    found = store.get_api(tx, api_id)
    if found is None:
        return None
    stages = {s["StageName"]: s for s in store.list_items(tx, api_id, "Stage")}
    stage = stages.get(stage_name or "")
    if stage is None:
        return (found, {}, None)
    deployment_id = stage.get("DeploymentId")
    snapshot = None
    if deployment_id and deployment_id not in cached:
        deployment = store.get_item(tx, api_id, "Deployment", deployment_id)
        snapshot = deployment.get("_snapshot") if deployment else None
    return (found, stage, snapshot)


class Deployments:
    """This node's compiled deployment snapshots, by deployment id (a deployment's content never changes)."""

    def __init__(self) -> None:
        self._compiled: dict[str, dict[str, Any]] = {}

    async def load(self, db: Store, api_id: str, path: str) -> tuple[Deployed | None, str] | None:
        """The deployed stage a request path selects, and the path within it. None: not one of our APIs.

        AWS: "/{stage}/…" selects a named stage; an API with a $default stage serves every other path from it."""
        first, _, rest = path.lstrip("/").partition("/")
        compiled = self._compiled

        def read(tx: Tx) -> Any:
            named = _read(tx, api_id, first, compiled) if first else None
            if named is None:
                return None
            if named[1]:
                return named, "/" + rest
            return _read(tx, api_id, "$default", compiled), path or "/"

        result = await db.read(read)
        if result is None:
            return None
        found, inner = result
        return self._deployed(api_id, *found), inner

    async def load_stage(self, db: Store, api_id: str, stage_name: str) -> Deployed | None:
        """A named stage as deployed (a custom domain's API mapping names the stage); None when there is none."""
        found = await db.read(lambda tx: _read(tx, api_id, stage_name, self._compiled))
        return None if found is None else self._deployed(api_id, *found)

    def _deployed(
        self, api_id: str, row: tuple[str, str, dict[str, Any]], stage: dict[str, Any], snapshot: dict[str, Any] | None
    ) -> Deployed | None:
        compiled = self._compiled
        if not stage or not stage.get("DeploymentId"):
            return None
        deployment_id = stage["DeploymentId"]
        if deployment_id not in compiled:
            if snapshot is None:
                return None
            if len(compiled) >= _CACHE_SIZE:
                del compiled[next(iter(compiled))]
            compiled[deployment_id] = _compile(snapshot)
        account, region, _ = row
        return Deployed(api_id, account, region, stage=stage, **compiled[deployment_id])
