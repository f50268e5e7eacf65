"""Two nodes on one PostgreSQL database: a stack is driven by one node at a time (the other leaves it alone while
the driver's lease is renewed), and when the driving node dies mid-create the other takes the stack over once the
lease runs out and rolls it back — never leaving it CREATE_IN_PROGRESS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ...conftest import make_client
from ...server import Server
from ._helpers import body, events, settle

# a Kinesis stream stays CREATING for 20 s; leases last 1.5 s (renewed every 0.5 s)
SLOW = {"GUREUM_KINESIS_DELAY": "20", "GUREUM_CFN_LEASE_SECONDS": "1.5"}
TEMPLATE = body(
    {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Stream": {"Type": "AWS::Kinesis::Stream", "DependsOn": "Queue", "Properties": {"ShardCount": 1}},
        }
    }
)


@pytest.fixture
def nodes(pg_cluster: Any, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    url = pg_cluster.create_database("cfnfailover")
    a = Server(tmp_path / "a", store_url=url, env=SLOW).start()
    b = Server(tmp_path / "b", store_url=url, env=SLOW).start()
    yield a, b
    a.stop()
    b.stop()


def test_the_other_node_takes_a_dead_drivers_stack_over(nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    cfn_a, cfn_b = make_client(a.endpoint, "cloudformation"), make_client(b.endpoint, "cloudformation")
    cfn_a.create_stack(StackName="failover", TemplateBody=TEMPLATE)
    deadline = time.monotonic() + 30
    while not any(e[:2] == ("Stream", "CREATE_IN_PROGRESS") for e in events(cfn_b, "failover")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(3)  # two lease periods: node b sees the stack in progress and leaves it to its live driver
    assert cfn_b.describe_stacks(StackName="failover")["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"
    a.kill()
    found = settle(cfn_b, "failover")
    assert found["StackStatus"] == "ROLLBACK_COMPLETE"
    assert [e[1] for e in events(cfn_b, "failover") if e[0] == "Queue"][-1] == "DELETE_COMPLETE"
    cfn_b.delete_stack(StackName="failover")
    assert settle(cfn_b, found["StackId"])["StackStatus"] == "DELETE_COMPLETE"
