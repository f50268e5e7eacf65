"""ECS tasks as EventBridge rule targets and Scheduler targets, on Podman's service: a matched event runs the task
definition on the cluster with EcsParameters (count, tags, propagateTags, platform version) and the input's
containerOverrides, started by "events-rule/<rule>"; a one-time schedule does the same, started by
"scheduler/<group>/<schedule>", each as the target's role; a task definition that does not exist, or a role that does
not trust EventBridge, sends the event to the rule's DLQ."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import Engine

pytestmark = pytest.mark.containers
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["events.amazonaws.com", "scheduler.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _role(engine: Engine, name: str) -> str:
    """A role EventBridge and Scheduler may assume (as AWS, they run the task as the target's role)."""
    iam = engine.client("iam")
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"])


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
    role = _role(engine, name)
    overrides = {"containerOverrides": [{"name": "main", "command": ["sh", "-c", "echo ran; exit 3"]}]}
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "task",
                "Arn": cluster,
                "RoleArn": role,
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
            "RoleArn": _role(engine, name),
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


def test_refusals_go_to_the_dead_letter_queue(engine: Engine, name: str) -> None:
    """A task definition that does not exist, and a role that does not trust EventBridge: each event is
    dead-lettered with the reason."""
    ecs, events, sqs = engine.client("ecs"), engine.client("events"), engine.client("sqs")
    cluster = ecs.create_cluster(clusterName=name)["cluster"]["clusterArn"]
    definition = _task_definition(ecs, name, engine.image)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    untrusting = engine.client("iam").create_role(
        RoleName=f"{name}-other",
        AssumeRolePolicyDocument=json.dumps(
            {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}
        ),
    )["Role"]["Arn"]
    events.put_rule(Name=name, EventPattern=json.dumps({"source": ["test.ecs-target-dlq"]}))
    targets = [
        ({"TaskDefinitionArn": f"{name}-missing:1"}, _role(engine, name)),
        ({"TaskDefinitionArn": definition}, untrusting),
    ]
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": f"t{i}",
                "Arn": cluster,
                "RoleArn": role,
                "EcsParameters": {**parameters, "NetworkConfiguration": NETWORK},
                "DeadLetterConfig": {"Arn": dlq},
            }
            for i, (parameters, role) in enumerate(targets)
        ],
    )
    events.put_events(Entries=[{"Source": "test.ecs-target-dlq", "DetailType": "go", "Detail": "{}"}])
    deadline = time.monotonic() + 60
    messages: list[dict[str, Any]] = []
    while len(messages) < 2 and time.monotonic() < deadline:
        got = sqs.receive_message(
            QueueUrl=url, WaitTimeSeconds=2, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        messages += got.get("Messages", [])
    errors = sorted(m["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"] for m in messages)
    assert len(errors) == 2, errors
    assert "TaskDefinition not found" in errors[0]  # (upper case sorts first)
    assert f"events.amazonaws.com was unable to assume the role '{untrusting}'" in errors[1]
    assert {m["MessageAttributes"]["TARGET_ARN"]["StringValue"] for m in messages} == {cluster}
    assert ecs.list_tasks(cluster=name)["taskArns"] == []
