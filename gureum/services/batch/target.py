"""The "batch" delivery target other services deliver to (EventBridge rule targets with BatchParameters, Scheduler
Batch targets): SubmitJob inside the producer's transaction, so the job commits with the change that caused it.

Address: the job queue's ARN. Payload: {"job_queue": ARN, "job_definition": name, name:revision or ARN,
"job_name": str, "array_size": int | None, "attempts": int | None, "input": the target's input text, "origin":
{"service", "arn"}}. As on AWS, an input that is a JSON object passes its "Parameters" and "ContainerOverrides" on
to SubmitJob; from Scheduler's universal target (aws-sdk:batch:submitJob) the input is SubmitJob's whole request,
so its other members (DependsOn, Timeout, Tags, ShareIdentifier, …) apply too. A refused submission (no such queue
or definition, bad input) is not retried.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...aws.errors import ServiceError
from ...delivery import DeliveryError, Target, guarded
from ...runtime import Runtime
from ...safejson import UnsafeJson, loads
from ...store.base import Tx
from . import store
from .backend import BatchBackend


def request_of(address: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The SubmitJob request a delivery stands for."""
    request: dict[str, Any] = {
        "jobQueue": payload.get("job_queue") or address,
        "jobDefinition": payload.get("job_definition") or "",
        "jobName": payload.get("job_name") or "",
    }
    if payload.get("array_size"):
        request["arrayProperties"] = {"size": int(payload["array_size"])}
    if payload.get("attempts"):
        request["retryStrategy"] = {"attempts": int(payload["attempts"])}
    text = payload.get("input")
    if isinstance(text, str) and text.strip().startswith("{"):
        try:
            doc = loads(text)
        except (UnsafeJson, ValueError):
            doc = None
        if isinstance(doc, dict):
            if isinstance(doc.get("Parameters"), dict):
                request["parameters"] = {str(k): str(v) for k, v in doc["Parameters"].items()}
            overrides = doc.get("ContainerOverrides")
            if isinstance(overrides, dict):
                request["containerOverrides"] = _overrides(overrides)
            if (payload.get("origin") or {}).get("service") == "scheduler.amazonaws.com":
                request.update(_scheduler_members(doc))
    return request


def _scheduler_members(doc: dict[str, Any]) -> dict[str, Any]:
    """SubmitJob's other members as Scheduler's universal target spells them (PascalCase)."""
    out: dict[str, Any] = {}
    if isinstance(doc.get("ShareIdentifier"), str):
        out["shareIdentifier"] = doc["ShareIdentifier"]
    if isinstance(doc.get("SchedulingPriorityOverride"), int):
        out["schedulingPriorityOverride"] = doc["SchedulingPriorityOverride"]
    if isinstance(doc.get("DependsOn"), list):
        out["dependsOn"] = [
            {k: str(d[key]) for k, key in (("jobId", "JobId"), ("type", "Type")) if key in d}
            for d in doc["DependsOn"]
            if isinstance(d, dict)
        ]
    timeout = doc.get("Timeout")
    if isinstance(timeout, dict) and isinstance(timeout.get("AttemptDurationSeconds"), int):
        out["timeout"] = {"attemptDurationSeconds": timeout["AttemptDurationSeconds"]}
    if isinstance(doc.get("Tags"), dict):
        out["tags"] = {str(k): str(v) for k, v in doc["Tags"].items()}
    if isinstance(doc.get("PropagateTags"), bool):
        out["propagateTags"] = doc["PropagateTags"]
    return out


def _overrides(doc: dict[str, Any]) -> dict[str, Any]:
    """ContainerOverrides as EventBridge passes them (Command, Environment [{Name, Value}], ResourceRequirements,
    InstanceType), in SubmitJob's camelCase."""
    out: dict[str, Any] = {}
    if isinstance(doc.get("Command"), list):
        out["command"] = [str(c) for c in doc["Command"]]
    if isinstance(doc.get("Environment"), list):
        out["environment"] = [
            {"name": str(e.get("Name", "")), "value": str(e.get("Value", ""))}
            for e in doc["Environment"]
            if isinstance(e, dict)
        ]
    if isinstance(doc.get("ResourceRequirements"), list):
        out["resourceRequirements"] = [
            {"type": str(r.get("Type", "")), "value": str(r.get("Value", ""))}
            for r in doc["ResourceRequirements"]
            if isinstance(r, dict)
        ]
    if isinstance(doc.get("InstanceType"), str):
        out["instanceType"] = doc["InstanceType"]
    return out


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    be = runtime.state(BatchBackend)
    request = request_of(address, payload)
    parts = str(request["jobQueue"]).split(":")
    if len(parts) < 6 or parts[2] != "batch":
        raise DeliveryError(f"{request['jobQueue']} is not a job queue ARN", code="InvalidTarget", retryable=False)
    try:
        be.submit_in_tx(tx, parts[4], parts[3], request, str(uuid.uuid4()), runtime.clock.now())
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error
    tx.notify(store.JOB_CHANNEL, "")


TARGET = Target("batch", in_tx=guarded(deliver_in_tx, "batch"))
