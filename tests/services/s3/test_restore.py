"""Archived objects (GLACIER, DEEP_ARCHIVE) as S3 keeps them: HEAD answers, GET and copies are refused with
InvalidObjectState until RestoreObject makes a restored copy (x-amz-restore with its expiry at midnight UTC), and the
restore's s3:ObjectRestore:Post / :Completed / :Delete notifications and EventBridge "Object Restore …" events; on a
server whose restores take a second (GUREUM_S3_RESTORE_SECONDS), the restore in progress and the copy's expiry."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server
from ...waiting import until
from ._helpers import messages, queue_for


def _watch_restores(s3: Any, sqs: Any, events: Any, bucket: str, name: str) -> tuple[str, str]:
    """Queues (URLs) that get the bucket's s3:ObjectRestore:* notifications and its "Object Restore …" EventBridge
    events; the configuration's s3:TestEvent is read off the first already."""
    url, arn = queue_for(sqs, name, bucket)
    bridge_url, bridge_arn = queue_for(sqs, f"{name}-bridge")
    pattern = {
        "source": ["aws.s3"],
        "detail-type": [{"prefix": "Object Restore"}],
        "detail": {"bucket": {"name": [bucket]}},
    }
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": bridge_arn}])
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectRestore:*"]}],
            "EventBridgeConfiguration": {},
        },
    )
    messages(sqs, url, 1)  # the s3:TestEvent
    return url, bridge_url


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return error.value.response["Error"]["Code"], error.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_archived_objects_are_read_once_restored(s3: Any, bucket: str, storage_class: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass=storage_class)
    with pytest.raises(ClientError) as refused:
        s3.get_object(Bucket=bucket, Key="cold")
    assert _code(refused) == ("InvalidObjectState", 403)
    assert refused.value.response["Error"]["StorageClass"] == storage_class
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["StorageClass"] == storage_class and "Restore" not in head
    with pytest.raises(ClientError) as refused:
        s3.copy_object(Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"})
    assert _code(refused) == ("InvalidObjectState", 403)

    out = s3.restore_object(
        Bucket=bucket, Key="cold", RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Bulk"}}
    )
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 202  # a new restore: Accepted
    restore = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    assert restore.startswith('ongoing-request="false", expiry-date="')
    expiry = parsedate_to_datetime(restore.split('expiry-date="')[1].rstrip('"'))
    now = dt.datetime.now(dt.UTC)
    assert (expiry.hour, expiry.minute, expiry.second) == (0, 0, 0)  # rounded to midnight UTC, as S3 does
    assert dt.timedelta(days=2) <= expiry - now <= dt.timedelta(days=3)
    got = s3.get_object(Bucket=bucket, Key="cold")
    assert got["Body"].read() == b"frozen" and got["Restore"] == restore and got["StorageClass"] == storage_class
    # the usual way out of an archive: copy the restored object over itself as STANDARD
    s3.copy_object(Bucket=bucket, Key="cold", CopySource={"Bucket": bucket, "Key": "cold"}, StorageClass="STANDARD")
    standard = s3.head_object(Bucket=bucket, Key="cold")
    assert "StorageClass" not in standard and "Restore" not in standard
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"frozen"


def test_restore_refusals(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="hot", Body=b"x")
    s3.put_object(Bucket=bucket, Key="instant", Body=b"y", StorageClass="GLACIER_IR")
    assert s3.get_object(Bucket=bucket, Key="instant")["Body"].read() == b"y"  # Instant Retrieval: no restore
    for key in ("hot", "instant"):
        with pytest.raises(ClientError) as refused:
            s3.restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 1})
        assert _code(refused) == ("InvalidObjectState", 403)
        assert (
            refused.value.response["Error"]["Message"]
            == "Restore is not allowed for the object's current storage class"
        )
    s3.put_object(Bucket=bucket, Key="cold", Body=b"z", StorageClass="GLACIER")
    with pytest.raises(ClientError) as refused:
        s3.select_object_content(
            Bucket=bucket,
            Key="cold",
            Expression="SELECT * FROM S3Object",
            ExpressionType="SQL",
            InputSerialization={"CSV": {}},
            OutputSerialization={"CSV": {}},
        )
    assert _code(refused) == ("InvalidObjectState", 403)
    with pytest.raises(ClientError) as refused:
        s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={})
    assert _code(refused) == ("MalformedXML", 400)
    with pytest.raises(ClientError) as refused:
        s3.restore_object(Bucket=bucket, Key="absent", RestoreRequest={"Days": 1})
    assert _code(refused) == ("NoSuchKey", 404)
    # a second restore while the copy is live moves its expiry (and is not a new restore)
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    first = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    again = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 5})
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200  # already restored: OK
    later = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    expiry = [parsedate_to_datetime(text.split('expiry-date="')[1].rstrip('"')) for text in (first, later)]
    assert expiry[1] - expiry[0] == dt.timedelta(days=4)


