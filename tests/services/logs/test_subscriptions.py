"""Subscription filters end to end: their limits and errors, the regex quota shared with metric filters, and
PutLogEvents batches delivered as AWS's gzip payloads to a Kinesis stream, a Lambda function and a Firehose stream
(read back from S3); account-level subscription filter policies; cross-account destinations and their policies."""

from __future__ import annotations

import gzip
import json
import random
import time
import zlib
from collections.abc import Callable
from typing import Any

from tests.expect import ACCOUNT, REGION, expect_error

from ..kinesis._helpers import make_stream
from ..lambda_.zips import create as create_function

ROLE = f"arn:aws:iam::{ACCOUNT}:role/cwl"


def _now() -> int:
    return int(time.time() * 1000)


def _account() -> str:
    return "".join(random.choice("0123456789") for _ in range(12))


def _stream_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:kinesis:{REGION}:{account}:stream/{name}"


def _group(logs: Any, group: str, *streams: str) -> None:
    logs.create_log_group(logGroupName=group)
    for stream in streams:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)


def _put(logs: Any, group: str, stream: str, *messages: str) -> None:
    t = _now()
    logs.put_log_events(
        logGroupName=group, logStreamName=stream,
        logEvents=[{"timestamp": t + i, "message": m} for i, m in enumerate(messages)],
    )  # fmt: skip


