"""Fixtures of the Firehose tests: clients of the shared server, a fresh bucket per test, and helpers that wait for
a flush's objects."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

ROLE = "arn:aws:iam::000000000000:role/firehose"


@pytest.fixture(scope="session")
def firehose(aws: Callable[..., Any]) -> Any:
    return aws("firehose")


@pytest.fixture(scope="session")
def unchecked(aws: Callable[..., Any]) -> Any:
    """A Firehose client that sends what it is given (botocore's own parameter checks off)."""
    return aws("firehose", parameter_validation=False)


@pytest.fixture(scope="session")
def s3(aws: Callable[..., Any]) -> Any:
    return aws("s3")


@pytest.fixture
def bucket(s3: Any, name: str) -> str:
    s3.create_bucket(Bucket=name)
    return name


def s3_config(bucket: str, **extra: Any) -> dict[str, Any]:
    return {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", **extra}


def keys(s3: Any, bucket: str, prefix: str = "") -> list[str]:
    out = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in out.get("Contents", []))


def wait_keys(s3: Any, bucket: str, count: int, timeout: float = 10.0, prefix: str = "") -> list[str]:
    """The bucket's keys once it holds at least ``count`` objects (AssertionError after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        found = keys(s3, bucket, prefix)
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} object(s) in {bucket}, found {found}")
        time.sleep(0.05)


def body(s3: Any, bucket: str, key: str) -> bytes:
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
