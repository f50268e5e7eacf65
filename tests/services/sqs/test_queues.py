"""SQS queues end to end through boto3: create/get/list/delete, attributes, tags, permissions, purge, isolation."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from ._client import ACCOUNT, arn, attrs, counts, create, expect_error, receive

NOT_EXIST = ("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
NAME_RULES = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"


# --- CreateQueue -------------------------------------------------------------------------------------


def test_create_queue_returns_url_under_account(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url.endswith(f"/{ACCOUNT}/{name}")
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert arn(sqs, url) == f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def test_create_queue_is_idempotent_for_same_or_omitted_attributes(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=69, ReceiveMessageWaitTimeSeconds=1)
    assert create(sqs, name, VisibilityTimeout=69, ReceiveMessageWaitTimeSeconds=1) == url
    assert create(sqs, name, VisibilityTimeout=69) == url
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    # an explicit default of an attribute never set is the same value
    assert create(sqs, name, DelaySeconds=0) == url
    sqs.send_message(QueueUrl=url, MessageBody="x")  # changing counters does not matter
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url


def test_concurrent_creates_of_one_queue_agree(sqs: Any, aws: Callable[..., Any], name: str) -> None:
    start = threading.Barrier(6)
    urls: list[str] = []

    def make() -> None:
        client = aws("sqs")
        start.wait()
        urls.append(client.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "7"})["QueueUrl"])

    threads = [threading.Thread(target=make) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(urls) == 6 and len(set(urls)) == 1
    assert sqs.list_queues(QueueNamePrefix=name)["QueueUrls"] == [urls[0]]


def test_create_queue_with_different_attribute_is_queue_already_exists(sqs: Any, name: str) -> None:
    url = create(sqs, name, ReceiveMessageWaitTimeSeconds=1, DelaySeconds=1)
    message = "A queue already exists with the same name and a different value for attribute DelaySeconds"
    error = expect_error(
        sqs.create_queue,
        "QueueAlreadyExists",
        message,
        400,
        QueueName=name,
        Attributes={"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "2"},
    )
    assert error["Type"] == "Sender"
    with pytest.raises(sqs.exceptions.QueueNameExists):
        create(sqs, name, DelaySeconds=2)
    # once the queue has the value, the same request succeeds, and the old one fails
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2"})
    assert create(sqs, name, ReceiveMessageWaitTimeSeconds=1, DelaySeconds=2) == url
    expect_error(sqs.create_queue, "QueueAlreadyExists", message, QueueName=name, Attributes={"DelaySeconds": "1"})


def test_create_fifo_queue_with_different_attribute_fails(sqs: Any, name: str) -> None:
    fifo = f"{name}.fifo"
    url = create(sqs, fifo, ContentBasedDeduplication="true")
    assert create(sqs, fifo, ContentBasedDeduplication="true") == url
    assert create(sqs, fifo) == url
    message = "A queue already exists with the same name and a different value for attribute ContentBasedDeduplication"
    expect_error(
        sqs.create_queue,
        "QueueAlreadyExists",
        message,
        QueueName=fifo,
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"},
    )


@pytest.mark.parametrize("bad", ["has space", "dot.name", "slash/name", "x" * 81, "ünïcode", "a" * 76 + ".fifo"])
def test_standard_queue_name_rules(sqs: Any, bad: str) -> None:
    expect_error(
        sqs.create_queue, "InvalidParameterValue", NAME_RULES if bad != "a" * 76 + ".fifo" else None, QueueName=bad
    )


def test_queue_name_lengths_at_the_limit(sqs: Any, name: str) -> None:
    longest = (name + "x" * 80)[:80]
    assert sqs.create_queue(QueueName=longest)["QueueUrl"].endswith("/" + longest)
    fifo = (name + "y" * 75)[:75] + ".fifo"
    assert len(fifo) == 80
    assert create(sqs, fifo).endswith("/" + fifo)
    expect_error(sqs.create_queue, "InvalidParameterValue", QueueName="z" + fifo, Attributes={"FifoQueue": "true"})
    for ok in ("a", "A-b_9"):
        sqs.create_queue(QueueName=f"{name}{ok}")


def test_fifo_suffix_and_fifo_attribute_must_agree(sqs: Any, name: str) -> None:
    # a .fifo name needs FifoQueue=true, and FifoQueue=true needs the .fifo suffix
    expect_error(sqs.create_queue, "InvalidParameterValue", QueueName=f"{name}.fifo")
    expect_error(sqs.create_queue, "InvalidParameterValue", QueueName=name, Attributes={"FifoQueue": "true"})
    expect_error(sqs.create_queue, "InvalidParameterValue", QueueName=f"{name}.fifo", Attributes={"FifoQueue": "false"})


def test_standard_queue_rejects_fifo_attributes(sqs: Any, name: str) -> None:
    expect_error(
        sqs.create_queue,
        "InvalidAttributeName",
        "Unknown Attribute FifoQueue.",
        QueueName=name,
        Attributes={"FifoQueue": "false"},
    )
    expect_error(
        sqs.create_queue,
        "InvalidAttributeName",
        "Unknown Attribute ContentBasedDeduplication.",
        QueueName=name,
        Attributes={"ContentBasedDeduplication": "true"},
    )
    for attribute, value in (("DeduplicationScope", "queue"), ("FifoThroughputLimit", "perQueue")):
        message = f"You can specify the {attribute} only when FifoQueue is set to true."
        expect_error(sqs.create_queue, "InvalidAttributeName", message, QueueName=name, Attributes={attribute: value})
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for value in ("true", "false"):
        expect_error(
            sqs.set_queue_attributes,
            "InvalidAttributeName",
            "Unknown Attribute FifoQueue.",
            QueueUrl=url,
            Attributes={"FifoQueue": value},
        )
    expect_error(
        sqs.set_queue_attributes,
        "InvalidAttributeName",
        "Unknown Attribute ContentBasedDeduplication.",
        QueueUrl=url,
        Attributes={"ContentBasedDeduplication": "false"},
    )


def test_fifo_queue_type_cannot_change(sqs: Any, name: str) -> None:
    url = create(sqs, f"{name}.fifo")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
    message = "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
    expect_error(
        sqs.set_queue_attributes, "InvalidAttributeValue", message, QueueUrl=url, Attributes={"FifoQueue": "false"}
    )


def test_unknown_attribute_on_create(sqs: Any, name: str) -> None:
    expect_error(
        sqs.create_queue, "InvalidAttributeName", "Unknown Attribute Foo.", QueueName=name, Attributes={"Foo": "1"}
    )
    expect_error(sqs.get_queue_url, *NOT_EXIST, QueueName=name)


# --- DeleteQueue / GetQueueUrl / ListQueues ---------------------------------------------------------------


def test_delete_queue_then_recreate_is_deleted_recently(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    expect_error(sqs.get_queue_url, *NOT_EXIST, QueueName=name)
    expect_error(sqs.get_queue_attributes, *NOT_EXIST, QueueUrl=url, AttributeNames=["All"])
    expect_error(sqs.send_message, *NOT_EXIST, QueueUrl=url, MessageBody="x")
    expect_error(sqs.delete_queue, *NOT_EXIST, QueueUrl=url)
    message = "You must wait 60 seconds after deleting a queue before you can create another with the same name."
    expect_error(sqs.create_queue, "AWS.SimpleQueueService.QueueDeletedRecently", message, QueueName=name)
    assert url not in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])


def test_get_queue_url_of_missing_queue(sqs: Any, name: str) -> None:
    expect_error(sqs.get_queue_url, *NOT_EXIST, status=400, QueueName=name)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName=name)


def test_get_queue_url_with_owner_account(sqs: Any, aws: Callable[..., Any], name: str) -> None:
    other = aws("sqs", access_key="111111111111")
    url = other.create_queue(QueueName=name)["QueueUrl"]
    assert "/111111111111/" in url
    # another account's queue URL needs its policy to grant sqs:GetQueueUrl (test_accounts.py has the refusals)
    other.add_permission(QueueUrl=url, Label="lookup", AWSAccountIds=[ACCOUNT], Actions=["GetQueueUrl"])
    expect_error(sqs.get_queue_url, *NOT_EXIST, QueueName=name)
    assert sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId="111111111111")["QueueUrl"] == url
    # the owner named is where the name is looked up (asked by that account: another's missing queue is refused)
    third = aws("sqs", access_key="222222222222")
    expect_error(third.get_queue_url, *NOT_EXIST, QueueName=name, QueueOwnerAWSAccountId="222222222222")


def test_list_queues_by_prefix(sqs: Any, name: str) -> None:
    urls = {sqs.create_queue(QueueName=f"{name}-a{i}")["QueueUrl"] for i in range(3)}
    other = sqs.create_queue(QueueName=f"{name}-b0")["QueueUrl"]
    assert set(sqs.list_queues(QueueNamePrefix=f"{name}-a")["QueueUrls"]) == urls
    assert set(sqs.list_queues(QueueNamePrefix=name)["QueueUrls"]) == urls | {other}
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=f"{name}-zzz")
    assert urls <= set(sqs.list_queues()["QueueUrls"])


def test_list_queues_pages_with_max_results(sqs: Any, name: str) -> None:
    urls = [sqs.create_queue(QueueName=f"{name}-{i}")["QueueUrl"] for i in range(5)]
    first = sqs.list_queues(QueueNamePrefix=name, MaxResults=2)
    assert len(first["QueueUrls"]) == 2 and first["NextToken"]
    seen = list(first["QueueUrls"])
    token = first["NextToken"]
    while token:
        page = sqs.list_queues(QueueNamePrefix=name, MaxResults=2, NextToken=token)
        assert 1 <= len(page["QueueUrls"]) <= 2
        seen += page["QueueUrls"]
        token = page.get("NextToken")
    assert sorted(seen) == sorted(urls) and len(set(seen)) == 5
    exact = sqs.list_queues(QueueNamePrefix=name, MaxResults=5)
    assert sorted(exact["QueueUrls"]) == sorted(urls) and "NextToken" not in exact
    assert "NextToken" not in sqs.list_queues(QueueNamePrefix=name)
    paginated = [
        u
        for page in sqs.get_paginator("list_queues").paginate(QueueNamePrefix=name, PaginationConfig={"PageSize": 2})
        for u in page["QueueUrls"]
    ]
    assert sorted(paginated) == sorted(urls)


@pytest.mark.parametrize("bad", [0, 1001])
def test_list_queues_max_results_range(sqs: Any, bad: int) -> None:
    expect_error(sqs.list_queues, "InvalidParameterValue", MaxResults=bad)


# --- attributes ---------------------------------------------------------------------------------------


STANDARD_DEFAULTS = {
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
    "VisibilityTimeout": "30",
}
FIFO_DEFAULTS = {
    **STANDARD_DEFAULTS,
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoQueue": "true",
    "FifoThroughputLimit": "perQueue",
}


def _without_times(got: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in got.items() if k not in ("CreatedTimestamp", "LastModifiedTimestamp", "QueueArn")}


def test_default_attributes_of_standard_queue(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    got = attrs(sqs, url)
    assert _without_times(got) == STANDARD_DEFAULTS
    assert got["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
    assert abs(int(got["CreatedTimestamp"]) - time.time()) < 60
    assert abs(int(got["LastModifiedTimestamp"]) - time.time()) < 60


def test_default_attributes_of_fifo_queue(sqs: Any, name: str) -> None:
    url = create(sqs, f"{name}.fifo")
    assert _without_times(attrs(sqs, url)) == FIFO_DEFAULTS


def test_get_queue_attributes_selects_names(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=20)
    assert attrs(sqs, url, "VisibilityTimeout", "DelaySeconds") == {"VisibilityTimeout": "20", "DelaySeconds": "0"}
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)
    # names a standard queue does not have are simply absent
    assert attrs(sqs, url, "FifoQueue", "RedrivePolicy", "Policy") == {}
    expect_error(
        sqs.get_queue_attributes,
        "InvalidAttributeName",
        "Unknown Attribute Foobar.",
        QueueUrl=url,
        AttributeNames=["Foobar"],
    )


def test_get_queue_attributes_takes_every_name_the_model_lists(sqs: Any, name: str) -> None:
    url = create(sqs, name + ".fifo")
    names = sqs.meta.service_model.shape_for("QueueAttributeName").enum
    got = attrs(sqs, url, *names)
    assert "QueueArn" in got and "ApproximateNumberOfMessages" in got and "FifoQueue" in got


def test_create_queue_with_attributes_and_update_them(sqs: Any, name: str) -> None:
    url = create(sqs, name, MessageRetentionPeriod=604800, ReceiveMessageWaitTimeSeconds=10, VisibilityTimeout=20)
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"MaximumMessageSize": "2048", "VisibilityTimeout": "69", "DelaySeconds": "420"}
    )
    expected = {
        **STANDARD_DEFAULTS,
        "MessageRetentionPeriod": "604800",
        "ReceiveMessageWaitTimeSeconds": "10",
        "VisibilityTimeout": "69",
        "MaximumMessageSize": "2048",
        "DelaySeconds": "420",
    }
    assert _without_times(attrs(sqs, url)) == expected


INTEGER_RANGES = [
    ("DelaySeconds", 0, 900),
    ("MaximumMessageSize", 1024, 1048576),
    ("MessageRetentionPeriod", 60, 1209600),
    ("ReceiveMessageWaitTimeSeconds", 0, 20),
    ("VisibilityTimeout", 0, 43200),
]


@pytest.mark.parametrize("attribute,low,high", INTEGER_RANGES)
def test_integer_attribute_ranges(sqs: Any, name: str, attribute: str, low: int, high: int) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for good in (low, high):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={attribute: str(good)})
        assert attrs(sqs, url, attribute) == {attribute: str(good)}
    message = f"Invalid value for the parameter {attribute}."
    for bad in (str(low - 1), str(high + 1), "abc", "1.5", ""):
        expect_error(
            sqs.set_queue_attributes, "InvalidAttributeValue", message, QueueUrl=url, Attributes={attribute: bad}
        )
    expect_error(
        sqs.create_queue, "InvalidAttributeValue", message, QueueName=f"{name}-2", Attributes={attribute: str(high + 1)}
    )
    assert attrs(sqs, url, attribute) == {attribute: str(high)}


def test_read_only_attributes_cannot_be_set(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for attribute in ("QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp", "LastModifiedTimestamp", "Foo"):
        expect_error(sqs.set_queue_attributes, "InvalidAttributeName", QueueUrl=url, Attributes={attribute: "1"})
    expect_error(
        sqs.set_queue_attributes,
        "InvalidAttributeName",
        "Unknown Attribute Foo.",
        QueueUrl=url,
        Attributes={"Foo": "1"},
    )


def test_fifo_attribute_values(sqs: Any, name: str) -> None:
    url = create(
        sqs,
        f"{name}.fifo",
        DeduplicationScope="messageGroup",
        FifoThroughputLimit="perMessageGroupId",
        ContentBasedDeduplication="true",
    )
    assert attrs(sqs, url, "DeduplicationScope", "FifoThroughputLimit", "ContentBasedDeduplication") == {
        "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId",
        "ContentBasedDeduplication": "true",
    }
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "ContentBasedDeduplication": "false",
            "DeduplicationScope": "queue",
            "FifoThroughputLimit": "perQueue",
        },
    )
    assert attrs(sqs, url, "DeduplicationScope", "FifoThroughputLimit", "ContentBasedDeduplication") == {
        "DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue", "ContentBasedDeduplication": "false",
    }  # fmt: skip
    for attribute, bad in (
        ("DeduplicationScope", "group"),
        ("FifoThroughputLimit", "perGroup"),
        ("ContentBasedDeduplication", "yes"),
    ):
        expect_error(
            sqs.set_queue_attributes,
            "InvalidAttributeValue",
            f"Invalid value for the parameter {attribute}.",
            QueueUrl=url,
            Attributes={attribute: bad},
        )


def test_server_side_encryption_attributes(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "KmsMasterKeyId": "testKeyId",
            "KmsDataKeyReusePeriodSeconds": "6000",
            "SqsManagedSseEnabled": "false",
        },
    )
    sse = ("KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled")
    assert attrs(sqs, url, *sse) == {
        "KmsMasterKeyId": "testKeyId",
        "KmsDataKeyReusePeriodSeconds": "6000",
        "SqsManagedSseEnabled": "false",
    }
    for bad in ("59", "86401"):
        expect_error(
            sqs.set_queue_attributes,
            "InvalidAttributeValue",
            "Invalid value for the parameter KmsDataKeyReusePeriodSeconds.",
            QueueUrl=url,
            Attributes={"KmsDataKeyReusePeriodSeconds": bad},
        )
    # back to the defaults: no KMS key, so no reuse period either
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "", "KmsDataKeyReusePeriodSeconds": "300"})
    assert attrs(sqs, url, *sse) == {"SqsManagedSseEnabled": "false"}
    other = sqs.create_queue(QueueName=f"{name}-2")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=other, Attributes={"SqsManagedSseEnabled": "true"})
    assert attrs(sqs, other, *sse) == {"SqsManagedSseEnabled": "true"}
    message = (
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
    )
    expect_error(
        sqs.set_queue_attributes,
        "InvalidAttributeName",
        message,
        QueueUrl=other,
        Attributes={"KmsMasterKeyId": "testKeyId", "SqsManagedSseEnabled": "true"},
    )


def test_policy_attribute(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = arn(sqs, url)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": queue_arn}
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Policy" not in attrs(sqs, url)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    assert json.loads(attrs(sqs, url)["Policy"]) == policy
    assert json.loads(attrs(sqs, url, "Policy")["Policy"]) == policy
    expect_error(sqs.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url, Attributes={"Policy": "{not json"})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Policy" not in attrs(sqs, url)


# --- redrive policies ------------------------------------------------------------------------------------


def test_redrive_policy_round_trip_and_removal(sqs: Any, name: str) -> None:
    dlq_arn = arn(sqs, sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"])
    url = create(sqs, name, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 10}))
    assert json.loads(attrs(sqs, url, "RedrivePolicy")["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": 10,
    }
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "42"})},
    )
    assert json.loads(attrs(sqs, url, "RedrivePolicy")["RedrivePolicy"])["maxReceiveCount"] == 42
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": ""})
    assert "RedrivePolicy" not in attrs(sqs, url)


def test_redrive_policies_come_back_in_aws_canonical_form(sqs: Any, name: str) -> None:
    """AWS returns RedrivePolicy and RedriveAllowPolicy as compact JSON in its own key order, maxReceiveCount a
    number, whatever spacing, key order or string count the caller sent."""
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = arn(sqs, dlq)
    source_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
    sent = json.dumps({"maxReceiveCount": "5", "deadLetterTargetArn": dlq_arn}, indent=2)
    url = create(sqs, name, RedrivePolicy=sent)
    assert attrs(sqs, url, "RedrivePolicy")["RedrivePolicy"] == (
        f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":5}}'
    )
    allow = json.dumps({"sourceQueueArns": [source_arn], "redrivePermission": "byQueue"}, indent=1)
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": allow})
    assert attrs(sqs, dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"] == (
        f'{{"redrivePermission":"byQueue","sourceQueueArns":["{source_arn}"]}}'
    )
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": '{ "redrivePermission" : "allowAll" }'})
    assert attrs(sqs, dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"] == '{"redrivePermission":"allowAll"}'
    # CreateQueue with the same policies in another spelling is the same queue
    assert create(sqs, name, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})) == url


def test_redrive_policy_validation(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    dlq_arn = arn(sqs, sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"])
    dummy = json.dumps({"deadLetterTargetArn": "dummy", "maxReceiveCount": 42})
    message = f"Value {dummy} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn."
    error = expect_error(
        sqs.set_queue_attributes, "InvalidParameterValue", message, QueueUrl=url, Attributes={"RedrivePolicy": dummy}
    )
    assert error["QueryErrorCode"] == "InvalidParameterValueException"  # the JSON __type AWS sends
    expect_error(
        sqs.create_queue, "InvalidParameterValue", message, QueueName=f"{name}-2", Attributes={"RedrivePolicy": dummy}
    )
    bad_policies = [
        "not json",
        json.dumps({"deadLetterTargetArn": dlq_arn}),
        json.dumps({"maxReceiveCount": 5}),
        json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 0}),
        json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1001}),
        json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "invalid"}),
        json.dumps({"deadLetterTargetArn": dlq_arn + "-missing", "maxReceiveCount": 5}),
    ]
    for policy in bad_policies:
        expect_error(
            sqs.set_queue_attributes, "InvalidParameterValue", QueueUrl=url, Attributes={"RedrivePolicy": policy}
        )
    assert "RedrivePolicy" not in attrs(sqs, url)
    for count in (1, 1000):
        sqs.set_queue_attributes(
            QueueUrl=url,
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": count})},
        )


def test_redrive_policy_target_in_same_account_and_region(sqs: Any, aws: Callable[..., Any], name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    west = aws("sqs", region="eu-west-1")
    other_account = aws("sqs", access_key="111111111111")
    for client in (west, other_account):
        dlq_arn = arn(client, client.create_queue(QueueName=f"{name}-dlq")["QueueUrl"])
        expect_error(
            sqs.set_queue_attributes,
            "InvalidParameterValue",
            QueueUrl=url,
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})},
        )
    assert "RedrivePolicy" not in attrs(sqs, url)


def test_redrive_policy_queue_types_must_match(sqs: Any, name: str) -> None:
    standard_dlq = arn(sqs, sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"])
    fifo_dlq = arn(sqs, create(sqs, f"{name}-dlq.fifo"))
    fifo = create(sqs, f"{name}.fifo")
    standard = sqs.create_queue(QueueName=name)["QueueUrl"]
    expect_error(
        sqs.set_queue_attributes,
        "InvalidParameterValue",
        QueueUrl=fifo,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": standard_dlq, "maxReceiveCount": 3})},
    )
    expect_error(
        sqs.set_queue_attributes,
        "InvalidParameterValue",
        QueueUrl=standard,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": fifo_dlq, "maxReceiveCount": 3})},
    )
    sqs.set_queue_attributes(
        QueueUrl=fifo, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": fifo_dlq, "maxReceiveCount": 3})}
    )


def test_redrive_allow_policy_validation(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    source = arn(sqs, sqs.create_queue(QueueName=f"{name}-src")["QueueUrl"])
    for good in (
        {"redrivePermission": "allowAll"},
        {"redrivePermission": "denyAll"},
        {"redrivePermission": "byQueue", "sourceQueueArns": [source]},
    ):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": json.dumps(good)})
        assert json.loads(attrs(sqs, url, "RedriveAllowPolicy")["RedriveAllowPolicy"]) == good
    too_many = [f"{source}{i}" for i in range(11)]
    for bad in (
        "not json",
        json.dumps({"redrivePermission": "maybe"}),
        json.dumps({"redrivePermission": "byQueue"}),
        json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": []}),
        json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": too_many}),
        json.dumps({"redrivePermission": "allowAll", "sourceQueueArns": [source]}),
        json.dumps({"redrivePermission": "denyAll", "sourceQueueArns": [source]}),
    ):
        expect_error(
            sqs.set_queue_attributes, "InvalidParameterValue", QueueUrl=url, Attributes={"RedriveAllowPolicy": bad}
        )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": ""})
    assert "RedriveAllowPolicy" not in attrs(sqs, url)


# --- tags -------------------------------------------------------------------------------------------


def test_tags_lifecycle(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name, tags={"team": "core", "Env": "test"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core", "Env": "test"}
    sqs.tag_queue(QueueUrl=url, Tags={"team": "edge", "empty": "", "env": "case-sensitive"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {
        "team": "edge",
        "Env": "test",
        "empty": "",
        "env": "case-sensitive",
    }
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "empty", "never-there"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"Env": "test", "env": "case-sensitive"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["Env", "env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)
    for call, kwargs in (
        (sqs.tag_queue, {"Tags": {"a": "b"}}),
        (sqs.untag_queue, {"TagKeys": ["a"]}),
        (sqs.list_queue_tags, {}),
    ):
        expect_error(call, *NOT_EXIST, QueueUrl=url + "-missing", **kwargs)


def test_tag_errors(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name, tags={"kept": "yes"})["QueueUrl"]
    expect_error(
        sqs.tag_queue, "MissingParameter", "The request must contain the parameter Tags.", QueueUrl=url, Tags={}
    )
    too_many = {f"tag_key_{i}": f"tag_value_{i}" for i in range(50)}
    message = f"Too many tags added for queue {name}."
    expect_error(sqs.tag_queue, "InvalidParameterValue", message, QueueUrl=url, Tags=too_many)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"kept": "yes"}  # a failed TagQueue changes nothing
    expect_error(
        sqs.untag_queue,
        "InvalidParameterValue",
        "Tag keys must be between 1 and 128 characters in length.",
        QueueUrl=url,
        TagKeys=[],
    )
    many = {f"k{i}": "v" for i in range(51)}
    expect_error(
        sqs.create_queue,
        "InvalidParameterValue",
        f"Too many tags added for queue {name}-2.",
        QueueName=f"{name}-2",
        tags=many,
    )


# --- permissions --------------------------------------------------------------------------------------


def test_add_and_remove_permission(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = arn(sqs, url)
    sqs.add_permission(QueueUrl=url, Label="cross", AWSAccountIds=[ACCOUNT, "668614515564"], Actions=["ReceiveMessage"])
    policy = json.loads(attrs(sqs, url, "Policy")["Policy"])
    assert policy["Version"] == "2008-10-17"
    assert policy["Id"].startswith(queue_arn + "/")
    [statement] = policy["Statement"]
    assert statement["Sid"] == "cross" and statement["Effect"] == "Allow"
    assert sorted(statement["Principal"]["AWS"]) == [f"arn:aws:iam::{ACCOUNT}:root", "arn:aws:iam::668614515564:root"]
    assert statement["Action"] == "SQS:ReceiveMessage"
    assert statement["Resource"] == queue_arn

    expect_error(
        sqs.add_permission,
        "InvalidParameterValue",
        "Value cross for parameter Label is invalid. Reason: Already exists.",
        QueueUrl=url,
        Label="cross",
        AWSAccountIds=["668614515564"],
        Actions=["SendMessage"],
    )
    sqs.add_permission(QueueUrl=url, Label="second", AWSAccountIds=[ACCOUNT], Actions=["SendMessage", "DeleteMessage"])
    statements = json.loads(attrs(sqs, url, "Policy")["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["cross", "second"]
    assert statements[1]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert sorted(statements[1]["Action"]) == ["SQS:DeleteMessage", "SQS:SendMessage"]

    sqs.remove_permission(QueueUrl=url, Label="cross")
    assert [s["Sid"] for s in json.loads(attrs(sqs, url, "Policy")["Policy"])["Statement"]] == ["second"]
    sqs.remove_permission(QueueUrl=url, Label="second")
    assert "Policy" not in attrs(sqs, url)
    message = "Value second for parameter Label is invalid. Reason: can't find label on existing policy."
    expect_error(sqs.remove_permission, "InvalidParameterValue", message, QueueUrl=url, Label="second")


def test_permission_errors(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    other = "111111111111"

    def refused(code: str, message: str, accounts: list[str], actions: list[str]) -> None:
        expect_error(
            sqs.add_permission, code, message, QueueUrl=url, Label="l", AWSAccountIds=accounts, Actions=actions
        )

    refused("MissingParameter", "The request must contain the parameter Actions.", [other], [])
    refused(
        "InvalidParameterValue", "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.", [], ["*"]
    )
    refused("OverLimit", "8 Actions were found, maximum allowed is 7.", [other], ["SendMessage"] * 8)
    for owner_only in ("CreateQueue", "DeleteQueue", "SetQueueAttributes", "AddPermission", "RemovePermission"):
        refused(
            "InvalidParameterValue",
            f"Value SQS:{owner_only} for parameter ActionName is invalid. "
            "Reason: Only the queue owner is allowed to invoke this action.",
            [other],
            [owner_only],
        )
    refused(
        "InvalidParameterValue",
        "Value SQS:FlyToTheMoon for parameter ActionName is invalid. "
        "Reason: Please refer to the appropriate WSDL for a list of valid actions.",
        [other],
        ["FlyToTheMoon"],
    )
    assert "Policy" not in attrs(sqs, url)
    sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=[other], Actions=["SendMessage"] * 7)
    expect_error(
        sqs.remove_permission,
        "InvalidParameterValue",
        "Value other for parameter Label is invalid. Reason: can't find label on existing policy.",
        QueueUrl=url,
        Label="other",
    )


# --- purge ----------------------------------------------------------------------------------------------


def test_purge_queue_removes_visible_in_flight_and_delayed(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=1)
    assert len(receive(sqs, url, VisibilityTimeout=1)) == 1
    assert counts(sqs, url) == (2, 1, 1)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    time.sleep(1.2)  # neither the in-flight nor the delayed message comes back
    assert receive(sqs, url, WaitTimeSeconds=1) == []
    sqs.send_message(QueueUrl=url, MessageBody="after")
    assert [m["Body"] for m in receive(sqs, url)] == ["after"]


def test_purge_queue_twice_within_a_minute(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    message = f"Only one PurgeQueue operation on {name} is allowed every 60 seconds."
    expect_error(sqs.purge_queue, "AWS.SimpleQueueService.PurgeQueueInProgress", message, 403, QueueUrl=url)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=url)
    expect_error(sqs.purge_queue, *NOT_EXIST, QueueUrl=url + "-missing")


# --- counters -----------------------------------------------------------------------------------------


def test_approximate_counters(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert counts(sqs, url) == (0, 0, 0)
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=1)
    assert counts(sqs, url) == (3, 0, 1)
    got = receive(sqs, url, MaxNumberOfMessages=2, VisibilityTimeout=30)
    assert len(got) == 2
    assert counts(sqs, url) == (1, 2, 1)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
    assert counts(sqs, url) == (2, 1, 1)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[1]["ReceiptHandle"])
    assert counts(sqs, url) == (2, 0, 1)
    time.sleep(1.1)
    assert counts(sqs, url) == (3, 0, 0)


def test_counters_follow_queue_delay_and_visibility_expiry(sqs: Any, name: str) -> None:
    url = create(sqs, name, DelaySeconds=1, VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="a")
    assert counts(sqs, url) == (0, 0, 1)
    [message] = receive(sqs, url, WaitTimeSeconds=2)
    assert message["Body"] == "a"
    assert counts(sqs, url) == (0, 1, 0)
    time.sleep(1.1)
    assert counts(sqs, url) == (1, 0, 0)


# --- isolation -----------------------------------------------------------------------------------------


def test_accounts_are_isolated(sqs: Any, aws: Callable[..., Any], name: str) -> None:
    other = aws("sqs", access_key="111111111111")
    mine = sqs.create_queue(QueueName=name)["QueueUrl"]
    expect_error(other.get_queue_url, *NOT_EXIST, QueueName=name)
    assert "QueueUrls" not in other.list_queues(QueueNamePrefix=name)
    theirs = other.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "5"})["QueueUrl"]
    assert theirs != mine and f"/111111111111/{name}" in theirs
    assert sqs.list_queues(QueueNamePrefix=name)["QueueUrls"] == [mine]
    assert other.list_queues(QueueNamePrefix=name)["QueueUrls"] == [theirs]
    assert attrs(other, theirs, "QueueArn", "VisibilityTimeout") == {
        "QueueArn": f"arn:aws:sqs:us-east-1:111111111111:{name}",
        "VisibilityTimeout": "5",
    }
    sqs.send_message(QueueUrl=mine, MessageBody="mine")
    assert receive(other, theirs) == []
    assert [m["Body"] for m in receive(sqs, mine)] == ["mine"]


def test_regions_are_isolated(sqs: Any, aws: Callable[..., Any], name: str) -> None:
    west = aws("sqs", region="eu-west-1")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    expect_error(west.get_queue_url, *NOT_EXIST, QueueName=name)
    assert "QueueUrls" not in west.list_queues(QueueNamePrefix=name)
    west_url = west.create_queue(QueueName=name, Attributes={"DelaySeconds": "3"})["QueueUrl"]
    assert arn(west, west_url) == f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{name}"
    assert attrs(sqs, url, "DelaySeconds") == {"DelaySeconds": "0"}
    west.send_message(QueueUrl=west_url, MessageBody="west", DelaySeconds=0)
    assert receive(sqs, url) == []
    assert [m["Body"] for m in receive(west, west_url)] == ["west"]