def _kinesis_documents(kinesis: Any, stream: str, count: int, timeout: float = 10.0) -> list[tuple[str, Any]]:
    """(partition key, decoded payload) of the stream's records, once it holds ``count``."""
    found: list[tuple[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
            it = kinesis.get_shard_iterator(
                StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            for record in kinesis.get_records(ShardIterator=it)["Records"]:
                found.append((record["PartitionKey"], json.loads(gzip.decompress(record["Data"]))))
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _data(documents: list[tuple[str, Any]]) -> list[Any]:
    return [doc for _, doc in documents if doc["messageType"] == "DATA_MESSAGE"]


def test_limits_and_errors(aws: Callable[..., Any], name: str) -> None:
    logs, kinesis = aws("logs"), aws("kinesis")
    make_stream(kinesis, name)
    _group(logs, name)
    arn = _stream_arn(name)
    for i in range(2):
        logs.put_subscription_filter(
            logGroupName=name, filterName=f"f{i}", filterPattern="ERROR", destinationArn=arn, roleArn=ROLE
        )
    expect_error(
        logs.put_subscription_filter, "LimitExceededException", "Resource limit exceeded.",
        logGroupName=name, filterName="f2", filterPattern="", destinationArn=arn, roleArn=ROLE,
    )  # fmt: skip
    # the same name updates in place
    logs.put_subscription_filter(
        logGroupName=name, filterName="f1", filterPattern="WARN", destinationArn=arn, roleArn=ROLE,
        distribution="Random",
    )  # fmt: skip
    described = logs.describe_subscription_filters(logGroupName=name)["subscriptionFilters"]
    assert [(f["filterName"], f["filterPattern"], f["distribution"]) for f in described] == [
        ("f0", "ERROR", "ByLogStream"),
        ("f1", "WARN", "Random"),
    ]
    assert described[0]["destinationArn"] == arn and described[0]["roleArn"] == ROLE
    assert described[0]["logGroupName"] == name and described[0]["creationTime"] > 0
    only = logs.describe_subscription_filters(logGroupName=name, filterNamePrefix="f1")["subscriptionFilters"]
    assert [f["filterName"] for f in only] == ["f1"]
    paged = logs.describe_subscription_filters(logGroupName=name, limit=1)
    assert [f["filterName"] for f in paged["subscriptionFilters"]] == ["f0"]
    rest = logs.describe_subscription_filters(logGroupName=name, limit=1, nextToken=paged["nextToken"])
    assert [f["filterName"] for f in rest["subscriptionFilters"]] == ["f1"] and "nextToken" not in rest

    logs.delete_subscription_filter(logGroupName=name, filterName="f0")
    expect_error(logs.delete_subscription_filter, "ResourceNotFoundException", logGroupName=name, filterName="f0")
    expect_error(
        logs.describe_subscription_filters, "ResourceNotFoundException", "The specified log group does not exist.",
        logGroupName=f"{name}-none",
    )  # fmt: skip
    bad = {"logGroupName": name, "filterName": "f0", "filterPattern": ""}
    # no role for a Kinesis stream, a stream that does not exist, another account's stream, a malformed ARN
    expect_error(logs.put_subscription_filter, "InvalidParameterException", destinationArn=arn, **bad)
    error = expect_error(
        logs.put_subscription_filter, "InvalidParameterException", destinationArn=_stream_arn(f"{name}-none"),
        roleArn=ROLE, **bad,
    )  # fmt: skip
    assert error["Message"].startswith("Could not deliver test message to specified Kinesis stream.")
    expect_error(
        logs.put_subscription_filter, "InvalidParameterException",
        destinationArn=_stream_arn(name, "111122223333"), roleArn=ROLE, **bad,
    )  # fmt: skip
    expect_error(logs.put_subscription_filter, "InvalidParameterException", destinationArn="arn:aws:sqs:x", **bad)
    expect_error(
        logs.put_subscription_filter, "InvalidParameterException",
        destinationArn=arn, roleArn=ROLE, **{**bad, "filterPattern": "{ $.a = "},
    )  # fmt: skip
    # the log group's filters are gone with it
    logs.delete_log_group(logGroupName=name)
    _group(logs, name)
    assert logs.describe_subscription_filters(logGroupName=name)["subscriptionFilters"] == []


def test_regex_quota_counts_metric_and_subscription_filters(aws: Callable[..., Any], name: str) -> None:
    logs, kinesis = aws("logs"), aws("kinesis")
    make_stream(kinesis, name)
    _group(logs, name)
    transformations = [{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]
    for i in range(3):
        logs.put_metric_filter(
            logGroupName=name, filterName=f"m{i}", filterPattern="%ERR[0-9]+%", metricTransformations=transformations
        )
    for i in range(2):
        logs.put_subscription_filter(
            logGroupName=name, filterName=f"s{i}", filterPattern="%WARN[0-9]%", destinationArn=_stream_arn(name),
            roleArn=ROLE,
        )  # fmt: skip
    expect_error(
        logs.put_metric_filter, "LimitExceededException", logGroupName=name, filterName="m3",
        filterPattern="%x+%", metricTransformations=transformations,
    )  # fmt: skip
    # replacing one of the five keeps the count; a pattern without a regex is always allowed
    logs.put_subscription_filter(
        logGroupName=name, filterName="s1", filterPattern="%y+%", destinationArn=_stream_arn(name), roleArn=ROLE
    )
    logs.put_metric_filter(
        logGroupName=name, filterName="m3", filterPattern="plain", metricTransformations=transformations
    )
    logs.delete_subscription_filter(logGroupName=name, filterName="s0")
    logs.put_metric_filter(
        logGroupName=name, filterName="m4", filterPattern="%z+%", metricTransformations=transformations
    )


def test_kinesis_receives_matching_events(aws: Callable[..., Any], name: str) -> None:
    logs, kinesis = aws("logs"), aws("kinesis")
    make_stream(kinesis, name, 2)
    _group(logs, name, "s1", "s2")
    logs.put_subscription_filter(
        logGroupName=name, filterName="errors", filterPattern="[level=ERROR, code, ...]",
        destinationArn=_stream_arn(name), roleArn=ROLE,
    )  # fmt: skip
    [(_, control)] = _kinesis_documents(kinesis, name, 1)
    assert control["messageType"] == "CONTROL_MESSAGE" and control["owner"] == "CloudwatchLogs"
    assert control["logEvents"][0]["message"].startswith("CWL CONTROL MESSAGE: Checking health of destination")

    _put(logs, name, "s1", "ERROR 500 boom", "INFO 200 fine", "ERROR 503 down now")
    _put(logs, name, "s2", "INFO nothing")
    _put(logs, name, "s2", "ERROR 404 gone")
    found = _kinesis_documents(kinesis, name, 3)
    data = _data(found)
    assert len(data) == 2
    by_stream = {doc["logStream"]: doc for doc in data}
    first = by_stream["s1"]
    assert first["owner"] == ACCOUNT and first["logGroup"] == name and first["subscriptionFilters"] == ["errors"]
    assert "policyLevel" not in first
    assert [e["message"] for e in first["logEvents"]] == ["ERROR 500 boom", "ERROR 503 down now"]
    assert first["logEvents"][0]["extractedFields"] == {"level": "ERROR", "code": "500"}
    assert all(len(e["id"]) == 56 and isinstance(e["timestamp"], int) for e in first["logEvents"])
    # the ids are the events' eventIds
    filtered = logs.filter_log_events(logGroupName=name, logStreamNames=["s1"], filterPattern="ERROR")["events"]
    assert [e["eventId"] for e in filtered] == [e["id"] for e in first["logEvents"]]
    # ByLogStream: one partition key per log stream
    keys = {doc["logStream"]: key for key, doc in found if doc["messageType"] == "DATA_MESSAGE"}
    assert keys["s1"] != keys["s2"]


FORWARD = """
import base64, gzip, json, os, boto3
def handler(event, context):
    doc = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(doc))
"""


def test_lambda_receives_the_gzip_payload(aws: Callable[..., Any], name: str) -> None:
    logs, sqs = aws("logs"), aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    fn = create_function(aws("lambda"), name, {"index.py": FORWARD}, Environment={"Variables": {"QUEUE_URL": url}})[
        "FunctionArn"
    ]
    _group(logs, name, "s")
    logs.put_subscription_filter(logGroupName=name, filterName="all", filterPattern="", destinationArn=fn)
    _put(logs, name, "s", "one", "two")
    documents: list[Any] = []
    deadline = time.monotonic() + 30
    while len(documents) < 2 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            documents.append(json.loads(message["Body"]))
    kinds = sorted(doc["messageType"] for doc in documents)
    assert kinds == ["CONTROL_MESSAGE", "DATA_MESSAGE"], documents
    [data] = [doc for doc in documents if doc["messageType"] == "DATA_MESSAGE"]
    assert data["logGroup"] == name and data["logStream"] == "s" and data["subscriptionFilters"] == ["all"]
    assert [e["message"] for e in data["logEvents"]] == ["one", "two"]


def test_firehose_writes_the_payloads_to_s3(aws: Callable[..., Any], name: str) -> None:
    logs, firehose, s3 = aws("logs"), aws("firehose"), aws("s3")
    s3.create_bucket(Bucket=name)
    stream = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{name}",
            "BufferingHints": {"IntervalInSeconds": 0, "SizeInMBs": 1},
        },
    )["DeliveryStreamARN"]  # fmt: skip
    _group(logs, name, "s")
    logs.put_subscription_filter(
        logGroupName=name, filterName="f", filterPattern="{ $.level = \"error\" }", destinationArn=stream,
        roleArn=ROLE,
    )  # fmt: skip
    _put(logs, name, "s", json.dumps({"level": "error", "n": 1}), json.dumps({"level": "info", "n": 2}))
    documents: list[Any] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])]
        documents = []
        for key in keys:
            body = s3.get_object(Bucket=name, Key=key)["Body"].read()
            while body:  # one object may hold several gzip members (one per record)
                decompressor = zlib.decompressobj(31)
                documents.append(json.loads(decompressor.decompress(body)))
                body = decompressor.unused_data
        if any(d["messageType"] == "DATA_MESSAGE" for d in documents):
            break
        time.sleep(0.1)
    kinds = sorted(d["messageType"] for d in documents)
    assert kinds == ["CONTROL_MESSAGE", "DATA_MESSAGE"], documents
    [data] = [d for d in documents if d["messageType"] == "DATA_MESSAGE"]
    assert [json.loads(e["message"])["n"] for e in data["logEvents"]] == [1]


