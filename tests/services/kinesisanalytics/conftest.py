"""Fixtures of the Kinesis Data Analytics tests: clients of the shared server, Kinesis streams made ACTIVE, and
helpers that read an output stream back and wait for an application's status."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

ROLE = "arn:aws:iam::000000000000:role/analytics"


@pytest.fixture(scope="session")
def kda(aws: Callable[..., Any]) -> Any:
    return aws("kinesisanalytics")


@pytest.fixture(scope="session")
def kda2(aws: Callable[..., Any]) -> Any:
    return aws("kinesisanalyticsv2")


@pytest.fixture(scope="session")
def kinesis(aws: Callable[..., Any]) -> Any:
    return aws("kinesis")


def make_stream(kinesis: Any, name: str, shards: int = 1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    for _ in range(200):
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return str(summary["StreamARN"])
        time.sleep(0.05)
    raise AssertionError(f"stream {name} did not become ACTIVE")


def json_input(
    arn: str, columns: list[tuple[str, str]], prefix: str = "SOURCE_SQL_STREAM", v2: bool = False
) -> dict[str, Any]:
    return {
        "NamePrefix": prefix,
        "KinesisStreamsInput": {"ResourceARN": arn} if v2 else {"ResourceARN": arn, "RoleARN": ROLE},
        "InputSchema": {
            "RecordFormat": {
                "RecordFormatType": "JSON",
                "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}},
            },
            "RecordEncoding": "UTF-8",
            "RecordColumns": [{"Name": n, "Mapping": f"$.{n}", "SqlType": t} for n, t in columns],
        },
    }


def kinesis_output(name: str, arn: str, fmt: str = "JSON", v2: bool = False) -> dict[str, Any]:
    return {
        "Name": name,
        "KinesisStreamsOutput": {"ResourceARN": arn} if v2 else {"ResourceARN": arn, "RoleARN": ROLE},
        "DestinationSchema": {"RecordFormatType": fmt},
    }


def wait_status(kda: Any, name: str, status: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        if detail["ApplicationStatus"] == status:
            return dict(detail)
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} stayed {detail['ApplicationStatus']}, expected {status}")
        time.sleep(0.05)


class Reader:
    """Reads every shard of a stream from TRIM_HORIZON on, keeping its place between calls."""

    def __init__(self, kinesis: Any, stream: str) -> None:
        self.kinesis, self.stream = kinesis, stream
        shards = kinesis.list_shards(StreamName=stream)["Shards"]
        self.iterators = {
            s["ShardId"]: kinesis.get_shard_iterator(
                StreamName=stream, ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            for s in shards
        }

    def read(self) -> list[bytes]:
        out: list[bytes] = []
        for shard, iterator in self.iterators.items():
            got = self.kinesis.get_records(ShardIterator=iterator, Limit=10000)
            out += [r["Data"] for r in got["Records"]]
            self.iterators[shard] = got["NextShardIterator"]
        return out

    def until(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        """At least ``count`` JSON records (AssertionError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        found: list[dict[str, Any]] = []
        while True:
            found += [json.loads(d) for d in self.read()]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} records from {self.stream}, found {found}")
            time.sleep(0.1)


def put_json(kinesis: Any, stream: str, docs: list[dict[str, Any]]) -> None:
    for start in range(0, len(docs), 500):
        batch = docs[start : start + 500]
        records = [{"Data": json.dumps(d).encode(), "PartitionKey": str(i)} for i, d in enumerate(batch)]
        kinesis.put_records(StreamName=stream, Records=records)
