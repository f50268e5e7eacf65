"""Deployments (immutable snapshots of the API document) and stages, which serve one deployment each: what a
deployment freezes, a new stage's defaults, and the stage patches (per-method settings among them).
Pure: no HTTP, no SQL."""

from __future__ import annotations

import copy
from typing import Any

from ... import accesslogs
from . import patches
from .apis import given
from .errors import BadRequestException
from .methods import HTTP_METHODS
from .model import apply_patch, split_path

_STAGE_MAPS = {"variables", "accessLogSettings", "canarySettings"}  # a stage's members patched by their own paths

_METHOD_SETTINGS = {
    ("throttling", "rateLimit"): "throttlingRateLimit",
    ("throttling", "burstLimit"): "throttlingBurstLimit",
    ("metrics", "enabled"): "metricsEnabled",
    ("logging", "loglevel"): "loggingLevel",
    ("logging", "dataTrace"): "dataTraceEnabled",
    ("caching", "enabled"): "cachingEnabled",
    ("caching", "ttlInSeconds"): "cacheTtlInSeconds",
    ("caching", "dataEncrypted"): "cacheDataEncrypted",
    ("caching", "requireAuthorizationForCacheControl"): "requireAuthorizationForCacheControl",
    ("caching", "unauthorizedCacheControlHeaderStrategy"): "unauthorizedCacheControlHeaderStrategy",
}
_METHOD_SETTING_DEFAULTS = {
    "metricsEnabled": False,
    "loggingLevel": "OFF",
    "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
_SNAPSHOT_API_FIELDS = (
    "id",
    "name",
    "binaryMediaTypes",
    "apiKeySource",
    "minimumCompressionSize",
    "disableExecuteApiEndpoint",
    "policy",
)


def stage_view(stage: dict[str, Any]) -> dict[str, Any]:
    """The Stage as AWS shows it: ``tags`` only when there are some."""
    return {k: v for k, v in stage.items() if k != "tags" or v}


def snapshot(doc: dict[str, Any]) -> dict[str, Any]:
    """What a deployment freezes: everything the edge needs to serve the API as it is now."""
    methods = [m for r in doc["resources"].values() for m in (r.get("resourceMethods") or {}).values()]
    if not methods:
        raise BadRequestException("The REST API doesn't contain any methods")
    if any("methodIntegration" not in m for m in methods):
        raise BadRequestException("No integration defined for method")
    return {
        "api": {k: doc["api"].get(k) for k in _SNAPSHOT_API_FIELDS},
        **{
            k: copy.deepcopy(doc[k])
            for k in ("resources", "models", "validators", "authorizers", "gatewayResponses", "rootResourceId")
        },
    }


def new_deployment(deployment_id: str, created: int, description: str | None) -> dict[str, Any]:
    return {"id": deployment_id, "createdDate": created, **given(description=description)}


def new_stage(
    name: str,
    deployment_id: str,
    now: int,
    *,
    description: str | None = None,
    variables: dict[str, str] | None = None,
    cache_cluster_enabled: bool | None = None,
    cache_cluster_size: str | None = None,
    tracing_enabled: bool | None = None,
    canary_settings: dict[str, Any] | None = None,
    documentation_version: str | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "stageName": name,
        "deploymentId": deployment_id,
        "cacheClusterEnabled": bool(cache_cluster_enabled),
        "cacheClusterStatus": "AVAILABLE" if cache_cluster_enabled else "NOT_AVAILABLE",
        "methodSettings": {},
        "tracingEnabled": bool(tracing_enabled),
        "createdDate": now,
        "lastUpdatedDate": now,
        "tags": tags or {},
        **given(
            description=description,
            variables=variables,
            cacheClusterSize=cache_cluster_size,
            canarySettings=canary_settings,
            documentationVersion=documentation_version,
        ),
    }


def canary(settings: dict[str, Any], deployment_id: str) -> dict[str, Any]:
    """A stage's canarySettings for a deployment made with CreateDeployment's canarySettings."""
    return {
        "deploymentId": deployment_id,
        "percentTraffic": float(settings.get("percentTraffic") or 0.0),
        "stageVariableOverrides": dict(settings.get("stageVariableOverrides") or {}),
        "useStageCache": bool(settings.get("useStageCache")),
    }


def check_canary(stage: dict[str, Any]) -> None:
    """A stage's canary: a share of traffic from 0 to 100 percent."""
    settings = stage.get("canarySettings")
    if not settings:
        return
    try:
        percent = float(settings.get("percentTraffic") or 0.0)
    except (TypeError, ValueError):
        raise BadRequestException("Invalid percentTraffic value specified; must be a number") from None
    if not 0.0 <= percent <= 100.0:
        raise BadRequestException("Canary traffic percentage must be between 0.0 and 100.0")
    settings["percentTraffic"] = percent
    if isinstance(settings.get("useStageCache"), str):
        settings["useStageCache"] = settings["useStageCache"].lower() == "true"


def served_deployments(stage: dict[str, Any]) -> set[str]:
    """The deployments a stage serves: its own and its canary's."""
    found = {str(stage["deploymentId"])}
    canary_id = (stage.get("canarySettings") or {}).get("deploymentId")
    if canary_id:
        found.add(str(canary_id))
    return found


def redeploy(stage: dict[str, Any], deployment_id: str, now: int, variables: dict[str, str] | None) -> None:
    """CreateDeployment naming a stage that exists: it serves the new deployment, with the variables merged in."""
    stage["deploymentId"], stage["lastUpdatedDate"] = deployment_id, now
    if variables is not None:
        stage["variables"] = {**(stage.get("variables") or {}), **variables}


def _names_method(parts: list[str]) -> bool:
    """Whether a patch path names a method's settings as a whole: a resource path (or *) and a method (or *)."""
    return len(parts) >= 2 and parts[0] not in _STAGE_MAPS and (parts[-1] == "*" or parts[-1] in HTTP_METHODS)


def _method_setting_patches(stage: dict[str, Any], operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply /{resource path}/{METHOD}/{category}/{setting} patches (e.g. /*/*/throttling/rateLimit) to
    methodSettings; return the other operations."""
    rest = []
    for operation in operations:
        parts = split_path(operation.get("path") or "")
        if operation.get("op") == "remove" and _names_method(parts):
            # "remove /*/*" or "/pets/{id}/GET": the method's settings go (Terraform deletes method settings so)
            stage.setdefault("methodSettings", {}).pop("/".join(parts).lstrip("/"), None)
            continue
        setting = _METHOD_SETTINGS.get((parts[-2], parts[-1])) if len(parts) >= 4 else None
        if setting is None:
            rest.append(operation)
            continue
        # "/*/*/…", "/~1pets~1{id}/GET/…" or (as Terraform writes it) "/pets/{id}/GET/…": keyed "pets/{id}/GET"
        key = "/".join(parts[:-2]).lstrip("/")
        every = stage.setdefault("methodSettings", {})
        if key not in every:  # a method's own settings start as the stage's (its "*/*"), then differ where patched
            every[key] = dict(every.get("*/*") or _METHOD_SETTING_DEFAULTS)
        settings = every[key]
        if operation.get("op") == "remove":
            settings[setting] = _METHOD_SETTING_DEFAULTS[setting]
        else:
            patched = apply_patch(
                {setting: None},
                [{"op": "replace", "path": f"/{setting}", "value": operation.get("value")}],
                patches.PatchRules({f"/{setting}": patches.REPLACE}),
            )
            settings[setting] = patched[setting]
    return rest


def enables_logging(operations: list[dict[str, Any]]) -> bool:
    """Whether UpdateStage's patches turn logging on (access logs, or a method's execution logs or data trace),
    which API Gateway allows only once the account's CloudWatch role is set."""
    for operation in operations:
        path, value = str(operation.get("path") or ""), str(operation.get("value") or "")
        if operation.get("op") == "remove":
            continue
        if path.startswith("/accessLogSettings/destinationArn") and value:
            return True
        if path.endswith("/logging/loglevel") and value.upper() in ("ERROR", "INFO"):
            return True
        if path.endswith("/logging/dataTrace") and value.lower() == "true":
            return True
    return False


def update_stage(stage: dict[str, Any], operations: list[dict[str, Any]], now: int) -> dict[str, Any]:
    """UpdateStage's patches applied to a copy of the stage (whose deployment the caller checks)."""
    rest = _method_setting_patches(stage, operations)
    stage = apply_patch(stage, rest, patches.STAGE)
    check_canary(stage)
    access_log = stage.get("accessLogSettings")
    if access_log:
        problem = accesslogs.settings_problem(access_log.get("destinationArn"), access_log.get("format"))
        if problem is not None:
            raise BadRequestException(problem)
    stage["lastUpdatedDate"] = now
    stage["cacheClusterStatus"] = "AVAILABLE" if stage.get("cacheClusterEnabled") else "NOT_AVAILABLE"
    if stage.get("cacheClusterEnabled"):
        stage.setdefault("cacheClusterSize", "0.5")
    return stage
