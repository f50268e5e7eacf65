"""Resharding as the KCL follows it: SplitShard, MergeShards and UpdateShardCount with parent / adjacent-parent
lineage, closed shards read to their end (no NextShardIterator, ChildShards instead), a reader taking parents before
children keeps every partition key in order; ListShards with every filter and its paging."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._helpers import ACCOUNT, HASH_MAX, arn, expect_error, iterator, make_stream, wait_status

SHARD0, SHARD1 = "shardId-000000000000", "shardId-000000000001"


def _put(kinesis: Any, name: str, keys: list[str], tag: str) -> None:
    kinesis.put_records(
        StreamName=name, Records=[{"Data": f"{key}:{tag}".encode(), "PartitionKey": key} for key in keys]
    )


def _read_parent_first(kinesis: Any, name: str) -> dict[str, list[str]]:
    """Read every shard as the KCL does: a shard only after its parents were read to their end. Records by key."""
    shards = {s["ShardId"]: s for s in kinesis.list_shards(StreamName=name)["Shards"]}
    done: set[str] = set()
    by_key: dict[str, list[str]] = {}
    while len(done) < len(shards):
        ready = [
            sid
            for sid, s in sorted(shards.items())
            if sid not in done
            and all(p in done or p not in shards for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p)
        ]
        assert ready, "lineage has a cycle"
        for sid in ready:
            it = iterator(kinesis, name, sid)
            while True:
                out = kinesis.get_records(ShardIterator=it)
                for record in out["Records"]:
                    by_key.setdefault(record["PartitionKey"], []).append(record["Data"].decode().split(":")[1])
                if "NextShardIterator" not in out:
                    children = {c["ShardId"] for c in out["ChildShards"]}
                    assert children == {
                        cid
                        for cid, c in shards.items()
                        if sid in (c.get("ParentShardId"), c.get("AdjacentParentShardId"))
                    }
                    break
                if not out["Records"] and shards[sid]["SequenceNumberRange"].get("EndingSequenceNumber") is None:
                    break  # an open shard read to its tip
                it = out["NextShardIterator"]
            done.add(sid)
    return by_key


def test_split_lineage_read_parent_first(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 1)
    keys = [f"key-{i}" for i in range(20)]
    _put(kinesis, name, keys, "1")
    middle = str(2**127)
    kinesis.split_shard(StreamName=name, ShardToSplit=SHARD0, NewStartingHashKey=middle)
    during = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert during["StreamStatus"] == "UPDATING" and [s["ShardId"] for s in during["Shards"]] == [SHARD0]
    expect_error(
        kinesis.split_shard,
        "ResourceInUseException",
        f"Stream {name} under account {ACCOUNT} not ACTIVE, instead in state UPDATING",
        StreamName=name,
        ShardToSplit=SHARD0,
        NewStartingHashKey=middle,
    )
    _put(kinesis, name, keys, "2")  # records are still taken while UPDATING
    wait_status(kinesis, name)
    _put(kinesis, name, keys, "3")
    shards = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    parent, left, right = shards
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert int(parent["SequenceNumberRange"]["EndingSequenceNumber"]) > int(
        parent["SequenceNumberRange"]["StartingSequenceNumber"]
    )
    assert (left["ShardId"], left["ParentShardId"], "AdjacentParentShardId" in left) == (
        "shardId-000000000001",
        SHARD0,
        False,
    )
    assert left["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2**127 - 1)}
    assert right["HashKeyRange"] == {"StartingHashKey": middle, "EndingHashKey": str(HASH_MAX)}
    # a child's sequence numbers are above its parent's
    assert int(left["SequenceNumberRange"]["StartingSequenceNumber"]) > int(
        parent["SequenceNumberRange"]["EndingSequenceNumber"]
    )
    # the closed parent reads to its end: no next iterator, its children named
    out = kinesis.get_records(ShardIterator=iterator(kinesis, name, SHARD0))
    assert len(out["Records"]) == 40 and "NextShardIterator" not in out
    assert [c["ShardId"] for c in out["ChildShards"]] == ["shardId-000000000001", "shardId-000000000002"]
    assert out["ChildShards"][0] == {
        "ShardId": "shardId-000000000001",
        "ParentShards": [SHARD0],
        "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(2**127 - 1)},
    }
    # LATEST on a closed shard is its end
    end = kinesis.get_records(ShardIterator=iterator(kinesis, name, SHARD0, "LATEST"))
    assert end["Records"] == [] and "NextShardIterator" not in end and len(end["ChildShards"]) == 2
    assert all(seen == ["1", "2", "3"] for seen in _read_parent_first(kinesis, name).values())
    assert set(_read_parent_first(kinesis, name)) == set(keys)


def test_merge_lineage(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    keys = [f"m-{i}" for i in range(20)]
    _put(kinesis, name, keys, "1")
    expect_error(
        kinesis.merge_shards,
        "InvalidArgumentException",
        f"Shards {SHARD1} and {SHARD0} in stream {name} under account {ACCOUNT} are not an adjacent pair of shards "
        "eligible for merging",
        StreamName=name,
        ShardToMerge=SHARD1,
        AdjacentShardToMerge=SHARD0,
    )
    expect_error(
        kinesis.merge_shards,
        "ResourceNotFoundException",
        f"Could not find shard shardId-000000000007 in stream {name} under account {ACCOUNT}.",
        StreamName=name,
        ShardToMerge=SHARD0,
        AdjacentShardToMerge="shardId-7",
    )
    kinesis.merge_shards(StreamARN=arn(name), ShardToMerge=SHARD0, AdjacentShardToMerge=SHARD1)
    wait_status(kinesis, name)
    _put(kinesis, name, keys, "2")
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    child = shards[2]
    assert (child["ShardId"], child["ParentShardId"], child["AdjacentParentShardId"]) == (
        "shardId-000000000002",
        SHARD0,
        SHARD1,
    )
    assert child["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(HASH_MAX)}
    for parent in (SHARD0, SHARD1):
        out = kinesis.get_records(ShardIterator=iterator(kinesis, name, parent))
        assert "NextShardIterator" not in out
        assert out["ChildShards"] == [
            {
                "ShardId": "shardId-000000000002",
                "ParentShards": [SHARD0, SHARD1],
                "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(HASH_MAX)},
            }
        ]
    expect_error(
        kinesis.split_shard,
        "InvalidArgumentException",
        f"Shard {SHARD0} in stream {name} under account {ACCOUNT} has already been merged or split, and thus is "
        "not eligible for merging or splitting.",
        StreamName=name,
        ShardToSplit=SHARD0,
        NewStartingHashKey=str(2**100),
    )
    assert all(seen == ["1", "2"] for seen in _read_parent_first(kinesis, name).values())


def test_update_shard_count_uniform_scaling(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    keys = [f"u-{i}" for i in range(40)]
    _put(kinesis, name, keys, "1")
    out = kinesis.update_shard_count(StreamName=name, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"], out["StreamName"]) == (2, 3, name)
    wait_status(kinesis, name)
    _put(kinesis, name, keys, "2")
    open_ranges = [
        (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
        for s in kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
    ]
    space = 2**128
    assert sorted(open_ranges) == [((i * space) // 3, ((i + 1) * space) // 3 - 1) for i in range(3)]
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        parents = [p for p in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId")) if p]
        assert len(parents) <= 2
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 3
    assert all(seen == ["1", "2"] for seen in _read_parent_first(kinesis, name).values())
    # back down to 2, then the limits on a step
    kinesis.update_shard_count(StreamName=name, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    wait_status(kinesis, name)
    assert len(kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]) == 2
    expect_error(
        kinesis.update_shard_count,
        "LimitExceededException",
        "UpdateShardCount cannot scale up over double your current open shard count. "
        "Current open shard count: 2, Target shard count: 5",
        StreamName=name,
        TargetShardCount=5,
        ScalingType="UNIFORM_SCALING",
    )


def test_split_errors(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 3)
    end0 = "113427455640312821154458202477256070484"
    for key in ("1", end0):
        expect_error(
            kinesis.split_shard,
            "InvalidArgumentException",
            f"NewStartingHashKey {key} used in SplitShard() on shard {SHARD0} in stream {name} under account {ACCOUNT} "
            f"is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey "
            f"{end0}.",
            StreamName=name,
            ShardToSplit="shard-0",
            NewStartingHashKey=key,
        )
    expect_error(
        kinesis.split_shard,
        "ResourceNotFoundException",
        f"Could not find shard shardId-000000000005 in stream {name} under account {ACCOUNT}.",
        StreamName=name,
        ShardToSplit="shardId-5",
        NewStartingHashKey="2",
    )
    kinesis.split_shard(StreamName=name, ShardToSplit="shard-0", NewStartingHashKey="2")  # the smallest split
    wait_status(kinesis, name)
    assert kinesis.list_shards(StreamName=name)["Shards"][3]["HashKeyRange"] == {
        "StartingHashKey": "0",
        "EndingHashKey": "1",
    }
    expect_error(
        kinesis.update_shard_count,
        "LimitExceededException",
        "UpdateShardCount cannot scale down below half your current open shard count. "
        "Current open shard count: 4, Target shard count: 1",
        StreamName=name,
        TargetShardCount=1,
        ScalingType="UNIFORM_SCALING",
    )


def test_list_shards_filters_and_paging(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    created = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamCreationTimestamp"]
    kinesis.split_shard(StreamName=name, ShardToSplit=SHARD0, NewStartingHashKey=str(2**126))
    wait_status(kinesis, name)
    after_split = dt.datetime.now(dt.UTC)
    every = ["shardId-000000000000", SHARD1, "shardId-000000000002", "shardId-000000000003"]

    def ids(**kwargs: Any) -> list[str]:
        return [s["ShardId"] for s in kinesis.list_shards(StreamName=name, **kwargs)["Shards"]]

    assert ids() == every
    assert ids(ShardFilter={"Type": "FROM_TRIM_HORIZON"}) == every
    assert ids(ShardFilter={"Type": "AT_TRIM_HORIZON"}) == every[:2]
    assert ids(ShardFilter={"Type": "AT_LATEST"}) == every[1:]
    assert ids(ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": SHARD1}) == every[2:]
    assert ids(ExclusiveStartShardId=SHARD0) == every[1:]
    assert ids(ShardFilter={"Type": "AT_TIMESTAMP", "Timestamp": created}) == every[:2]
    assert ids(ShardFilter={"Type": "AT_TIMESTAMP", "Timestamp": after_split + dt.timedelta(seconds=2)}) == every[1:]
    assert ids(ShardFilter={"Type": "FROM_TIMESTAMP", "Timestamp": created}) == every
    assert ids(ShardFilter={"Type": "FROM_TIMESTAMP", "Timestamp": after_split + dt.timedelta(seconds=2)}) == every[1:]
    assert ids(StreamCreationTimestamp=created) == every
    expect_error(
        kinesis.list_shards,
        "InvalidArgumentException",
        "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID",
        StreamName=name,
        ShardFilter={"Type": "AFTER_SHARD_ID"},
    )
    expect_error(
        kinesis.list_shards,
        "InvalidArgumentException",
        "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP",
        StreamName=name,
        ShardFilter={"Type": "AT_TIMESTAMP"},
    )
    expect_error(
        kinesis.list_shards,
        "ResourceNotFoundException",
        StreamName=name,
        StreamCreationTimestamp=created - dt.timedelta(days=1),
    )
    first = kinesis.list_shards(StreamName=name, MaxResults=3)
    assert [s["ShardId"] for s in first["Shards"]] == every[:3]
    second = kinesis.list_shards(NextToken=first["NextToken"], MaxResults=3)
    assert [s["ShardId"] for s in second["Shards"]] == every[3:] and "NextToken" not in second
    expect_error(
        kinesis.list_shards,
        "InvalidArgumentException",
        "NextToken and StreamName cannot be provided together.",
        NextToken=first["NextToken"],
        StreamName=name,
    )
    expect_error(
        kinesis.list_shards,
        "InvalidArgumentException",
        "NextToken and ShardFilter cannot be provided together.",
        NextToken=first["NextToken"],
        ShardFilter={"Type": "AT_LATEST"},
    )
    # a filter holds over the pages of its token
    latest = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"}, MaxResults=1)
    seen = [s["ShardId"] for s in latest["Shards"]]
    while "NextToken" in latest:
        latest = kinesis.list_shards(NextToken=latest["NextToken"], MaxResults=1)
        seen += [s["ShardId"] for s in latest["Shards"]]
    assert seen == every[1:]
    page = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in page["Shards"]] == every[:2] and page["HasMoreShards"] is True
    rest = kinesis.describe_stream(StreamName=name, ExclusiveStartShardId=SHARD1)["StreamDescription"]
    assert [s["ShardId"] for s in rest["Shards"]] == every[2:] and rest["HasMoreShards"] is False
