"""ECS cluster and Batch job queue targets of rules: PutTargets' checks (RoleArn and EcsParameters/BatchParameters
required, Batch's array size and attempts), and the deliveries a matched event becomes — RunTask's arguments with
the input's task overrides for ECS, and the "batch" contract the Batch service implements. (A rule's ECS task
running on the engine: tests/services/ecs/test_event_targets.py.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gureum.services.events import routing

from ._helpers import expect_error

CLUSTER = "arn:aws:ecs:us-east-1:000000000000:cluster/jobs"
QUEUE = "arn:aws:batch:us-east-1:000000000000:job-queue/nightly"
ROLE = "arn:aws:iam::000000000000:role/events-invoke"
RULE = "arn:aws:events:us-east-1:000000000000:rule/every-order"
ECS = {"TaskDefinitionArn": "arn:aws:ecs:us-east-1:000000000000:task-definition/report:3"}
BATCH = {"JobDefinition": "report:2", "JobName": "nightly-report"}


@pytest.fixture
def rule(aws: Any, name: str) -> str:
    aws("events").put_rule(Name=name, EventPattern=json.dumps({"source": ["test.jobs"]}))
    return name


@pytest.mark.parametrize(
    "target, message",
    [
        ({"Arn": CLUSTER, "EcsParameters": ECS}, "Parameter(s) RoleArn must be specified for target: t."),
        ({"Arn": CLUSTER, "RoleArn": ROLE}, "Parameter(s) EcsParameters must be specified for target: t."),
        (
            {
                "Arn": CLUSTER,
                "RoleArn": ROLE,
                "EcsParameters": {
                    **ECS,
                    "LaunchType": "FARGATE",
                    "CapacityProviderStrategy": [{"capacityProvider": "FARGATE"}],
                },
            },
            "LaunchType and CapacityProviderStrategy cannot both be specified for target: t.",
        ),
        ({"Arn": QUEUE, "BatchParameters": BATCH}, "Parameter(s) RoleArn must be specified for target: t."),
        ({"Arn": QUEUE, "RoleArn": ROLE}, "Parameter(s) BatchParameters must be specified for target: t."),
        (
            {"Arn": QUEUE, "RoleArn": ROLE, "BatchParameters": {**BATCH, "ArrayProperties": {"Size": 1}}},
            "ArrayProperties.Size for target t must be between 2 and 10000.",
        ),
        (
            {"Arn": QUEUE, "RoleArn": ROLE, "BatchParameters": {**BATCH, "RetryStrategy": {"Attempts": 11}}},
            "RetryStrategy.Attempts for target t must be between 1 and 10.",
        ),
    ],
)
def test_put_targets_checks(aws: Any, rule: str, target: dict[str, Any], message: str) -> None:
    events = aws("events")
    expect_error(lambda: events.put_targets(Rule=rule, Targets=[{"Id": "t", **target}]), "ValidationException", message)
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == []


def test_targets_kept_as_given(aws: Any, rule: str) -> None:
    events = aws("events")
    ecs = {"Id": "ecs", "Arn": CLUSTER, "RoleArn": ROLE, "EcsParameters": {**ECS, "TaskCount": 2}}
    batch = {
        "Id": "batch",
        "Arn": QUEUE,
        "RoleArn": ROLE,
        "BatchParameters": {**BATCH, "ArrayProperties": {"Size": 3}, "RetryStrategy": {"Attempts": 2}},
    }
    assert events.put_targets(Rule=rule, Targets=[ecs, batch])["FailedEntryCount"] == 0
    kept = {t["Id"]: t for t in events.list_targets_by_rule(Rule=rule)["Targets"]}
    assert kept["ecs"]["EcsParameters"]["TaskCount"] == 2
    assert kept["batch"]["BatchParameters"]["ArrayProperties"] == {"Size": 3}


EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "order",
    "source": "test.jobs",
    "account": "000000000000",
    "time": "2026-12-07T03:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"order": 7},
}


def _outgoing(target: dict[str, Any]) -> routing.Outgoing:
    found = routing.outgoing({"Id": "t", "RoleArn": ROLE, **target}, EVENT, RULE, "every-order", "", 0)
    assert found is not None
    return found


def test_batch_delivery_contract() -> None:
    parameters = {**BATCH, "ArrayProperties": {"Size": 4}, "RetryStrategy": {"Attempts": 3}}
    out = _outgoing({"Arn": QUEUE, "BatchParameters": parameters, "InputPath": "$.detail"})
    assert (out.kind, out.address) == ("batch", QUEUE)
    assert out.payload == {
        "job_queue": QUEUE,
        "job_definition": "report:2",
        "job_name": "nightly-report",
        "array_size": 4,
        "attempts": 3,
        "input": '{"order":7}',
        "origin": {"service": "events.amazonaws.com", "arn": RULE},
    }
    plain = _outgoing({"Arn": QUEUE, "BatchParameters": BATCH}).payload
    assert plain["array_size"] is None and plain["attempts"] is None
    assert json.loads(plain["input"]) == EVENT  # no Input: the matched event


def test_ecs_delivery_from_parameters_and_input() -> None:
    overrides = {"containerOverrides": [{"name": "main", "command": ["report", "7"]}], "taskRoleArn": ROLE}
    parameters = {
        **ECS,
        "TaskCount": 2,
        "LaunchType": "FARGATE",
        "PlatformVersion": "1.4.0",
        "Group": "reports",
        "NetworkConfiguration": {"awsvpcConfiguration": {"Subnets": ["subnet-1"], "AssignPublicIp": "ENABLED"}},
        "Tags": [{"Key": "team", "Value": "a"}],
        "PropagateTags": "TASK_DEFINITION",
        "ReferenceId": "ref-1",
    }
    out = _outgoing({"Arn": CLUSTER, "EcsParameters": parameters, "Input": json.dumps({**overrides, "other": 1})})
    assert (out.kind, out.address) == ("ecs", CLUSTER)
    payload = out.payload
    assert payload["cluster"] == CLUSTER and payload["task_definition"] == ECS["TaskDefinitionArn"]
    assert payload["count"] == 2 and payload["launch_type"] == "FARGATE" and payload["platform_version"] == "1.4.0"
    assert payload["network_configuration"] == {
        "awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}
    }
    assert payload["tags"] == [{"key": "team", "value": "a"}] and payload["propagate_tags"] == "TASK_DEFINITION"
    assert payload["group"] == "reports" and payload["reference_id"] == "ref-1"
    assert payload["overrides"] == overrides  # the input's task overrides; its other members ignored
    assert payload["origin"] == {"service": "events.amazonaws.com", "arn": RULE}
    assert _outgoing({"Arn": CLUSTER, "EcsParameters": ECS}).payload["overrides"] is None  # the event overrides nothing