def test_account_policy(aws: Callable[..., Any], name: str) -> None:
    account = _account()  # an account of its own: the policy covers every log group of its account
    logs, kinesis = aws("logs", access_key=account), aws("kinesis", access_key=account)
    make_stream(kinesis, name)
    role = f"arn:aws:iam::{account}:role/cwl"
    document = json.dumps(
        {"DestinationArn": _stream_arn(name, account), "RoleArn": role, "FilterPattern": "ERROR",
         "Distribution": "Random"}
    )  # fmt: skip
    selection = f'LogGroupName NOT IN ["{name}-quiet"]'
    put = logs.put_account_policy(
        policyName="p", policyDocument=document, policyType="SUBSCRIPTION_FILTER_POLICY", scope="ALL",
        selectionCriteria=selection,
    )["accountPolicy"]  # fmt: skip
    assert put["policyName"] == "p" and put["accountId"] == account and put["selectionCriteria"] == selection
    policies = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")["accountPolicies"]
    assert [(p["policyName"], p["policyDocument"], p["scope"]) for p in policies] == [("p", document, "ALL")]
    expect_error(
        logs.put_account_policy, "LimitExceededException", policyName="q", policyDocument=document,
        policyType="SUBSCRIPTION_FILTER_POLICY",
    )  # fmt: skip
    expect_error(
        logs.put_account_policy, "InvalidParameterException", policyName="p", policyDocument=document,
        policyType="SUBSCRIPTION_FILTER_POLICY", selectionCriteria="LogGroupName IN []",
    )  # fmt: skip
    expect_error(
        logs.put_account_policy, "InvalidParameterException", policyName="p", policyDocument="{}",
        policyType="SUBSCRIPTION_FILTER_POLICY",
    )  # fmt: skip
    _group(logs, name, "s")
    _group(logs, f"{name}-quiet", "s")
    _put(logs, name, "s", "ERROR here", "fine")
    _put(logs, f"{name}-quiet", "s", "ERROR excluded")
    data = _data(_kinesis_documents(kinesis, name, 2))
    assert len(data) == 1
    assert data[0]["logGroup"] == name and data[0]["policyLevel"] == "ACCOUNT_LEVEL_POLICY"
    assert data[0]["subscriptionFilters"] == ["p"] and [e["message"] for e in data[0]["logEvents"]] == ["ERROR here"]

    logs.delete_account_policy(policyName="p", policyType="SUBSCRIPTION_FILTER_POLICY")
    assert logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")["accountPolicies"] == []
    expect_error(
        logs.delete_account_policy, "ResourceNotFoundException", policyName="p",
        policyType="SUBSCRIPTION_FILTER_POLICY",
    )  # fmt: skip
    _put(logs, name, "s", "ERROR after")
    time.sleep(0.3)
    assert len(_data(_kinesis_documents(kinesis, name, 3, timeout=0))) == 1


