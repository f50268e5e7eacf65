"""Concurrent changes to one topic, and to one subscription, all stay: AddPermission, TagResource and
SetTopicAttributes at once, then SetSubscriptionAttributes of different attributes at once (each a read-modify-write
of one row; on PostgreSQL several writer connections, and nodes, run them side by side)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

N = 12


def run_all(jobs: list[Any]) -> None:
    with ThreadPoolExecutor(12) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


def test_concurrent_changes_to_one_topic_all_stay(aws: Any, name: str) -> None:
    sns = aws("sns")
    arn = sns.create_topic(Name=name)["TopicArn"]
    clients = [aws("sns") for _ in range(4)]

    def permission(i: int) -> None:
        clients[i % 4].add_permission(
            TopicArn=arn, Label=f"p{i}", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )

    def tag(i: int) -> None:
        clients[i % 4].tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": str(i)}])

    def attribute(i: int) -> None:
        clients[i % 4].set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue=f"d{i}")

    run_all([lambda f=f, i=i: f(i) for i in range(N) for f in (permission, tag, attribute)])  # type: ignore[misc]
    policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    sids = {s["Sid"] for s in policy["Statement"]}
    assert {f"p{i}" for i in range(N)} <= sids
    tags = sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {f"k{i}": str(i) for i in range(N)}

    run_all([lambda i=i: clients[i % 4].remove_permission(TopicArn=arn, Label=f"p{i}") for i in range(N // 2)])
    policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    assert {s["Sid"] for s in policy["Statement"]} == sids - {f"p{i}" for i in range(N // 2)}


def test_concurrent_changes_to_one_subscription_all_stay(aws: Any, name: str) -> None:
    sns, sqs = aws("sns"), aws("sqs")
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue = sqs.get_queue_attributes(
        QueueUrl=sqs.create_queue(QueueName=name)["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    clients = [aws("sns") for _ in range(4)]
    for round_ in range(4):
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"{queue}{'' if not round_ else round_}")
        arn = sub["SubscriptionArn"]
        wanted = {
            "RawMessageDelivery": "true",
            "FilterPolicy": json.dumps({"n": [round_]}),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": queue}),
            "DeliveryPolicy": json.dumps({"healthyRetryPolicy": {"numRetries": 3 + round_}}),
        }

        def put(item: tuple[str, str], arn: str = arn) -> None:
            key, value = item
            clients[hash(key) % 4].set_subscription_attributes(
                SubscriptionArn=arn, AttributeName=key, AttributeValue=value
            )

        run_all([lambda item=item: put(item) for item in wanted.items()])  # type: ignore[misc]
        got = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        assert got.get("RawMessageDelivery") == "true"
        assert json.loads(got.get("FilterPolicy", "null")) == {"n": [round_]}
        assert json.loads(got.get("RedrivePolicy", "null")) == {"deadLetterTargetArn": queue}
        assert json.loads(got.get("DeliveryPolicy", "{}")).get("healthyRetryPolicy", {}).get("numRetries") == 3 + round_
