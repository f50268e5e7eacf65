"""Helpers shared by the Kinesis end-to-end tests: stream creation, waiting on statuses, reading shards."""

from __future__ import annotations

import time
from typing import Any

from ...expect import ACCOUNT, REGION, expect_error  # noqa: F401  (re-exported)

HASH_MAX = 2**128 - 1


def arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:kinesis:{region}:{ACCOUNT}:stream/{name}"


def wait_status(kinesis: Any, name: str, status: str = "ACTIVE", timeout: float = 10.0) -> dict[str, Any]:
    """Poll DescribeStreamSummary until the stream has ``status``; its summary."""
    deadline = time.monotonic() + timeout
    while True:
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == status:
            return summary  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"{name} still {summary['StreamStatus']}, not {status}"
        time.sleep(0.05)


def wait_gone(kinesis: Any, name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            kinesis.describe_stream_summary(StreamName=name)
        except kinesis.exceptions.ResourceNotFoundException:
            return
        assert time.monotonic() < deadline, f"{name} was not deleted"
        time.sleep(0.05)


def make_stream(kinesis: Any, name: str, shards: int = 1, **kwargs: Any) -> dict[str, Any]:
    """Create a provisioned stream (or on-demand, with StreamModeDetails in kwargs) and wait until it is ACTIVE."""
    if "StreamModeDetails" not in kwargs:
        kwargs["ShardCount"] = shards
    kinesis.create_stream(StreamName=name, **kwargs)
    return wait_status(kinesis, name)


def shard_ids(kinesis: Any, name: str) -> list[str]:
    return [s["ShardId"] for s in kinesis.list_shards(StreamName=name)["Shards"]]


def iterator(kinesis: Any, name: str, shard: str, kind: str = "TRIM_HORIZON", **kwargs: Any) -> str:
    return kinesis.get_shard_iterator(  # type: ignore[no-any-return]
        StreamName=name, ShardId=shard, ShardIteratorType=kind, **kwargs
    )["ShardIterator"]


def read_shard(kinesis: Any, it: str, *, until_empty: bool = True) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """GetRecords from ``it`` until a call returns nothing (or the shard ends); (records, the last answer)."""
    records: list[dict[str, Any]] = []
    while True:
        out = kinesis.get_records(ShardIterator=it)
        records += out["Records"]
        if "NextShardIterator" not in out or (until_empty and not out["Records"]):
            return records, out
        it = out["NextShardIterator"]
