"""Concurrent changes to one event bus and its rule all stay: PutPermission, TagResource (bus and rule), PutRule and
PutTargets at once, each a read-modify-write of a row (on PostgreSQL several writer connections, and nodes, run them
side by side)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

N = 10


def run_all(jobs: list[Any]) -> None:
    with ThreadPoolExecutor(12) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


def test_concurrent_changes_to_one_bus_all_stay(aws: Any, name: str) -> None:
    events = aws("events")
    bus = events.create_event_bus(Name=name)["EventBusArn"]
    rule = events.put_rule(Name=name, EventBusName=name, EventPattern=json.dumps({"source": ["a"]}))["RuleArn"]
    clients = [aws("events") for _ in range(4)]

    def permission(i: int) -> None:
        clients[i % 4].put_permission(
            EventBusName=name, Action="events:PutEvents", Principal=f"1111222233{i:02}", StatementId=f"s{i}"
        )

    def tag_bus(i: int) -> None:
        clients[i % 4].tag_resource(ResourceARN=bus, Tags=[{"Key": f"b{i}", "Value": str(i)}])

    def tag_rule(i: int) -> None:
        clients[i % 4].tag_resource(ResourceARN=rule, Tags=[{"Key": f"r{i}", "Value": str(i)}])

    def put_rule(i: int) -> None:
        clients[i % 4].put_rule(Name=name, EventBusName=name, EventPattern=json.dumps({"source": ["a"]}))

    def target(i: int) -> None:
        clients[i % 4].put_targets(
            Rule=name, EventBusName=name, Targets=[{"Id": f"t{i}", "Arn": f"arn:aws:sqs:us-east-1:000000000000:q{i}"}]
        )

    jobs = [lambda f=f, i=i: f(i) for i in range(N) for f in (permission, tag_bus, tag_rule, put_rule)]
    run_all(jobs + [lambda i=i: target(i) for i in range(5)])  # five targets: a rule's most
    policy = json.loads(events.describe_event_bus(Name=name)["Policy"])
    assert sorted(s["Sid"] for s in policy["Statement"]) == sorted(f"s{i}" for i in range(N))
    tags = events.list_tags_for_resource(ResourceARN=bus)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {f"b{i}": str(i) for i in range(N)}
    tags = events.list_tags_for_resource(ResourceARN=rule)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {f"r{i}": str(i) for i in range(N)}
    targets = events.list_targets_by_rule(Rule=name, EventBusName=name)["Targets"]
    assert sorted(t["Id"] for t in targets) == sorted(f"t{i}" for i in range(5))

    run_all(
        [lambda i=i: clients[i % 4].remove_permission(EventBusName=name, StatementId=f"s{i}") for i in range(N // 2)]
    )
    policy = json.loads(events.describe_event_bus(Name=name)["Policy"])
    assert sorted(s["Sid"] for s in policy["Statement"]) == sorted(f"s{i}" for i in range(N // 2, N))
