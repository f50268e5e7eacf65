"""Data format conversion: JSON records written as Parquet and ORC objects whose rows (read back with pyarrow) are the
records as the Glue table's schema reads them (OpenX JSON SerDe key mappings and case insensitivity, Hive JSON SerDe
timestamp formats); records that do not fit go to the format-conversion-failed error prefix as AWS's error JSON; the
rules CreateDeliveryStream checks."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.expect import ACCOUNT, REGION, expect_error

from .conftest import ROLE, body, s3_config, wait_keys

pa = pytest.importorskip("pyarrow")  # the test extra installs it (gureum[parquet])
orc = pytest.importorskip("pyarrow.orc")
pq = pytest.importorskip("pyarrow.parquet")

COLUMNS = [
    {"Name": "id", "Type": "int"},
    {"Name": "name", "Type": "string"},
    {"Name": "score", "Type": "double"},
    {"Name": "ok", "Type": "boolean"},
    {"Name": "price", "Type": "decimal(10,2)"},
    {"Name": "day", "Type": "date"},
    {"Name": "ts", "Type": "timestamp"},
    {"Name": "tags", "Type": "array<string>"},
    {"Name": "address", "Type": "struct<city:string,zip:int>"},
    {"Name": "counts", "Type": "map<string,bigint>"},
]
UTC = dt.UTC


def _glue_table(aws: Callable[..., Any], name: str) -> None:
    glue = aws("glue")
    glue.create_database(DatabaseInput={"Name": name})
    glue.create_table(
        DatabaseName=name,
        TableInput={"Name": "events", "StorageDescriptor": {"Columns": COLUMNS, "Location": f"s3://{name}/"}},
    )


def _conversion(name: str, deserializer: dict[str, Any], serializer: dict[str, Any]) -> dict[str, Any]:
    return {
        "Enabled": True,
        "SchemaConfiguration": {"RoleARN": ROLE, "DatabaseName": name, "TableName": "events", "Region": REGION},
        "InputFormatConfiguration": {"Deserializer": deserializer},
        "OutputFormatConfiguration": {"Serializer": serializer},
    }


def _stream(firehose: Any, bucket: str, name: str, conversion: dict[str, Any], **extra: Any) -> None:
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(
            bucket, BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1},
            ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
            DataFormatConversionConfiguration=conversion, **extra,
        ),
    )  # fmt: skip


def _rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist()  # type: ignore[no-any-return]


def test_parquet_with_openx(aws: Callable[..., Any], firehose: Any, s3: Any, bucket: str, name: str) -> None:
    _glue_table(aws, name)
    openx = {"OpenXJsonSerDe": {"ColumnToJsonKeyMappings": {"ts": "event.time"}}}
    _stream(firehose, bucket, name, _conversion(name, openx, {"ParquetSerDe": {"Compression": "GZIP"}}))
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    destination = described["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["BufferingHints"]["SizeInMBs"] == 64
    assert destination["DataFormatConversionConfiguration"]["OutputFormatConfiguration"]["Serializer"] == {
        "ParquetSerDe": {"Compression": "GZIP"}
    }
    first = {
        "ID": 1, "Name": "a", "score": 1.5, "ok": True, "price": "12.3", "day": "2024-01-02",
        "event.time": "2024-01-02T03:04:05.123Z", "tags": ["x", "y"], "Address": {"City": "Seoul", "ZIP": 4},
        "counts": {"k": 7}, "ignored": "extra keys are dropped",
    }  # fmt: skip
    # two JSON objects in one record are two rows; numbers as text read as numbers; missing keys are null
    second = json.dumps({"id": "2", "event.time": 1704164645}) + json.dumps({"id": 3, "ok": "false"})
    bad = {"id": "not a number"}
    records = [json.dumps(first).encode(), second.encode(), json.dumps(bad).encode(), b"[1, 2]"]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    keys = wait_keys(s3, bucket, 2)
    [data_key] = [k for k in keys if not k.startswith("errors/")]
    assert data_key.endswith(".parquet")
    parquet = pq.ParquetFile(io.BytesIO(body(s3, bucket, data_key)))
    assert parquet.metadata.row_group(0).column(0).compression == "GZIP"
    assert parquet.schema_arrow.names == [c["Name"] for c in COLUMNS]
    rows = _rows(parquet.read())
    assert rows[0] == {
        "id": 1, "name": "a", "score": 1.5, "ok": True, "price": decimal.Decimal("12.30"),
        "day": dt.date(2024, 1, 2), "ts": dt.datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC),
        "tags": ["x", "y"], "address": {"city": "Seoul", "zip": 4}, "counts": [("k", 7)],
    }  # fmt: skip
    nothing = {c["Name"]: None for c in COLUMNS}
    assert rows[1:] == [
        {**nothing, "id": 2, "ts": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)},
        {**nothing, "id": 3, "ok": False},
    ]

    [error_key] = [k for k in keys if k.startswith("errors/")]
    assert error_key.startswith("errors/format-conversion-failed/")
    documents = [json.loads(line) for line in body(s3, bucket, error_key).splitlines()]
    assert len(documents) == 2
    assert {d["lastErrorCode"] for d in documents} == {"DataFormatConversion.MalformedData"}
    assert sorted(base64.b64decode(d["rawData"]) for d in documents) == sorted(records[2:])
    assert documents[0]["dataCatalogTable"] == {
        "catalogId": ACCOUNT, "databaseName": name, "tableName": "events", "region": REGION, "versionId": "LATEST",
        "catalogArn": f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog",
    }  # fmt: skip
    assert all(d["attemptsMade"] == 1 and d["arrivalTimestamp"] > 0 and d["lastErrorMessage"] for d in documents)


def test_orc_with_hive_timestamp_formats(
    aws: Callable[..., Any], firehose: Any, s3: Any, bucket: str, name: str
) -> None:
    _glue_table(aws, name)
    hive = {"HiveJsonSerDe": {"TimestampFormats": ["yyyy/MM/dd HH:mm", "millis"]}}
    _stream(firehose, bucket, name, _conversion(name, hive, {"OrcSerDe": {"Compression": "ZLIB"}}))
    records = [
        {"id": 1, "ts": "2023/07/08 09:10", "tags": [], "address": {"city": "Busan"}},
        {"id": 2, "ts": 1700000000123, "counts": {"a": 1, "b": 2}},
        {"id": 3, "ts": "2023-07-08 09:10:11.5", "score": 2},
    ]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": json.dumps(r).encode()} for r in records])
    [key] = wait_keys(s3, bucket, 1)
    assert key.endswith(".orc")
    read = orc.ORCFile(io.BytesIO(body(s3, bucket, key)))
    assert read.compression == "ZLIB"
    rows = _rows(read.read())
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert [r["ts"].replace(tzinfo=None) for r in rows] == [
        dt.datetime(2023, 7, 8, 9, 10),
        dt.datetime(2023, 11, 14, 22, 13, 20, 123000),
        dt.datetime(2023, 7, 8, 9, 10, 11, 500000),
    ]
    assert rows[0]["tags"] == [] and rows[0]["address"] == {"city": "Busan", "zip": None}
    assert dict(rows[1]["counts"]) == {"a": 1, "b": 2} and rows[2]["score"] == 2.0


def test_create_rules(firehose: Any, bucket: str, name: str) -> None:
    openx = {"OpenXJsonSerDe": {}}
    parquet = {"ParquetSerDe": {}}

    def create(conversion: dict[str, Any], **extra: Any) -> None:
        firehose.create_delivery_stream(
            DeliveryStreamName=name,
            ExtendedS3DestinationConfiguration=s3_config(bucket, DataFormatConversionConfiguration=conversion, **extra),
        )

    expect_error(create, "InvalidArgumentException", conversion=_conversion(name, openx, parquet),
                 CompressionFormat="GZIP")  # fmt: skip
    expect_error(create, "InvalidArgumentException", conversion=_conversion(name, openx, parquet),
                 BufferingHints={"SizeInMBs": 5, "IntervalInSeconds": 60})  # fmt: skip
    expect_error(create, "InvalidArgumentException",
                 conversion=_conversion(name, {**openx, "HiveJsonSerDe": {}}, parquet))  # fmt: skip
    expect_error(create, "InvalidArgumentException", conversion=_conversion(name, openx, {}))
    hive = {"HiveJsonSerDe": {"TimestampFormats": ["yyyy-QQ"]}}
    expect_error(create, "InvalidArgumentException", conversion=_conversion(name, hive, parquet))
    # the default buffer with conversion is 128 MiB
    create(_conversion(name, openx, parquet))
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert described["Destinations"][0]["ExtendedS3DestinationDescription"]["BufferingHints"]["SizeInMBs"] == 128
