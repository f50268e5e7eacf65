"""Delivery streams through boto3: create/describe/list/delete, tags, UpdateDestination with version ids,
encryption, PutRecord/PutRecordBatch limits, and AWS's errors (unsupported destinations refused by name)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import ROLE, s3_config


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_create_describe_list_delete(firehose: Any, name: str) -> None:
    arn = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config("some-bucket"),
        Tags=[{"Key": "team", "Value": "data"}],
    )["DeliveryStreamARN"]
    assert arn.endswith(f":deliverystream/{name}") and arn.startswith("arn:aws:firehose:us-east-1:")
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["DeliveryStreamStatus"] == "ACTIVE" and d["DeliveryStreamType"] == "DirectPut"
    assert d["VersionId"] == "1" and d["HasMoreDestinations"] is False
    assert d["DeliveryStreamEncryptionConfiguration"]["Status"] == "DISABLED"
    dest = d["Destinations"][0]
    assert dest["DestinationId"] == "destinationId-000000000001"
    ext = dest["ExtendedS3DestinationDescription"]
    assert ext["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}  # AWS's defaults
    assert ext["CompressionFormat"] == "UNCOMPRESSED" and ext["S3BackupMode"] == "Disabled"
    assert ext["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    assert dest["S3DestinationDescription"]["BucketARN"] == "arn:aws:s3:::some-bucket"
    names = firehose.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]
    assert name in names
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"] == [{"Key": "team", "Value": "data"}]
    with pytest.raises(ClientError) as error:
        firehose.create_delivery_stream(
            DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_config("some-bucket")
        )
    assert _code(error) == "ResourceInUseException"
    firehose.delete_delivery_stream(DeliveryStreamName=name)
    with pytest.raises(ClientError) as error:
        firehose.describe_delivery_stream(DeliveryStreamName=name)
    assert _code(error) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
    assert _code(error) == "ResourceNotFoundException"


def test_list_paging_and_type_filter(firehose: Any, name: str) -> None:
    for i in range(3):
        firehose.create_delivery_stream(DeliveryStreamName=f"{name}-{i}", S3DestinationConfiguration=s3_config("b"))
    first = firehose.list_delivery_streams(Limit=1, ExclusiveStartDeliveryStreamName=f"{name}-")
    assert first["DeliveryStreamNames"] == [f"{name}-0"] and first["HasMoreDeliveryStreams"] is True
    rest = firehose.list_delivery_streams(Limit=10000, ExclusiveStartDeliveryStreamName=f"{name}-0")
    assert rest["DeliveryStreamNames"][:2] == [f"{name}-1", f"{name}-2"]
    kinesis_only = firehose.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource", Limit=10000)
    assert f"{name}-0" not in kinesis_only["DeliveryStreamNames"]


@pytest.mark.parametrize(
    "member,config",
    [
        ("RedshiftDestinationConfiguration", {"RoleARN": ROLE, "ClusterJDBCURL": "jdbc:redshift://x", "CopyCommand":
         {"DataTableName": "t"}, "Username": "u", "Password": "password", "S3Configuration": s3_config("b")}),
        ("SplunkDestinationConfiguration", {"HECEndpoint": "https://splunk", "HECEndpointType": "Raw",
         "HECToken": "t", "S3Configuration": s3_config("b")}),
        ("AmazonopensearchserviceDestinationConfiguration", {"RoleARN": ROLE, "IndexName": "i",
         "S3Configuration": s3_config("b")}),
    ],
)  # fmt: skip
def test_unsupported_destinations_are_refused(firehose: Any, name: str, member: str, config: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as error:
        firehose.create_delivery_stream(DeliveryStreamName=name, **{member: config})
    assert _code(error) == "InvalidArgumentException"
    message = error.value.response["Error"]["Message"]
    assert member in message and "ExtendedS3DestinationConfiguration" in message and "HttpEndpoint" in message


def test_validation(firehose: Any, unchecked: Any, name: str) -> None:
    cases: list[dict[str, Any]] = [
        {},  # no destination
        {"ExtendedS3DestinationConfiguration": s3_config("b", Prefix="a/!{timestamp:yyyy}/")},  # no error prefix
        {"ExtendedS3DestinationConfiguration": s3_config("b", Prefix="a/!{firehose:error-output-type}/",
                                                         ErrorOutputPrefix="e/!{firehose:error-output-type}")},
        {"ExtendedS3DestinationConfiguration": s3_config("b", Prefix="a/!{nope:x}/", ErrorOutputPrefix="e/")},
        {"ExtendedS3DestinationConfiguration": s3_config("b", Prefix="a/!{timestamp:yyyy}/",
                                                         ErrorOutputPrefix="e/!{timestamp:yyyy}/")},
        {"ExtendedS3DestinationConfiguration": s3_config(  # dynamic partitioning below 64 MiB
            "b", Prefix="!{partitionKeyFromQuery:k}/", ErrorOutputPrefix="e/!{firehose:error-output-type}/",
            BufferingHints={"SizeInMBs": 5, "IntervalInSeconds": 60},
            DynamicPartitioningConfiguration={"Enabled": True})},
        {"ExtendedS3DestinationConfiguration": s3_config("b", Prefix="!{partitionKeyFromQuery:k}/",
                                                         ErrorOutputPrefix="e/!{firehose:error-output-type}/")},
        {"ExtendedS3DestinationConfiguration": s3_config("b", ProcessingConfiguration={"Enabled": True,
         "Processors": [{"Type": "Lambda", "Parameters": [{"ParameterName": "NumberOfRetries",
                                                             "ParameterValue": "2"}]}]})},
        {"ExtendedS3DestinationConfiguration": s3_config("b", DataFormatConversionConfiguration={"Enabled": True})},
        {"DeliveryStreamType": "MSKAsSource", "ExtendedS3DestinationConfiguration": s3_config("b")},
        {"DeliveryStreamType": "KinesisStreamAsSource", "ExtendedS3DestinationConfiguration": s3_config("b")},
        {"KinesisStreamSourceConfiguration": {"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/s",
                                              "RoleARN": ROLE}, "ExtendedS3DestinationConfiguration": s3_config("b")},
        {"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "CUSTOMER_MANAGED_CMK"},
         "ExtendedS3DestinationConfiguration": s3_config("b")},
    ]  # fmt: skip
    for case in cases:
        with pytest.raises(ClientError) as error:
            firehose.create_delivery_stream(DeliveryStreamName=name, **case)
        assert _code(error) == "InvalidArgumentException", case
    with pytest.raises(ClientError) as error:
        unchecked.create_delivery_stream(DeliveryStreamName="bad name!", S3DestinationConfiguration=s3_config("b"))
    assert _code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        unchecked.create_delivery_stream(
            DeliveryStreamName=name, S3DestinationConfiguration=s3_config("b", BufferingHints={"SizeInMBs": 129})
        )
    assert _code(error) == "ValidationException"


def test_update_destination_versions(firehose: Any, name: str) -> None:
    firehose.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_config("b"))
    firehose.update_destination(
        DeliveryStreamName=name,
        CurrentDeliveryStreamVersionId="1",
        DestinationId="destinationId-000000000001",
        ExtendedS3DestinationUpdate={"Prefix": "new/", "BufferingHints": {"IntervalInSeconds": 60}},
    )
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["VersionId"] == "2" and "LastUpdateTimestamp" in d
    ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert ext["Prefix"] == "new/" and ext["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 60}
    with pytest.raises(ClientError) as error:
        firehose.update_destination(
            DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
            DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={"Prefix": "x/"},
        )  # fmt: skip
    assert _code(error) == "ConcurrentModificationException"
    with pytest.raises(ClientError) as error:
        firehose.update_destination(
            DeliveryStreamName=name, CurrentDeliveryStreamVersionId="2",
            DestinationId="destinationId-000000000009", ExtendedS3DestinationUpdate={"Prefix": "x/"},
        )  # fmt: skip
    assert _code(error) == "InvalidArgumentException"
    with pytest.raises(ClientError) as error:
        firehose.update_destination(
            DeliveryStreamName=name, CurrentDeliveryStreamVersionId="2",
            DestinationId="destinationId-000000000001",
            SplunkDestinationUpdate={"HECEndpoint": "https://x"},
        )  # fmt: skip
    assert _code(error) == "InvalidArgumentException"


def test_tags(firehose: Any, name: str) -> None:
    firehose.create_delivery_stream(DeliveryStreamName=name, S3DestinationConfiguration=s3_config("b"))
    firehose.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": f"k{i}", "Value": str(i)} for i in range(5)])
    page = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name, Limit=2)
    assert [t["Key"] for t in page["Tags"]] == ["k0", "k1"] and page["HasMoreTags"] is True
    rest = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name, ExclusiveStartTagKey="k1")
    assert [t["Key"] for t in rest["Tags"]] == ["k2", "k3", "k4"] and rest["HasMoreTags"] is False
    firehose.untag_delivery_stream(DeliveryStreamName=name, TagKeys=["k0", "k4"])
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"]
    assert [t["Key"] for t in tags] == ["k1", "k2", "k3"]
    with pytest.raises(ClientError) as error:
        firehose.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": f"x{i}", "Value": ""} for i in range(48)])
    assert _code(error) == "LimitExceededException"


def test_encryption(firehose: Any, name: str) -> None:
    firehose.create_delivery_stream(DeliveryStreamName=name, S3DestinationConfiguration=s3_config("b"))
    assert firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["Encrypted"] is False
    key = "arn:aws:kms:us-east-1:000000000000:key/abc"
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName=name,
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key},
    )
    enc = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
        "DeliveryStreamEncryptionConfiguration"
    ]
    assert enc == {"Status": "ENABLED", "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key}
    out = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"y"}])
    assert out["Encrypted"] is True
    firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
    enc = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
        "DeliveryStreamEncryptionConfiguration"
    ]
    assert enc["Status"] == "DISABLED"


def test_record_limits(firehose: Any, unchecked: Any, name: str) -> None:
    firehose.create_delivery_stream(DeliveryStreamName=name, S3DestinationConfiguration=s3_config("b"))
    with pytest.raises(ClientError) as error:
        unchecked.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}] * 501)
    assert _code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        unchecked.put_record(DeliveryStreamName=name, Record={"Data": b"x" * (1_024_000 + 1)})
    assert _code(error) == "ValidationException"
    # 1,000 KiB records are fine one by one, but five of them pass the 4 MiB request limit
    big = b"y" * 1_024_000
    out = firehose.put_record(DeliveryStreamName=name, Record={"Data": big})
    assert out["RecordId"]
    with pytest.raises(ClientError) as error:
        firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": big}] * 5)
    assert _code(error) == "InvalidArgumentException"
    out = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"z"}] * 500)
    assert out["FailedPutCount"] == 0 and len({r["RecordId"] for r in out["RequestResponses"]}) == 500