def test_cross_account_destination(aws: Callable[..., Any], name: str) -> None:
    sender, recipient = _account(), _account()
    logs_a, logs_b = aws("logs", access_key=sender), aws("logs", access_key=recipient)
    kinesis_b = aws("kinesis", access_key=recipient)
    make_stream(kinesis_b, name)
    dest = logs_b.put_destination(
        destinationName=name, targetArn=_stream_arn(name, recipient), roleArn=f"arn:aws:iam::{recipient}:role/cwl"
    )["destination"]
    assert dest["arn"] == f"arn:aws:logs:{REGION}:{recipient}:destination:{name}"
    assert dest["targetArn"] == _stream_arn(name, recipient) and "accessPolicy" not in dest
    _group(logs_a, name, "s")
    subscribe = {"logGroupName": name, "filterName": "x", "filterPattern": "", "destinationArn": dest["arn"]}
    error = expect_error(logs_a.put_subscription_filter, "AccessDeniedException", **subscribe)
    assert sender in error["Message"] and dest["arn"] in error["Message"]
    policy = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": sender}, "Action": "logs:PutSubscriptionFilter",
                       "Resource": dest["arn"]}],
    })  # fmt: skip
    logs_b.put_destination_policy(destinationName=name, accessPolicy=policy)
    expect_error(logs_b.put_destination_policy, "InvalidParameterException", destinationName=name, accessPolicy="{")
    [described] = logs_b.describe_destinations(DestinationNamePrefix=name)["destinations"]
    assert described["accessPolicy"] == policy
    logs_a.put_subscription_filter(**subscribe)
    _put(logs_a, name, "s", "across")
    data = _data(_kinesis_documents(kinesis_b, name, 2))
    assert len(data) == 1 and data[0]["owner"] == sender and data[0]["logGroup"] == name
    assert [e["message"] for e in data[0]["logEvents"]] == ["across"]

    # a destination in front of anything but Kinesis or Firehose is refused; deleting one twice is not found
    expect_error(
        logs_b.put_destination, "InvalidParameterException", destinationName=f"{name}-2",
        targetArn=f"arn:aws:lambda:{REGION}:{recipient}:function:f", roleArn="arn:aws:iam::1:role/r",
    )  # fmt: skip
    logs_b.delete_destination(destinationName=name)
    expect_error(logs_b.delete_destination, "ResourceNotFoundException", destinationName=name)
    _put(logs_a, name, "s", "dropped")  # its destination is gone: nothing more arrives
    time.sleep(0.3)
    assert len(_data(_kinesis_documents(kinesis_b, name, 3, timeout=0))) == 1


