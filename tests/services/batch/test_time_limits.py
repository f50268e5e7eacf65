"""jobStateTimeLimitActions: a job that waits RUNNABLE for a reason a queue's action names (here: no container engine
to run on, CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY; or more vCPUs than any environment has,
MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE) is cancelled after maxTimeSeconds; the reason shows meanwhile,
and a "Batch Job Queue Blocked" event says it.
A server of its own with no engine, whose time limits' seconds are 5 ms (600 s is 3 s)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from .conftest import environment, wait_for


@pytest.fixture(scope="module")
def server(store: StoreFactory) -> Iterator[Server]:
    env = {
        "GUREUM_CONTAINER_HOST": "unix:///nonexistent/gureum-test/engine.sock",
        "GUREUM_BATCH_SCHEDULER_SECONDS": "0.2",
        "GUREUM_BATCH_SECOND": "0.005",
    }
    srv = Server(**store(), env=env).start()
    yield srv
    srv.stop()


def test_time_limit_actions_cancel_blocked_jobs(server: Server, name: str) -> None:
    batch, sqs, events = (make_client(server.endpoint, s) for s in ("batch", "sqs", "events"))
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    target = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["aws.batch"], "detail-type": ["Batch Job Queue Blocked"], "detail": {"jobName": [name]}}
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": target}])
    ce = environment(batch, name, max_vcpus=2, kind="EC2")
    limits = [
        {"reason": reason, "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"}
        for reason in ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")
    ]
    jq = batch.create_job_queue(
        jobQueueName=name,
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
        jobStateTimeLimitActions=limits,
    )["jobQueueArn"]
    assert batch.describe_job_queues(jobQueues=[jq])["jobQueues"][0]["jobStateTimeLimitActions"] == limits
    definition = batch.register_job_definition(
        jobDefinitionName=name,
        type="container",
        containerProperties={
            "image": "busybox",
            "command": ["true"],
            "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}],
        },
    )["jobDefinitionArn"]
    fits = batch.submit_job(jobName=name, jobQueue=jq, jobDefinition=definition)["jobId"]
    too_big = batch.submit_job(
        jobName=name,
        jobQueue=jq,
        jobDefinition=definition,
        containerOverrides={"resourceRequirements": [{"type": "VCPU", "value": "4"}]},
    )["jobId"]
    waiting = wait_for(
        lambda: batch.describe_jobs(jobs=[fits, too_big])["jobs"],
        lambda docs: all(d.get("statusReason") for d in docs),
    )
    reasons = {d["jobId"]: d["statusReason"] for d in waiting}
    assert all(d["status"] == "RUNNABLE" for d in waiting)
    assert reasons[fits].startswith("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - ")
    assert reasons[too_big].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - ")
    done = wait_for(
        lambda: batch.describe_jobs(jobs=[fits, too_big])["jobs"],
        lambda docs: all(d["status"] == "FAILED" for d in docs),
        timeout=30,
    )
    for doc in done:
        code = reasons[doc["jobId"]].split(" - ")[0]
        assert doc["statusReason"] == f"Canceled by JobStateTimeLimit action due to reason: {code}"
        assert doc["isCancelled"] is True
        assert doc["stoppedAt"] - doc["createdAt"] >= 3000  # not before maxTimeSeconds (600 × 5 ms)
    blocked: dict[str, dict[str, Any]] = {}

    def receive() -> dict[str, dict[str, Any]]:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            event = json.loads(message["Body"])
            blocked[event["detail"]["jobId"]] = event
        return blocked

    wait_for(receive, lambda found: len(found) == 2, timeout=20)
    for job_id, event in blocked.items():
        assert event["detail"]["status"] == "RUNNABLE" and event["detail"]["statusReason"] == reasons[job_id]
        assert event["resources"] == [event["detail"]["jobArn"], jq]
    with pytest.raises(batch.exceptions.ClientException):
        batch.update_job_queue(jobQueue=jq, jobStateTimeLimitActions=[{**limits[0], "maxTimeSeconds": 60}])
