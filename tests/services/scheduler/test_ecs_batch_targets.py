"""ECS cluster targets (EcsParameters) and AWS Batch through the universal target aws-sdk:batch:submitJob (Scheduler's
templated targets have no Batch parameters): CreateSchedule's checks, and the deliveries an invocation becomes —
RunTask's arguments with the Input's task overrides, and the "batch" contract the Batch service implements. (A
schedule's ECS task running on the engine: tests/services/ecs/test_event_targets.py.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from gureum.services.scheduler import firing, model

from ..events._helpers import expect_error
from ._helpers import OFF, target

CLUSTER = "arn:aws:ecs:us-east-1:000000000000:cluster/jobs"
QUEUE = "arn:aws:batch:us-east-1:000000000000:job-queue/nightly"
ECS = {"TaskDefinitionArn": "arn:aws:ecs:us-east-1:000000000000:task-definition/report:3"}
SUBMIT = "arn:aws:scheduler:::aws-sdk:batch:submitJob"
JOB = {"JobName": "nightly-report", "JobQueue": "nightly", "JobDefinition": "report:2"}


@pytest.fixture(scope="module")
def scheduler(aws: Callable[..., Any]) -> Any:
    return aws("scheduler")


def _create(scheduler: Any, name: str, given: dict[str, Any]) -> Any:
    return scheduler.create_schedule(
        Name=name, ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF, State="DISABLED", Target=given
    )


@pytest.mark.parametrize(
    "given, message",
    [
        (target(CLUSTER), "EcsParameters must be provided for an Amazon ECS cluster target."),
        (target(QUEUE), "A job queue is not a templated target"),
        (target(SUBMIT, Input="[1]"), f"Input for {SUBMIT} must be a JSON object of SubmitJob's parameters."),
        (
            target(SUBMIT, Input=json.dumps({"JobName": "a", "JobQueue": "q"})),
            f"Input for {SUBMIT} is missing required parameter JobDefinition.",
        ),
        (target("arn:aws:scheduler:::aws-sdk:batch:describeJobs", Input="{}"), "names a read-only API action"),
    ],
)
def test_create_schedule_checks(scheduler: Any, name: str, given: dict[str, Any], message: str) -> None:
    error = expect_error(lambda: _create(scheduler, name, given), "ValidationException")
    assert message in error["Message"]


def test_targets_kept_as_given(scheduler: Any, name: str) -> None:
    _create(scheduler, f"{name}-ecs", target(CLUSTER, EcsParameters={**ECS, "TaskCount": 2}))
    _create(scheduler, f"{name}-batch", target(SUBMIT, Input=json.dumps(JOB)))
    assert scheduler.get_schedule(Name=f"{name}-ecs")["Target"]["EcsParameters"]["TaskCount"] == 2
    assert json.loads(scheduler.get_schedule(Name=f"{name}-batch")["Target"]["Input"]) == JOB


def _schedule(given: dict[str, Any]) -> model.Schedule:
    members = {"Name": "nightly", "ScheduleExpression": "rate(1 day)", "FlexibleTimeWindow": OFF, "Target": given}
    model.check_schedule(members, 0)
    return model.new_schedule("000000000000", "us-east-1", members, 0, 0)


def test_batch_delivery_contract() -> None:
    request = {**JOB, "ArrayProperties": {"Size": 5}, "RetryStrategy": {"Attempts": 2}}
    schedule = _schedule(
        target(SUBMIT, Input=json.dumps({**request, "Parameters": {"at": "<aws.scheduler.schedule-arn>"}}))
    )
    found = firing.delivery(schedule, 0, "exec-1")
    assert found is not None
    kind, address, payload = found
    assert (kind, address) == ("batch", QUEUE)  # a queue name is the schedule's account's and region's queue
    sent = json.loads(payload.pop("input"))
    assert payload == {
        "job_queue": QUEUE,
        "job_definition": "report:2",
        "job_name": "nightly-report",
        "array_size": 5,
        "attempts": 2,
        "origin": {"service": "scheduler.amazonaws.com", "arn": schedule.arn},
    }
    assert sent["Parameters"] == {"at": schedule.arn}  # the Input with Scheduler's context attributes filled in
    by_arn = firing.delivery(_schedule(target(SUBMIT, Input=json.dumps({**JOB, "JobQueue": QUEUE}))), 0, "e")
    assert by_arn is not None and by_arn[2]["array_size"] is None and by_arn[2]["attempts"] is None


def test_ecs_delivery_from_parameters_and_input() -> None:
    overrides = {"containerOverrides": [{"name": "main", "command": ["report"]}], "cpu": "512"}
    parameters = {
        **ECS,
        "LaunchType": "FARGATE",
        "NetworkConfiguration": {"awsvpcConfiguration": {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]}},
        "Tags": [{"team": "a"}, {"key": "env", "value": "test"}],
        "EnableExecuteCommand": False,
        "ReferenceId": "ref-1",
    }
    schedule = _schedule(target(CLUSTER, EcsParameters=parameters, Input=json.dumps(overrides)))
    found = firing.delivery(schedule, 0, "exec-1")
    assert found is not None
    kind, address, payload = found
    assert (kind, address) == ("ecs", CLUSTER)
    assert payload["cluster"] == CLUSTER and payload["task_definition"] == ECS["TaskDefinitionArn"]
    assert payload["count"] == 1 and payload["launch_type"] == "FARGATE"
    assert payload["network_configuration"] == {
        "awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"]}
    }
    assert payload["tags"] == [{"key": "team", "value": "a"}, {"key": "env", "value": "test"}]
    assert payload["overrides"] == overrides and payload["reference_id"] == "ref-1"
    assert payload["enable_execute_command"] is False
    assert payload["origin"] == {"service": "scheduler.amazonaws.com", "arn": schedule.arn}
