"""Hostile and malformed input gets a 4xx in AWS's shape, never a 500: forged paging tokens and iterators, absurd
shard counts and hash keys, malformed ARNs."""

from __future__ import annotations

import base64
import json
from typing import Any

from ._helpers import arn, expect_error, make_stream


def _token(doc: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode()


def test_forged_tokens_and_iterators(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    for token in ("garbage", "%%%", _token([1, 2]), _token({"a": 1}), _token({"a": "x", "r": "y", "n": "z", "i": "q"})):
        expect_error(kinesis.list_shards, "InvalidArgumentException", NextToken=token)
        expect_error(kinesis.list_streams, "InvalidArgumentException", NextToken=token)
        expect_error(kinesis.list_stream_consumers, "InvalidArgumentException", StreamARN=arn(name), NextToken=token)
    old = _token({"a": "000000000000", "r": "us-east-1", "n": name, "i": 0, "k": None, "at": None, "t": 1})
    expect_error(kinesis.list_shards, "ExpiredNextTokenException", NextToken=old)
    for bad in ("A" * 512, "AAAA", base64.b64encode(b"\x00" * 80).decode()):
        expect_error(kinesis.get_records, "InvalidArgumentException", "Invalid ShardIterator.", ShardIterator=bad)


def test_absurd_numbers(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    expect_error(kinesis.create_stream, "LimitExceededException", StreamName=f"{name}-big", ShardCount=10**9)
    expect_error(
        kinesis.update_shard_count,
        "LimitExceededException",
        StreamName=name,
        TargetShardCount=2**31 - 1,
        ScalingType="UNIFORM_SCALING",
    )
    expect_error(
        kinesis.split_shard,
        "InvalidArgumentException",
        StreamName=name,
        ShardToSplit="shardId-000000000000",
        NewStartingHashKey="9" * 39,
    )
    expect_error(
        kinesis.describe_stream,
        "ResourceNotFoundException",
        f"Could not find shard zzz in stream {name} under account 000000000000.",
        StreamName=name,
        ExclusiveStartShardId="zzz",
    )
    expect_error(
        kinesis.put_record, "ValidationException", StreamARN="arn:aws:sqs:us-east-1:1:q", Data=b"", PartitionKey="k"
    )
    expect_error(kinesis.put_record, "InvalidArgumentException", Data=b"", PartitionKey="k")
