"""The "batch" delivery target end to end: an EventBridge rule whose target is a job queue (BatchParameters; the
input's Parameters and ContainerOverrides reach SubmitJob) and a Scheduler schedule with the universal target
aws-sdk:batch:submitJob submit jobs that really run; a job definition that does not exist is not retried."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from .conftest import Engine, environment, printed, queue, wait_for

pytestmark = pytest.mark.containers
ROLE = "arn:aws:iam::000000000000:role/batch-events"


def _jobs(batch: Any, jq: str, name: str) -> list[dict[str, Any]]:
    found = batch.list_jobs(jobQueue=jq, filters=[{"name": "JOB_NAME", "values": [name]}])["jobSummaryList"]
    return [dict(j) for j in found]


def _definition(batch: Any, name: str, image: str) -> str:
    return str(
        batch.register_job_definition(
            jobDefinitionName=name,
            type="container",
            parameters={"word": "unset"},
            containerProperties={
                "image": image,
                "command": ["echo", "Ref::word"],
                "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}],
            },
        )["jobDefinitionArn"]
    )


def test_rule_submits_a_job(engine: Engine, name: str) -> None:
    batch, events, logs = engine.client("batch"), engine.client("events"), engine.client("logs")
    jq = queue(batch, name, [environment(batch, name, kind="EC2")])
    _definition(batch, name, engine.image)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    given = {"Parameters": {"word": "from-rule"}, "ContainerOverrides": {"Environment": [{"Name": "X", "Value": "1"}]}}
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "jobs",
                "Arn": jq,
                "RoleArn": ROLE,
                "BatchParameters": {"JobDefinition": name, "JobName": name, "RetryStrategy": {"Attempts": 2}},
                "Input": json.dumps(given),
            }
        ],
    )
    events.put_events(Entries=[{"Source": name, "DetailType": "go", "Detail": "{}"}])
    summary = wait_for(lambda: _jobs(batch, jq, name), lambda found: found and found[0]["status"] == "SUCCEEDED")[0]
    doc = batch.describe_jobs(jobs=[summary["jobId"]])["jobs"][0]
    assert doc["parameters"]["word"] == "from-rule" and doc["retryStrategy"]["attempts"] == 2
    assert {"name": "X", "value": "1"} in doc["container"]["environment"]
    stream = doc["container"]["logStreamName"]
    wait_for(lambda: printed(logs, stream), lambda messages: messages == ["from-rule"])


def test_schedule_submits_a_job(engine: Engine, name: str) -> None:
    batch, scheduler = engine.client("batch"), engine.client("scheduler")
    jq = queue(batch, name, [environment(batch, name, kind="EC2")])
    _definition(batch, name, engine.image)
    request = {
        "JobName": name,
        "JobQueue": name,
        "JobDefinition": name,
        "Parameters": {"word": "scheduled"},
        "Tags": {"from": "scheduler"},
    }
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=2)
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:scheduler:::aws-sdk:batch:submitJob", "RoleArn": ROLE, "Input": json.dumps(request)},
    )
    summary = wait_for(lambda: _jobs(batch, jq, name), lambda found: found and found[0]["status"] == "SUCCEEDED")[0]
    doc = batch.describe_jobs(jobs=[summary["jobId"]])["jobs"][0]
    assert doc["parameters"]["word"] == "scheduled" and doc["tags"] == {"from": "scheduler"}


def test_rule_with_a_missing_definition_dead_letters(engine: Engine, name: str) -> None:
    """SubmitJob's refusal is final: the rule target's dead-letter queue gets the event at once."""
    batch, events, sqs = engine.client("batch"), engine.client("events"), engine.client("sqs")
    jq = queue(batch, name, [environment(batch, name, kind="EC2")])
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "jobs",
                "Arn": jq,
                "RoleArn": ROLE,
                "BatchParameters": {"JobDefinition": f"{name}-missing", "JobName": name},
                "DeadLetterConfig": {"Arn": dlq},
            }
        ],
    )
    events.put_events(Entries=[{"Source": name, "DetailType": "go", "Detail": "{}"}])
    messages = wait_for(
        lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get("Messages", []),
        bool,
        timeout=30,
    )
    assert "does not exist" in messages[0]["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"]
    assert _jobs(batch, jq, name) == []
