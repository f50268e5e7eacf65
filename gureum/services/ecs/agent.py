"""What a running task asks gureum, as the ECS agent answers it on AWS: the task metadata endpoint v4 (and v3)
— ECS_CONTAINER_METADATA_URI_V4=<gureum>/_ecs/v4/<task id>.<secret>/<container>: the container, /task, /stats,
/task/stats — and the task role's credentials at AWS_CONTAINER_CREDENTIALS_FULL_URI (<gureum>/_ecs/credentials/
<task id>, with AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header), so SDKs in containers call gureum
as the task role with no configuration. Served as an edge route ("/_ecs/…": no S3 bucket name starts with "_")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ...aws.authorize import role_credentials
from ...aws.http import Request, Response
from ...containers import EngineError, engine_state
from ...runtime import Runtime
from . import tasks
from .backend import EcsBackend


def _json(doc: Any, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


async def handle(runtime: Runtime, request: Request) -> Response:
    be = runtime.state(EcsBackend)
    parts = request.path.strip("/").split("/")  # ["_ecs", kind, …]
    if len(parts) >= 3 and parts[1] == "credentials" and request.method == "GET":
        return await _credentials(runtime, be, parts[2], request.headers.get("authorization", ""))
    if len(parts) >= 3 and parts[1] in ("v4", "v3") and request.method == "GET":
        task_id, _, secret = parts[2].partition(".")
        doc = await be.task_by_secret(task_id, secret)
        if doc is None:
            return _json({"message": "task metadata not found"}, 404)
        container = parts[3] if len(parts) > 3 else ""
        rest = parts[4:]
        if rest == ["task"] or (not container and not rest):
            return _json(_task_metadata(doc))
        if rest == ["task", "stats"]:
            return _json({name: await _stats(runtime, doc, name) for name in doc[tasks.PRIVATE]["engine"]})
        if rest == ["stats"]:
            return _json(await _stats(runtime, doc, container))
        if not rest:
            found = _container_metadata(doc, container)
            return _json(found) if found is not None else _json({"message": "container not found"}, 404)
    return _json({"message": "not found"}, 404)


async def _credentials(runtime: Runtime, be: EcsBackend, task_id: str, token: str) -> Response:
    doc = await be.task_by_secret(task_id, token.strip())
    role = (doc or {}).get(tasks.PRIVATE, {}).get("taskRoleArn")
    if doc is None or not role:
        return _json({"code": "NotFound", "message": "no credentials for this task"}, 404)
    issued = role_credentials(runtime, role, f"ecs-task-{task_id}")
    return _json(
        {
            "AccessKeyId": issued.access_key,
            "SecretAccessKey": issued.secret,
            "Token": issued.token,
            "Expiration": _iso(issued.expires),
            "RoleArn": role,
        }
    )


def _container_metadata(doc: dict[str, Any], name: str) -> dict[str, Any] | None:
    private = doc[tasks.PRIVATE]
    for record in doc["containers"]:
        if record["name"] != name:
            continue
        definition: dict[str, Any] = next((c for c in private["containers"] if c["name"] == name), {})
        out: dict[str, Any] = {
            "DockerId": private["engine"].get(name, ""),
            "Name": name,
            "DockerName": f"ecs-{tasks.task_id_of(doc['taskArn'])[:12]}-{name}",
            "Image": record["image"],
            "Labels": {
                "com.amazonaws.ecs.cluster": doc["clusterArn"],
                "com.amazonaws.ecs.container-name": name,
                "com.amazonaws.ecs.task-arn": doc["taskArn"],
                "com.amazonaws.ecs.task-definition-family": doc["group"].removeprefix("family:"),
            },
            "DesiredStatus": doc["desiredStatus"],
            "KnownStatus": record["lastStatus"],
            "Limits": {"CPU": int(definition.get("cpu") or 0), "Memory": int(definition.get("memory") or 0)},
            "Type": "NORMAL",
            "ContainerARN": record["containerArn"],
            "Networks": [{"NetworkMode": private.get("networkMode", "bridge"), "IPv4Addresses": ["127.0.0.1"]}],
        }
        if "exitCode" in record:
            out["ExitCode"] = record["exitCode"]
        if record.get("networkBindings"):
            out["Ports"] = [
                {
                    "ContainerPort": b["containerPort"],
                    "Protocol": b["protocol"],
                    "HostPort": b["hostPort"],
                    "HostIp": b["bindIP"],
                }
                for b in record["networkBindings"]
            ]
        logging = definition.get("logConfiguration") or {}
        if logging.get("logDriver"):
            out["LogDriver"] = logging["logDriver"]
            out["LogOptions"] = logging.get("options") or {}
        return out
    return None


def _task_metadata(doc: dict[str, Any]) -> dict[str, Any]:
    parts = doc["taskDefinitionArn"].rsplit("/", 1)[-1].rsplit(":", 1)
    out: dict[str, Any] = {
        "Cluster": doc["clusterArn"],
        "TaskARN": doc["taskArn"],
        "Family": parts[0],
        "Revision": parts[1] if len(parts) > 1 else "",
        "DesiredStatus": doc["desiredStatus"],
        "KnownStatus": doc["lastStatus"],
        "Containers": [c for c in (_container_metadata(doc, r["name"]) for r in doc["containers"]) if c],
        "LaunchType": doc.get("launchType", "EC2"),
        "AvailabilityZone": doc.get("availabilityZone", ""),
    }
    if doc.get("cpu") or doc.get("memory"):
        out["Limits"] = {"CPU": int(doc.get("cpu") or 0) / 1024, "Memory": int(doc.get("memory") or 0)}
    for key, name in (("pullStartedAt", "PullStartedAt"), ("pullStoppedAt", "PullStoppedAt")):
        if isinstance(doc.get(key), (int, float)):
            out[name] = _iso(doc[key])
    return out


async def _stats(runtime: Runtime, doc: dict[str, Any], name: str) -> Any:
    """The engine's one-shot stats of a container (Docker's stats JSON, as the agent passes it on)."""
    container_id = doc[tasks.PRIVATE]["engine"].get(name)
    if not container_id:
        return None
    try:
        engine = engine_state(runtime).engine()
        return (await engine.request("GET", f"/containers/{container_id}/stats", params={"stream": "false"})).json()
    except EngineError:
        return None
