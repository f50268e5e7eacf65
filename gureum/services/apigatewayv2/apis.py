"""An API, its stages and deployments inside one store transaction: the caller's API, a stage, freezing the
configuration as a deployment, the auto-deploy that follows every change, and the documents that hold tags.
The backend wraps these; SQL stays in store.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...store.base import Tx
from . import store
from .errors import not_found
from .model import new_id, parse_resource_arn, snapshot

SNAPSHOT_KINDS = ("Route", "Integration", "Authorizer", "RouteResponse", "IntegrationResponse", "Model")


def load_api(tx: Tx, account: str, region: str, api_id: str) -> dict[str, Any]:
    """The API's document; NotFound unless it is the caller's (account and region)."""
    found = store.get_api(tx, api_id)
    if found is None or found[0] != account or found[1] != region:
        raise not_found("API", f"{account}:{api_id}")
    return found[2]


def load_stage(tx: Tx, api_id: str, name: str) -> dict[str, Any]:
    doc = store.get_item(tx, api_id, "Stage", name)
    if doc is None:
        raise not_found("Stage", name)
    return doc


def load_deployment(tx: Tx, api_id: str, deployment_id: str) -> dict[str, Any]:
    doc = store.get_item(tx, api_id, "Deployment", deployment_id)
    if doc is None:
        raise not_found("Deployment", deployment_id)
    return doc


def check_deployment(tx: Tx, api_id: str, deployment_id: str | None) -> None:
    """NotFound when a stage is pointed at a deployment the API does not have."""
    if deployment_id:
        load_deployment(tx, api_id, deployment_id)


def deploy(tx: Tx, api_id: str, api: dict[str, Any], description: str | None, auto: bool, now: float) -> dict[str, Any]:
    """Freeze the API's current configuration as a new deployment."""
    items = {kind: store.all_items(tx, api_id, kind) for kind in SNAPSHOT_KINDS}
    doc: dict[str, Any] = {
        "DeploymentId": new_id(6),
        "DeploymentStatus": "DEPLOYED",
        "CreatedDate": now,
        "AutoDeployed": auto,
        "_snapshot": snapshot(api, items),
    }
    if description:
        doc["Description"] = description
    store.insert_item(tx, api_id, "Deployment", doc["DeploymentId"], doc, now)
    return doc


def changed(tx: Tx, api_id: str, now: float) -> None:
    """The API's configuration changed: stages with AutoDeploy get a fresh deployment (as AWS does within seconds)."""
    stages = [s for s in store.list_items(tx, api_id, "Stage") if s.get("AutoDeploy")]
    if not stages:
        return
    found = store.get_api(tx, api_id)
    assert found is not None
    deployment = deploy(tx, api_id, found[2], None, True, now)
    for stage in stages:
        stage.update(
            DeploymentId=deployment["DeploymentId"],
            LastUpdatedDate=now,
            LastDeploymentStatusMessage=(
                f"Successfully deployed stage with deployment ID '{deployment['DeploymentId']}'"
            ),
        )
        store.update_item(tx, api_id, "Stage", stage["StageName"], stage)


def export_snapshot(tx: Tx, api: dict[str, Any], stage_name: str | None) -> dict[str, Any] | None:
    """What ExportApi describes: a stage's deployed snapshot, or the API as it is now; None when the stage has
    no deployment."""
    if stage_name:
        stage = store.get_item(tx, api["ApiId"], "Stage", stage_name)
        if stage is None or not stage.get("DeploymentId"):
            return None
        deployment = store.get_item(tx, api["ApiId"], "Deployment", stage["DeploymentId"]) or {}
        return dict(deployment.get("_snapshot") or {})
    kinds = ("Route", "Integration", "Authorizer")
    return {"api": api, **{kind: store.list_items(tx, api["ApiId"], kind) for kind in kinds}}


# --- tags: kept on APIs and stages ------------------------------------------------------------------------


def tagged(tx: Tx, account: str, region: str, arn: str) -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    """The document holding the tags of an API, stage, custom domain name or VPC link ARN, and how to save it."""
    parsed = parse_resource_arn(arn)
    if parsed is None:
        raise not_found("Resource", arn)
    kind, entity_id, stage = parsed
    if kind != "Api":
        found = store.get_entity(tx, kind, entity_id)
        if found is None or found[:2] != (account, region):
            raise not_found("Resource", arn)
        return found[2], lambda doc: store.update_entity(tx, kind, entity_id, doc)
    api = load_api(tx, account, region, entity_id)
    if stage is None:
        return api, lambda doc: store.update_api(tx, doc)
    return load_stage(tx, entity_id, stage), lambda doc: store.update_item(tx, entity_id, "Stage", stage, doc)
