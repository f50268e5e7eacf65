"""Lifecycle rules applied by the sweep (on a server whose lifecycle "day" lasts one second): current versions
expire by prefix and tag, a versioned bucket gets delete markers and loses noncurrent versions, incomplete
multipart uploads are aborted; rules are checked when stored."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ...conftest import StoreFactory
from ...server import Server


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


def _until(check: Callable[[], bool], timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


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
    assert [r["ID"] for r in quick.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]] == ["logs", "tmp", "off"]
    quick.put_object(Bucket=name, Key="logs/a", Body=b"x")
    quick.put_object(Bucket=name, Key="data/tagged", Body=b"x", Tagging="tmp=yes")
    quick.put_object(Bucket=name, Key="data/kept", Body=b"x")
    assert _until(lambda: _keys(quick, name) == ["data/kept"])
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
    assert _until(lambda: state() == ([], [True]), timeout=10)
    with pytest.raises(ClientError) as gone:
        quick.get_object(Bucket=name, Key="k")
    assert gone.value.response["Error"]["Code"] == "NoSuchKey"


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
    assert _until(lambda: "Uploads" not in quick.list_multipart_uploads(Bucket=name))


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