def test_restore_notifications(aws: Callable[..., Any], s3: Any, sqs: Any, bucket: str, name: str) -> None:
    url, bridge_url = _watch_restores(s3, sqs, aws("events"), bucket, name)
    s3.put_object(Bucket=bucket, Key="cold/a", Body=b"12345", StorageClass="GLACIER")
    s3.restore_object(Bucket=bucket, Key="cold/a", RestoreRequest={"Days": 1})
    s3.restore_object(Bucket=bucket, Key="cold/a", RestoreRequest={"Days": 3})  # an extension: no new events
    records = [record for body in messages(sqs, url, 2) for record in body["Records"]]
    assert [r["eventName"] for r in records] == ["ObjectRestore:Post", "ObjectRestore:Completed"]
    assert all(r["s3"]["object"]["key"] == "cold/a" and r["s3"]["object"]["size"] == 5 for r in records)
    assert "glacierEventData" not in records[0]
    restored = records[1]["glacierEventData"]["restoreEventData"]
    assert restored["lifecycleRestoreStorageClass"] == "GLACIER"
    assert restored["lifecycleRestorationExpiryTime"].endswith("T00:00:00.000Z")
    bridged = {event["detail-type"]: event for event in messages(sqs, bridge_url, 2)}
    assert set(bridged) == {"Object Restore Initiated", "Object Restore Completed"}
    initiated, completed = bridged["Object Restore Initiated"]["detail"], bridged["Object Restore Completed"]["detail"]
    assert initiated["source-storage-class"] == completed["source-storage-class"] == "GLACIER"
    assert initiated["requester"] == "000000000000" and "source-ip-address" in initiated
    assert completed["requester"] == "s3.amazonaws.com" and completed["restore-expiry-time"].endswith("T00:00:00Z")
    assert messages(sqs, url, 1, timeout=2) == []


@pytest.fixture(scope="module")
def slow(store: StoreFactory) -> Iterator[Callable[[str], Any]]:
    """A server whose restores take a second, whose "days" last a second and whose sweep runs five times a second."""
    env = {"GUREUM_S3_RESTORE_SECONDS": "1", "GUREUM_S3_DAY_SECONDS": "1", "GUREUM_S3_LIFECYCLE_SECONDS": "0.2"}
    server = Server(**store(), env=env).start()
    yield lambda service: make_client(server.endpoint, service)
    server.stop()


