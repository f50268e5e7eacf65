"""Lifecycle rules applied by the sweep (on a server whose lifecycle "day" lasts one second): current versions
expire by prefix and tag, a versioned bucket gets delete markers and loses noncurrent versions, incomplete
multipart uploads are aborted; rules are checked when stored."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ...conftest import StoreFactory
from ...server import Server
from ...waiting import until


@pytest.fixture(scope="module")
def quick(store: StoreFactory) -> Iterator[Any]:
    server = Server(**store(), env={"GUREUM_S3_DAY_SECONDS": "1", "GUREUM_S3_LIFECYCLE_SECONDS": "0.2"}).start()
    yield boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    server.stop()


def _keys(s3: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_expiration_by_prefix_and_tag(quick: Any, name: str) -> None:
    quick.create_bucket(Bucket=name)
    quick.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}},
                {
                    "ID": "tmp",
                    "Status": "Enabled",
                    "Filter": {"Tag": {"Key": "tmp", "Value": "yes"}},
                    "Expiration": {"Days": 1},
                },
                {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}},
            ]
        },
    )
    found = quick.get_bucket_lifecycle_configuration(Bucket=name)
    assert [r["ID"] for r in found["Rules"]] == ["logs", "tmp", "off"]
    # a new configuration's default, answered with the rules (Terraform's provider waits until it reads it back)
    assert found["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    quick.put_object(Bucket=name, Key="logs/a", Body=b"x")
    quick.put_object(Bucket=name, Key="data/tagged", Body=b"x", Tagging="tmp=yes")
    quick.put_object(Bucket=name, Key="data/kept", Body=b"x")
    assert until(lambda: _keys(quick, name) == ["data/kept"])
    time.sleep(1.0)
    assert _keys(quick, name) == ["data/kept"]


def test_versioned_expiration(quick: Any, name: str) -> None:
    quick.create_bucket(Bucket=name)
    quick.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    quick.put_object(Bucket=name, Key="k", Body=b"old")
    quick.put_object(Bucket=name, Key="k", Body=b"new")
    quick.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "all",
                    "Status": "Enabled",
                    "Filter": {},
                    "Expiration": {"Days": 2},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                }
            ]
        },
    )

    def state() -> tuple[list[bool], list[bool]]:
        out = quick.list_object_versions(Bucket=name)
        return [v["IsLatest"] for v in out.get("Versions", [])], [m["IsLatest"] for m in out.get("DeleteMarkers", [])]

    # the old version goes first (noncurrent for a day), then the current one expires into a delete marker,
    # after which the new version is noncurrent and goes too
    assert until(lambda: state() == ([], [True]), timeout=10)
    with pytest.raises(ClientError) as gone:
        quick.get_object(Bucket=name, Key="k")
    assert gone.value.response["Error"]["Code"] == "NoSuchKey"


def test_expirations_reach_eventbridge(quick: Any, name: str) -> None:
    """EventBridge gets "Object Deleted" with reason "Lifecycle Expiration": S3 is the requester, the bucket's owner
    the event's account; a permanent delete, or a delete marker in a versioned bucket."""
    options: dict[str, Any] = {
        "endpoint_url": quick.meta.endpoint_url,
        "region_name": "us-east-1",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
    }
    sqs, events = boto3.client("sqs", **options), boto3.client("events", **options)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    plain, versioned = f"{name}-plain", f"{name}-versioned"
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Deleted"],
        "detail": {"bucket": {"name": [plain, versioned]}},
    }
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    rules = {"Rules": [{"ID": "all", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}]}
    for bucket in (plain, versioned):
        quick.create_bucket(Bucket=bucket)
        quick.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
    quick.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})
    quick.put_object(Bucket=plain, Key="a", Body=b"x")
    quick.put_object(Bucket=versioned, Key="b", Body=b"x")
    for bucket in (plain, versioned):
        quick.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules)
    received: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + 15
    while len(received) < 2 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            event = json.loads(message["Body"])
            received[event["detail"]["bucket"]["name"]] = event
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert set(received) == {plain, versioned}
    for bucket, key, deletion in ((plain, "a", "Permanently Deleted"), (versioned, "b", "Delete Marker Created")):
        event = received[bucket]
        assert event["account"] == "000000000000" and event["resources"] == [f"arn:aws:s3:::{bucket}"]
        detail = event["detail"]
        assert detail["object"]["key"] == key
        assert (detail["reason"], detail["deletion-type"], detail["requester"]) == (
            "Lifecycle Expiration",
            deletion,
            "s3.amazonaws.com",
        )
        assert "source-ip-address" not in detail
    assert "version-id" in received[versioned]["detail"]["object"]


def test_restored_copies_expire(quick: Any, name: str) -> None:
    """A restored copy lasts its Days (a second each here): then the archived object is unreadable again."""
    quick.create_bucket(Bucket=name)
    quick.put_object(Bucket=name, Key="cold", Body=b"x", StorageClass="DEEP_ARCHIVE")
    quick.restore_object(Bucket=name, Key="cold", RestoreRequest={"Days": 2})
    assert quick.get_object(Bucket=name, Key="cold")["Body"].read() == b"x"
    assert "Restore" in quick.head_object(Bucket=name, Key="cold")

    def refused() -> bool:
        try:
            quick.get_object(Bucket=name, Key="cold")
        except ClientError as error:
            return error.response["Error"]["Code"] == "InvalidObjectState"
        return False

    assert until(refused, timeout=10)
    assert "Restore" not in quick.head_object(Bucket=name, Key="cold")


def test_incomplete_uploads_are_aborted(quick: Any, name: str) -> None:
    quick.create_bucket(Bucket=name)
    quick.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "mpu",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )
    quick.create_multipart_upload(Bucket=name, Key="never-finished")
    assert until(lambda: "Uploads" not in quick.list_multipart_uploads(Bucket=name))


def test_rules_are_checked(quick: Any, name: str) -> None:
    quick.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as no_action:
        quick.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration={"Rules": [{"ID": "x", "Status": "Enabled", "Filter": {}}]}
        )
    assert no_action.value.response["Error"]["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as missing:
        quick.get_bucket_lifecycle_configuration(Bucket=name)
    assert missing.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"


def test_transition_minimum_size_is_kept(quick: Any, name: str) -> None:
    quick.create_bucket(Bucket=name)
    rules = {"Rules": [{"ID": "t", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 30}}]}
    out = quick.put_bucket_lifecycle_configuration(
        Bucket=name, LifecycleConfiguration=rules, TransitionDefaultMinimumObjectSize="varies_by_storage_class"
    )
    assert out["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    found = quick.get_bucket_lifecycle_configuration(Bucket=name)
    assert found["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
