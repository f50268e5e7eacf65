"""Streams end to end through boto3: lifecycle CREATING → ACTIVE → UPDATING → DELETING, descriptions, listing,
ARNs in place of names, retention, encryption, monitoring, tags, resource policies, modes, limits, account settings."""

from __future__ import annotations

import json
from typing import Any

from ._helpers import ACCOUNT, REGION, arn, expect_error, make_stream, wait_gone, wait_status


def test_lifecycle_create_describe_delete(kinesis: Any, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=3)
    creating = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert creating["StreamStatus"] == "CREATING"
    assert creating["Shards"] == [] and creating["HasMoreShards"] is False
    # a stream being created takes no records and is no reshard target yet
    expect_error(
        kinesis.put_record,
        "ResourceNotFoundException",
        f"Stream {name} under account {ACCOUNT} not found.",
        StreamName=name,
        Data=b"x",
        PartitionKey="a",
    )
    expect_error(
        kinesis.split_shard,
        "ResourceInUseException",
        f"Stream {name} under account {ACCOUNT} not ACTIVE, instead in state CREATING",
        StreamName=name,
        ShardToSplit="shardId-000000000000",
        NewStartingHashKey="12345",
    )
    wait_status(kinesis, name)
    description = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert description["StreamARN"] == arn(name)
    assert description["RetentionPeriodHours"] == 24
    assert description["EnhancedMonitoring"] == [{"ShardLevelMetrics": []}]
    assert description["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert description["EncryptionType"] == "NONE"
    shards = description["Shards"]
    # AWS's ranges for three shards (recorded by kinesalite)
    assert [(s["ShardId"], s["HashKeyRange"]) for s in shards] == [
        ("shardId-000000000000", {"StartingHashKey": "0", "EndingHashKey": "113427455640312821154458202477256070484"}),
        (
            "shardId-000000000001",
            {
                "StartingHashKey": "113427455640312821154458202477256070485",
                "EndingHashKey": "226854911280625642308916404954512140969",
            },
        ),
        (
            "shardId-000000000002",
            {
                "StartingHashKey": "226854911280625642308916404954512140970",
                "EndingHashKey": "340282366920938463463374607431768211455",
            },
        ),
    ]
    starts = [int(s["SequenceNumberRange"]["StartingSequenceNumber"]) for s in shards]
    assert all(len(str(n)) == 56 for n in starts)
    assert starts[1] - starts[0] == starts[2] - starts[1] == 22300745198530623141535718272648361505980432
    assert all("EndingSequenceNumber" not in s["SequenceNumberRange"] for s in shards)

    kinesis.delete_stream(StreamName=name)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "DELETING"
    wait_gone(kinesis, name)
    expect_error(
        kinesis.describe_stream,
        "ResourceNotFoundException",
        f"Stream {name} under account {ACCOUNT} not found.",
        StreamName=name,
    )
    # the name is free again
    make_stream(kinesis, name)
    kinesis.delete_stream(StreamARN=arn(name))


def test_create_errors(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    expect_error(
        kinesis.create_stream,
        "ResourceInUseException",
        f"Stream {name} under account {ACCOUNT} already exists.",
        StreamName=name,
        ShardCount=1,
    )
    expect_error(kinesis.create_stream, "ValidationException", StreamName="bad name!", ShardCount=1)
    expect_error(
        kinesis.create_stream,
        "ValidationException",
        "ShardCount is not expected when StreamMode=ON_DEMAND",
        StreamName=f"{name}-od",
        ShardCount=2,
        StreamModeDetails={"StreamMode": "ON_DEMAND"},
    )
    error = expect_error(kinesis.describe_stream, "ValidationException", StreamName="x" * 129)
    assert "Member must have length less than or equal to 128" in error["Message"]


def test_on_demand_stream_starts_with_four_shards(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4
    expect_error(
        kinesis.update_shard_count,
        "ValidationException",
        f"Request is invalid. Stream {name} under account {ACCOUNT} is in On-Demand mode.",
        StreamName=name,
        TargetShardCount=8,
        ScalingType="UNIFORM_SCALING",
    )
    kinesis.update_stream_mode(StreamARN=arn(name), StreamModeDetails={"StreamMode": "PROVISIONED"})
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "UPDATING"
    summary = wait_status(kinesis, name)
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}


def test_summary_and_arns_on_every_operation(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    stream_arn = arn(name)
    summary = kinesis.describe_stream_summary(StreamARN=stream_arn)["StreamDescriptionSummary"]
    assert summary["StreamName"] == name and summary["StreamARN"] == stream_arn
    assert summary["OpenShardCount"] == 2 and summary["ConsumerCount"] == 0
    assert summary["MaxRecordSizeInKiB"] == 1024
    put = kinesis.put_record(StreamARN=stream_arn, Data=b"by-arn", PartitionKey="k")
    it = kinesis.get_shard_iterator(
        StreamARN=stream_arn, ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=put["SequenceNumber"],
    )["ShardIterator"]  # fmt: skip
    assert kinesis.get_records(ShardIterator=it, StreamARN=stream_arn)["Records"][0]["Data"] == b"by-arn"
    assert len(kinesis.list_shards(StreamARN=stream_arn)["Shards"]) == 2
    kinesis.add_tags_to_stream(StreamARN=stream_arn, Tags={"team": "a"})
    assert kinesis.list_tags_for_stream(StreamARN=stream_arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    expect_error(
        kinesis.describe_stream_summary,
        "ResourceNotFoundException",
        f"Stream {name}-x under account {ACCOUNT} not found.",
        StreamARN=arn(f"{name}-x"),
    )


def test_list_streams_pages(kinesis: Any, name: str) -> None:
    names = [f"{name}-{i}" for i in range(3)]
    for each in names:
        kinesis.create_stream(StreamName=each, ShardCount=1)
    first = kinesis.list_streams(Limit=1, ExclusiveStartStreamName=f"{name}-")
    assert first["StreamNames"] == names[:1] and first["HasMoreStreams"] is True
    summary = first["StreamSummaries"][0]
    assert summary["StreamName"] == names[0] and summary["StreamARN"] == arn(names[0])
    assert summary["StreamStatus"] in ("CREATING", "ACTIVE")
    second = kinesis.list_streams(Limit=1, NextToken=first["NextToken"])
    assert second["StreamNames"] == names[1:2]
    third = kinesis.list_streams(Limit=1, ExclusiveStartStreamName=names[1])
    assert third["StreamNames"] == names[2:3]
    every = kinesis.get_paginator("list_streams").paginate().build_full_result()["StreamNames"]
    assert set(names) <= set(every)


def test_retention_bounds(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8760)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"] == 8760
    expect_error(
        kinesis.increase_stream_retention_period,
        "InvalidArgumentException",
        "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.",
        StreamName=name,
        RetentionPeriodHours=8761,
    )
    expect_error(
        kinesis.increase_stream_retention_period,
        "InvalidArgumentException",
        f"Requested retention period (48 hours) for stream {name} can not be shorter than existing retention "
        "period (8760 hours). Use DecreaseRetentionPeriod API.",
        StreamName=name,
        RetentionPeriodHours=48,
    )
    kinesis.decrease_stream_retention_period(StreamARN=arn(name), RetentionPeriodHours=48)
    expect_error(
        kinesis.decrease_stream_retention_period,
        "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.",
        StreamName=name,
        RetentionPeriodHours=23,
    )
    expect_error(
        kinesis.decrease_stream_retention_period,
        "InvalidArgumentException",
        f"Requested retention period (72 hours) for stream {name} can not be longer than existing retention "
        "period (48 hours). Use IncreaseRetentionPeriod API.",
        StreamName=name,
        RetentionPeriodHours=72,
    )
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["RetentionPeriodHours"] == 48


def test_encryption_is_stored_and_shown(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "UPDATING"
    summary = wait_status(kinesis, name)
    assert summary["EncryptionType"] == "KMS" and summary["KeyId"] == "alias/aws/kinesis"
    put = kinesis.put_record(StreamName=name, Data=b"secret", PartitionKey="k")
    assert put["EncryptionType"] == "KMS"
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")
    assert kinesis.get_records(ShardIterator=it["ShardIterator"])["Records"][0]["EncryptionType"] == "KMS"
    kinesis.stop_stream_encryption(StreamARN=arn(name), EncryptionType="KMS", KeyId="alias/aws/kinesis")
    summary = wait_status(kinesis, name)
    assert summary["EncryptionType"] == "NONE" and "KeyId" not in summary


def test_enhanced_monitoring(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    out = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
    assert out["CurrentShardLevelMetrics"] == []
    assert out["DesiredShardLevelMetrics"] == ["IncomingBytes", "OutgoingRecords"]
    assert out["StreamName"] == name and out["StreamARN"] == arn(name)
    out = kinesis.enable_enhanced_monitoring(StreamARN=arn(name), ShardLevelMetrics=["ALL"])
    assert len(out["DesiredShardLevelMetrics"]) == 7
    out = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert "IncomingBytes" not in out["DesiredShardLevelMetrics"] and len(out["DesiredShardLevelMetrics"]) == 6
    monitoring = kinesis.describe_stream(StreamName=name)["StreamDescription"]["EnhancedMonitoring"]
    assert monitoring == [{"ShardLevelMetrics": out["DesiredShardLevelMetrics"]}]


def test_tags(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, Tags={"a": "1"})
    kinesis.add_tags_to_stream(StreamName=name, Tags={"b": "2", "c": "3"})
    page = kinesis.list_tags_for_stream(StreamName=name, Limit=2)
    assert page["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}] and page["HasMoreTags"] is True
    rest = kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="b")
    assert rest["Tags"] == [{"Key": "c", "Value": "3"}] and rest["HasMoreTags"] is False
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["a"])
    kinesis.tag_resource(ResourceARN=arn(name), Tags={"d": "4"})
    kinesis.untag_resource(ResourceARN=arn(name), TagKeys=["b"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn(name))["Tags"] == [
        {"Key": "c", "Value": "3"},
        {"Key": "d", "Value": "4"},
    ]
    too_many = {f"k{i}": "v" for i in range(49)}
    error = expect_error(kinesis.add_tags_to_stream, "InvalidArgumentException", StreamName=name, Tags=too_many)
    assert "cannot have more than 50 tags" in error["Message"]


def test_resource_policies(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kinesis:GetRecords"}],
    }
    kinesis.put_resource_policy(ResourceARN=arn(name), Policy=json.dumps(policy))
    assert json.loads(kinesis.get_resource_policy(ResourceARN=arn(name))["Policy"]) == policy
    kinesis.delete_resource_policy(ResourceARN=arn(name))
    assert kinesis.get_resource_policy(ResourceARN=arn(name))["Policy"] == "{}"
    expect_error(kinesis.put_resource_policy, "InvalidArgumentException", ResourceARN=arn(name), Policy="not json")
    expect_error(kinesis.get_resource_policy, "ResourceNotFoundException", ResourceARN=arn(f"{name}-missing"))


def test_max_record_size(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    big = b"x" * (1024 * 1024 + 1)
    error = expect_error(kinesis.put_record, "InvalidArgumentException", StreamName=name, Data=big, PartitionKey="k")
    assert "exceeds the maximum record size of 1024 KiB" in error["Message"]
    kinesis.update_max_record_size(StreamARN=arn(name), MaxRecordSizeInKiB=2048)
    assert wait_status(kinesis, name)["MaxRecordSizeInKiB"] == 2048
    assert kinesis.put_record(StreamName=name, Data=big, PartitionKey="k")["ShardId"] == "shardId-000000000000"


def test_limits_and_account_settings(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    described = kinesis.describe_limits()
    assert described["ShardLimit"] == 500 and described["OnDemandStreamCountLimit"] == 50
    assert described["OpenShardCount"] >= 2
    settings = kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"]
    assert settings["Status"] in ("DISABLED", "ENABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END")
    on_demand = f"{name}-od"
    make_stream(kinesis, on_demand, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    enabled = kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
    assert enabled["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED"
    warm = kinesis.update_stream_warm_throughput(StreamName=on_demand, WarmThroughputMiBps=100)
    assert warm["WarmThroughput"]["TargetMiBps"] == 100 and warm["StreamARN"] == arn(on_demand)
    assert wait_status(kinesis, on_demand)["WarmThroughput"] == {"TargetMiBps": 100, "CurrentMiBps": 100}
    expect_error(
        kinesis.update_stream_warm_throughput, "InvalidArgumentException", StreamName=name, WarmThroughputMiBps=1
    )


def test_other_regions_are_separate(aws: Any, name: str) -> None:
    west = aws("kinesis", region="us-west-2")
    west.create_stream(StreamName=name, ShardCount=1)
    assert west.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"] == arn(
        name, "us-west-2"
    )
    east = aws("kinesis", region=REGION)
    expect_error(east.describe_stream_summary, "ResourceNotFoundException", StreamName=name)