def test_restore_in_progress_then_ready_then_expired(slow: Callable[[str], Any], name: str) -> None:
    s3, sqs, events = slow("s3"), slow("sqs"), slow("events")
    s3.create_bucket(Bucket=name)
    url, bridge_url = _watch_restores(s3, sqs, events, name, name)
    s3.put_object(Bucket=name, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    assert (
        s3.restore_object(Bucket=name, Key="cold", RestoreRequest={"Days": 2})["ResponseMetadata"]["HTTPStatusCode"]
        == 202
    )
    assert s3.head_object(Bucket=name, Key="cold")["Restore"] == 'ongoing-request="true"'
    assert _restore_status(s3, name) == [{"IsRestoreInProgress": True}] * 2
    assert "RestoreStatus" not in s3.list_objects_v2(Bucket=name)["Contents"][0]  # only when asked for
    with pytest.raises(ClientError) as refused:
        s3.get_object(Bucket=name, Key="cold")
    assert _code(refused) == ("InvalidObjectState", 403)
    with pytest.raises(ClientError) as again:
        s3.restore_object(Bucket=name, Key="cold", RestoreRequest={"Days": 2})
    assert _code(again) == ("RestoreAlreadyInProgress", 409)
    assert again.value.response["Error"]["Message"] == "Object restore is already in progress"
    records = [record for body in messages(sqs, url, 2) for record in body["Records"]]
    assert [r["eventName"] for r in records] == ["ObjectRestore:Post", "ObjectRestore:Completed"]
    restore = s3.head_object(Bucket=name, Key="cold")["Restore"]  # ready: readable until its expiry
    assert restore.startswith('ongoing-request="false", expiry-date="')
    assert s3.get_object(Bucket=name, Key="cold")["Body"].read() == b"frozen"
    statuses = _restore_status(s3, name)
    assert [status["IsRestoreInProgress"] for status in statuses] == [False, False]
    shown = parsedate_to_datetime(restore.split('"')[3])  # the header's whole seconds; a listing's time is finer
    assert all(abs((status["RestoreExpiryDate"] - shown).total_seconds()) < 1 for status in statuses)
    expired = [record for body in messages(sqs, url, 1, timeout=15) for record in body["Records"]]
    assert [r["eventName"] for r in expired] == ["ObjectRestore:Delete"]
    assert expired[0]["s3"]["object"]["key"] == "cold" and expired[0]["userIdentity"]["principalId"] == "AmazonS3"
    assert "Restore" not in s3.head_object(Bucket=name, Key="cold")
    assert _restore_status(s3, name) == [None, None]
    with pytest.raises(ClientError) as archived:
        s3.get_object(Bucket=name, Key="cold")
    assert _code(archived) == ("InvalidObjectState", 403)
    kinds = [event["detail-type"] for event in messages(sqs, bridge_url, 3)]
    assert kinds == ["Object Restore Initiated", "Object Restore Completed", "Object Restore Expired"]
    time.sleep(0.5)
    assert messages(sqs, url, 1, timeout=1) == []  # each once


def _restore_status(s3: Any, bucket: str) -> list[Any]:
    """The object's RestoreStatus in ListObjectsV2 and ListObjectVersions asked for it (None where absent)."""
    listed = s3.list_objects_v2(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Contents"][0]
    version = s3.list_object_versions(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Versions"][0]
    return [listed.get("RestoreStatus"), version.get("RestoreStatus")]


def test_retrieval_tiers_take_their_own_time(slow: Callable[[str], Any], name: str) -> None:
    """An Expedited retrieval from GLACIER is ready in a sixtieth of a Standard one; a Bulk one from DEEP_ARCHIVE
    takes twelve times as long (AWS's 1-5 minutes, 3-5 hours and 48 hours)."""
    s3 = slow("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="glacier", Body=b"g", StorageClass="GLACIER")
    s3.put_object(Bucket=name, Key="deep", Body=b"d", StorageClass="DEEP_ARCHIVE")
    s3.restore_object(
        Bucket=name, Key="glacier", RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}}
    )
    s3.restore_object(Bucket=name, Key="deep", RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Bulk"}})
    assert until(lambda: s3.head_object(Bucket=name, Key="glacier")["Restore"].startswith('ongoing-request="false"'))
    assert s3.get_object(Bucket=name, Key="glacier")["Body"].read() == b"g"
    assert s3.head_object(Bucket=name, Key="deep")["Restore"] == 'ongoing-request="true"'