def test_destination_tags(aws: Callable[..., Any], name: str) -> None:
    """A destination is tagged through its ARN (the Terraform provider lists its tags after PutDestination)."""
    logs = aws("logs")
    dest = logs.put_destination(destinationName=name, targetArn=_stream_arn(name), roleArn=ROLE, tags={"team": "a"})[
        "destination"
    ]
    assert logs.list_tags_for_resource(resourceArn=dest["arn"])["tags"] == {"team": "a"}
    logs.tag_resource(resourceArn=dest["arn"], tags={"env": "dev", "team": "b"})
    logs.untag_resource(resourceArn=dest["arn"], tagKeys=["env"])
    assert logs.list_tags_for_resource(resourceArn=dest["arn"])["tags"] == {"team": "b"}
    logs.put_destination(destinationName=name, targetArn=_stream_arn(name), roleArn=ROLE)  # an update keeps them
    assert logs.list_tags_for_resource(resourceArn=dest["arn"])["tags"] == {"team": "b"}
    expect_error(logs.tag_resource, "InvalidParameterException", resourceArn=dest["arn"], tags={"aws:x": "1"})
    logs.delete_destination(destinationName=name)
    expect_error(logs.list_tags_for_resource, "ResourceNotFoundException", resourceArn=dest["arn"])
    expect_error(logs.tag_resource, "ResourceNotFoundException", resourceArn=dest["arn"], tags={"a": "b"})


def test_lambda_function_logs_reach_a_subscription(aws: Callable[..., Any], name: str) -> None:
    """Events other services append through the "logs" delivery target (a function's own logs) are delivered too."""
    logs, kinesis = aws("logs"), aws("kinesis")
    make_stream(kinesis, name)
    group = f"/aws/lambda/{name}"
    logs.create_log_group(logGroupName=group)
    logs.put_subscription_filter(
        logGroupName=group, filterName="said", filterPattern="said-hello", destinationArn=_stream_arn(name),
        roleArn=ROLE,
    )  # fmt: skip
    fn = aws("lambda")
    create_function(fn, name, {"index.py": "def handler(event, context):\n    print('said-hello', event['n'])\n"})
    fn.invoke(FunctionName=name, Payload=json.dumps({"n": 7}).encode())
    data = _data(_kinesis_documents(kinesis, name, 2, timeout=20))
    assert len(data) == 1 and data[0]["logGroup"] == group
    assert [e["message"].strip() for e in data[0]["logEvents"]] == ["said-hello 7"]
