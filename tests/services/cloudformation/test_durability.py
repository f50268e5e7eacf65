"""Durability: a stack being created when gureum is killed (kill -9) is rolled back after the restart — never left
CREATE_IN_PROGRESS — and what it had created is deleted."""

from __future__ import annotations

import time
from typing import Any

from ...conftest import StoreFactory, make_client
from ...server import Server
from ._helpers import body, settle

# a Kinesis stream stays CREATING for 20 s: the stack is caught with its queue made and its stream in progress
SLOW = {"GUREUM_KINESIS_DELAY": "20", "GUREUM_CFN_LEASE_SECONDS": "1.5"}
TEMPLATE = body(
    {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Stream": {"Type": "AWS::Kinesis::Stream", "DependsOn": "Queue", "Properties": {"ShardCount": 1}},
        }
    }
)


def _status(cfn: Any, name: str, logical: str) -> str:
    for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]:
        if r["LogicalResourceId"] == logical:
            return str(r["ResourceStatus"])
    return ""


def test_interrupted_create_rolls_back_after_kill(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept, env=SLOW).start()
    try:
        cfn = make_client(server.endpoint, "cloudformation")
        cfn.create_stack(StackName="durable", TemplateBody=TEMPLATE)
        deadline = time.monotonic() + 30
        while _status(cfn, "durable", "Stream") != "CREATE_IN_PROGRESS":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        queue = [
            r["PhysicalResourceId"]
            for r in cfn.list_stack_resources(StackName="durable")["StackResourceSummaries"]
            if r["LogicalResourceId"] == "Queue"
        ][0]
        server.kill()
        server = Server(**kept, env=SLOW).start()
        cfn = make_client(server.endpoint, "cloudformation")
        found = settle(cfn, "durable")
        assert found["StackStatus"] == "ROLLBACK_COMPLETE"
        assert "interrupted" in found["StackStatusReason"]
        sqs = make_client(server.endpoint, "sqs")
        assert queue.rsplit("/", 1)[-1] not in " ".join(sqs.list_queues().get("QueueUrls") or [])
        cfn.delete_stack(StackName="durable")
        assert settle(cfn, found["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    finally:
        server.stop()
