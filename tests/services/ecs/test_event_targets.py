"""ECS tasks as EventBridge rule targets and Scheduler targets, on Podman's service: a matched event runs the task
definition on the cluster with EcsParameters (count, tags, propagateTags, platform version) and the input's
containerOverrides, started by "events-rule/<rule>"; a one-time schedule does the same, started by
"scheduler/<group>/<schedule>"; a task definition that does not exist sends the event to the rule's DLQ."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import Engine

pytestmark = pytest.mark.containers
ROLE = "arn:aws:iam::000000000000:role/events-ecs"
NETWORK = {"awsvpcConfiguration": {"Subnets": ["subnet-12345678"], "AssignPublicIp": "DISABLED"}}


def _task_definition(ecs: Any, family: str, image: str) -> str:
    return str(
        ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "main", "image": image, "command": ["sh", "-c", "exit 0"]}],
            tags=[{"key": "from-definition", "value": "yes"}],
        )["taskDefinition"]["taskDefinitionArn"]
    )


def _stopped_task(ecs: Any, cluster: str, started_by: str, timeout: float = 120) -> dict[str, Any]:
    """The one task ``started_by`` started, once STOPPED."""
    deadline = time.monotonic() + timeout
    while True:
        arns = ecs.list_tasks(cluster=cluster, startedBy=started_by, desiredStatus="STOPPED")["taskArns"]
        arns += ecs.list_tasks(cluster=cluster, startedBy=started_by)["taskArns"]
        if arns:
            task = ecs.describe_tasks(cluster=cluster, tasks=arns[:1], include=["TAGS"])["tasks"][0]
            if task["lastStatus"] == "STOPPED":
                assert len(set(arns)) == 1, arns
                return dict(task)
        assert time.monotonic() < deadline, f"no stopped task started by {started_by}"
        time.sleep(0.2)


def test_rule_target_runs_a_task(engine: Engine, name: str) -> None:
    ecs, events = engine.client("ecs"), engine.client("events")
    cluster = ecs.create_cluster(clusterName=name)["cluster"]["clusterArn"]
    definition = _task_definition(ecs, name, engine.image)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": ["test.ecs-target"]}))
    overrides = {"containerOverrides": [{"name": "main", "command": ["sh", "-c", "echo ran; exit 3"]}]}
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "task",
                "Arn": cluster,
                "RoleArn": ROLE,
                "Input": json.dumps(overrides),
                "EcsParameters": {
                    "TaskDefinitionArn": definition,
                    "TaskCount": 1,
                    "LaunchType": "FARGATE",
                    "PlatformVersion": "LATEST",
                    "NetworkConfiguration": NETWORK,
                    "Tags": [{"Key": "from-rule", "Value": name}],
                    "PropagateTags": "TASK_DEFINITION",
                    "EnableECSManagedTags": True,
                },
            }
        ],
    )
    events.put_events(Entries=[{"Source": "test.ecs-target", "DetailType": "go", "Detail": "{}"}])
    task = _stopped_task(ecs, name, f"events-rule/{name}")
    assert task["taskDefinitionArn"] == definition
    assert task["containers"][0]["exitCode"] == 3
    assert task["overrides"]["containerOverrides"] == overrides["containerOverrides"]
    assert task["launchType"] == "FARGATE" and task["platformVersion"] == "1.4.0"
    tags = {tag["key"]: tag["value"] for tag in task["tags"]}
    assert tags == {"from-rule": name, "from-definition": "yes", "aws:ecs:clusterName": name}


def test_schedule_target_runs_a_task(engine: Engine, name: str) -> None:
    ecs, scheduler = engine.client("ecs"), engine.client("scheduler")
    cluster = ecs.create_cluster(clusterName=name)["cluster"]["clusterArn"]
    definition = _task_definition(ecs, name, engine.image)
    when = datetime.now(UTC) + timedelta(seconds=1.999)
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": cluster,
            "RoleArn": ROLE,
            "Input": json.dumps({"containerOverrides": [{"name": "main", "command": ["sh", "-c", "exit 4"]}]}),
            "EcsParameters": {
                "TaskDefinitionArn": definition,
                "LaunchType": "FARGATE",
                "NetworkConfiguration": NETWORK,
                "Group": "nightly",
            },
        },
    )
    task = _stopped_task(ecs, name, f"scheduler/default/{name}")
    assert task["containers"][0]["exitCode"] == 4
    assert task["group"] == "nightly"


def test_missing_task_definition_goes_to_the_dead_letter_queue(engine: Engine, name: str) -> None:
    ecs, events, sqs = engine.client("ecs"), engine.client("events"), engine.client("sqs")
    cluster = ecs.create_cluster(clusterName=name)["cluster"]["clusterArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventPattern=json.dumps({"source": ["test.ecs-target-dlq"]}))
    parameters = {"TaskDefinitionArn": f"{name}-missing:1", "NetworkConfiguration": NETWORK}
    target = {"Id": "t", "Arn": cluster, "RoleArn": ROLE, "EcsParameters": parameters, "DeadLetterConfig": {"Arn": dlq}}
    events.put_targets(Rule=name, Targets=[target])
    events.put_events(Entries=[{"Source": "test.ecs-target-dlq", "DetailType": "go", "Detail": "{}"}])
    deadline = time.monotonic() + 60
    messages: list[dict[str, Any]] = []
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, MessageAttributeNames=["All"]).get(
            "Messages", []
        )
    assert messages, "the event never reached the dead-letter queue"
    attributes = {key: value["StringValue"] for key, value in messages[0]["MessageAttributes"].items()}
    assert attributes["TARGET_ARN"] == cluster
    assert "TaskDefinition not found" in attributes["ERROR_MESSAGE"]
