"""Exports to S3 and imports from S3 end to end: ExportTableToPointInTime (full exports at an ExportTime in
DYNAMODB_JSON and ION, incremental exports of a period) written in AWS's layout and read back from S3 with boto3,
DescribeExport/ListExports; ImportTable from DYNAMODB_JSON, ION (an export's own folder) and CSV sources with GZIP,
ZSTD and no compression, errors counted per record, DescribeImport/ListImports; a job survives kill -9."""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import zstandard

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server
from .conftest import TUNED


@pytest.fixture(scope="module")
def s3(ddb_server: Server) -> Any:
    return make_client(ddb_server.endpoint, "s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"exports-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    return name


def _pitr_table(ddb: Any, make_table: Callable[..., str], **extra: Any) -> tuple[str, str]:
    name = make_table(range_key=("sk", "N"), **extra)
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return name, ddb.describe_table(TableName=name)["Table"]["TableArn"]


def _wait(describe: Callable[[], dict[str, Any]], field: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = describe()
        if found[field] != "IN_PROGRESS":
            return found
        assert time.monotonic() < deadline, f"still IN_PROGRESS: {found}"
        time.sleep(0.1)


def _second() -> int:
    """Wait for the next whole second (the SDK sends times in whole seconds): writes before it are before it."""
    now = time.time()
    time.sleep(int(now) + 1 - now + 0.02)
    return int(now) + 1


def _export(ddb: Any, **kwargs: Any) -> dict[str, Any]:
    arn = ddb.export_table_to_point_in_time(**kwargs)["ExportDescription"]["ExportArn"]
    return _wait(lambda: ddb.describe_export(ExportArn=arn)["ExportDescription"], "ExportStatus")


def _import(ddb: Any, **kwargs: Any) -> dict[str, Any]:
    started = ddb.import_table(**kwargs)["ImportTableDescription"]
    assert started["ImportStatus"] == "IN_PROGRESS"
    arn = started["ImportArn"]
    return _wait(lambda: ddb.describe_import(ImportArn=arn)["ImportTableDescription"], "ImportStatus")


def _data_lines(s3: Any, bucket: str, manifest_key: str) -> list[str]:
    summary = json.loads(s3.get_object(Bucket=bucket, Key=manifest_key)["Body"].read())
    files = s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"].read().decode().splitlines()
    lines: list[str] = []
    for entry in map(json.loads, files):
        body = s3.get_object(Bucket=bucket, Key=entry["dataFileS3Key"])["Body"].read()
        text = gzip.decompress(body).decode()
        assert len(text.splitlines()) == entry["itemCount"]
        lines += text.splitlines()
    return lines


def _scan(ddb: Any, name: str, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=name, **kwargs):
        found += page["Items"]
    return sorted(found, key=lambda i: (i["pk"]["S"], float(i["sk"]["N"]) if "sk" in i else 0))


ITEMS = [
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "12345678901234567890.123"}, "b": {"B": b"\x00\xff"},
     "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]}, "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": True}]},
                                                                       "odd key": {"S": "line\n\"q\""}}}},
    {"pk": {"S": "a"}, "sk": {"N": "2"}, "bs": {"BS": [b"\x01"]}},
    {"pk": {"S": "b"}, "sk": {"N": "-3.5"}, "s": {"S": "é"}},
]  # fmt: skip


def test_full_export_at_a_time_in_aws_layout(ddb: Any, s3: Any, bucket: str, make_table: Callable[..., str]) -> None:
    name, arn = _pitr_table(ddb, make_table)
    for item in ITEMS:
        ddb.put_item(TableName=name, Item=item)
    at = _second()
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "sk": {"N": "0"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "b"}, "sk": {"N": "-3.5"}})

    done = _export(ddb, TableArn=arn, S3Bucket=bucket, S3Prefix="backups/t1", ExportTime=at, ClientToken="tok-1")
    assert done["ExportStatus"] == "COMPLETED", done
    assert done["ItemCount"] == 3 and done["ExportFormat"] == "DYNAMODB_JSON" and done["ExportType"] == "FULL_EXPORT"
    export_id = done["ExportArn"].rsplit("/", 1)[-1]
    assert done["ExportArn"].startswith(f"{arn}/export/")
    assert done["ExportManifest"] == f"backups/t1/AWSDynamoDB/{export_id}/manifest-summary.json"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    base = f"backups/t1/AWSDynamoDB/{export_id}/"
    assert {base + "_started", base + "manifest-summary.json", base + "manifest-files.json"} <= keys
    assert any(k.startswith(base + "data/") and k.endswith(".json.gz") for k in keys)
    summary = json.loads(s3.get_object(Bucket=bucket, Key=done["ExportManifest"])["Body"].read())
    assert summary["exportArn"] == done["ExportArn"] and summary["itemCount"] == 3
    assert summary["outputFormat"] == "DYNAMODB_JSON" and summary["tableArn"] == arn
    exported = [json.loads(line)["Item"] for line in _data_lines(s3, bucket, done["ExportManifest"])]
    wire = {(i["pk"]["S"], i["sk"]["N"]): i for i in exported}
    assert set(wire) == {("a", "1"), ("a", "2"), ("b", "-3.5")}  # as at ExportTime: no "later", "b" not deleted
    assert wire[("a", "1")]["b"] == {"B": "AP8="} and wire[("a", "1")]["n"] == {"N": "12345678901234567890.123"}

    again = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3Prefix="backups/t1", ExportTime=at,
                                              ClientToken="tok-1")["ExportDescription"]  # fmt: skip
    assert again["ExportArn"] == done["ExportArn"]
    expect_error(ddb.export_table_to_point_in_time, "ExportConflictException", None, TableArn=arn, S3Bucket=bucket,
                 ClientToken="tok-1")  # fmt: skip
    listed = ddb.list_exports(TableArn=arn)["ExportSummaries"]
    assert listed == [{"ExportArn": done["ExportArn"], "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"}]


def test_ion_export_imported_into_a_new_table(ddb: Any, s3: Any, bucket: str, make_table: Callable[..., str]) -> None:
    name, arn = _pitr_table(ddb, make_table)
    for item in ITEMS:
        ddb.put_item(TableName=name, Item=item)
    done = _export(ddb, TableArn=arn, S3Bucket=bucket, ExportFormat="ION")
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 3, done
    lines = _data_lines(s3, bucket, done["ExportManifest"])
    assert all(line.startswith("{Item:{") for line in lines)
    assert any('ss:$dynamodb_SS::["x","y"]' in line for line in lines)

    target = f"imported-{uuid.uuid4().hex[:8]}"
    folder = done["ExportManifest"].rsplit("/", 1)[0] + "/data/"
    imported = _import(
        ddb, S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": folder}, InputFormat="ION", InputCompressionType="GZIP",
        TableCreationParameters={"TableName": target, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                    {"AttributeName": "sk", "KeyType": "RANGE"}],
                                 "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                                          {"AttributeName": "sk", "AttributeType": "N"}],
                                 "BillingMode": "PAY_PER_REQUEST"},
    )  # fmt: skip
    assert imported["ImportStatus"] == "COMPLETED", imported
    assert (imported["ProcessedItemCount"], imported["ImportedItemCount"], imported["ErrorCount"]) == (3, 3, 0)
    assert ddb.describe_table(TableName=target)["Table"]["TableStatus"] == "ACTIVE"
    assert _scan(ddb, target) == _scan(ddb, name)


def _creation(name: str, **extra: Any) -> dict[str, Any]:
    return {"TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"}, *extra.pop("attributes", [])],
            "BillingMode": "PAY_PER_REQUEST", **extra}  # fmt: skip


def test_csv_imports_count_errors(ddb: Any, s3: Any, bucket: str) -> None:
    text = io.StringIO()
    rows = [["pk", "name", "note"], ["1", "one", "a;b"], ["2", "two", ""], ["x", "bad key", ""], ["3", "short"],
            ["4", "four", 'quoted "multi\nline"']]  # fmt: skip
    csv.writer(text).writerows(rows)
    s3.put_object(Bucket=bucket, Key="in/people.csv.zst", Body=zstandard.ZstdCompressor().compress(
        text.getvalue().encode()))  # fmt: skip
    target = f"csv-{uuid.uuid4().hex[:8]}"
    done = _import(ddb, S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/people.csv.zst"}, InputFormat="CSV",
                   InputCompressionType="ZSTD", TableCreationParameters=_creation(target))  # fmt: skip
    assert done["ImportStatus"] == "COMPLETED", done
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (5, 3, 2)
    items = {int(i["pk"]["N"]): i for i in ddb.scan(TableName=target)["Items"]}
    assert items[1] == {"pk": {"N": "1"}, "name": {"S": "one"}, "note": {"S": "a;b"}}
    assert items[2] == {"pk": {"N": "2"}, "name": {"S": "two"}}
    assert items[4]["note"] == {"S": 'quoted "multi\nline"'}

    semicolons = "1;uno\n2;dos\n"
    s3.put_object(Bucket=bucket, Key="in/plain.csv", Body=semicolons.encode())
    other = f"csv-{uuid.uuid4().hex[:8]}"
    done = _import(ddb, S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/plain.csv"}, InputFormat="CSV",
                   InputFormatOptions={"Csv": {"Delimiter": ";", "HeaderList": ["pk", "word"]}},
                   TableCreationParameters=_creation(other))  # fmt: skip
    assert (done["ImportStatus"], done["ImportedItemCount"], done["ErrorCount"]) == ("COMPLETED", 2, 0)
    assert ddb.get_item(TableName=other, Key={"pk": {"N": "2"}})["Item"]["word"] == {"S": "dos"}


def test_json_import_with_an_index_and_bad_lines(ddb: Any, s3: Any, bucket: str) -> None:
    lines = [json.dumps({"Item": {"pk": {"N": str(n)}, "g": {"S": f"group-{n % 2}"}, "v": {"B": "AAE="}}})
             for n in range(10)]  # fmt: skip
    lines += ["{not json", json.dumps({"Item": {"pk": {"S": "wrong type"}}}), json.dumps({"NoItem": {}}),
              json.dumps({"Item": {"pk": {"N": "3"}, "g": {"S": "group-9"}}})]  # fmt: skip
    s3.put_object(Bucket=bucket, Key="j/items.json.gz", Body=gzip.compress("\n".join(lines).encode()))
    target = f"json-{uuid.uuid4().hex[:8]}"
    index = {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}}  # fmt: skip
    done = _import(ddb, S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "j/items.json.gz"},
                   InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP",
                   TableCreationParameters=_creation(target, attributes=[{"AttributeName": "g", "AttributeType": "S"}],
                                                     GlobalSecondaryIndexes=[index]))  # fmt: skip
    assert done["ImportStatus"] == "COMPLETED", done
    # the duplicate key replaces its earlier item (no error, as on AWS); three lines are errors
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (14, 10, 3)
    assert ddb.get_item(TableName=target, Key={"pk": {"N": "3"}})["Item"]["g"] == {"S": "group-9"}
    assert ddb.get_item(TableName=target, Key={"pk": {"N": "0"}})["Item"]["v"] == {"B": b"\x00\x01"}
    by_g = ddb.query(TableName=target, IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "group-0"}})  # fmt: skip
    assert sorted(int(i["pk"]["N"]) for i in by_g["Items"]) == [0, 2, 4, 6, 8]
    summaries = ddb.list_imports(TableArn=done["TableArn"])["ImportSummaryList"]
    assert [s["ImportArn"] for s in summaries] == [done["ImportArn"]] and summaries[0]["ImportStatus"] == "COMPLETED"


def test_incremental_export(ddb: Any, s3: Any, bucket: str, make_table: Callable[..., str]) -> None:
    name, arn = _pitr_table(ddb, make_table)
    ddb.put_item(TableName=name, Item={"pk": {"S": "kept"}, "sk": {"N": "1"}, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "gone"}, "sk": {"N": "1"}})
    low = _second()
    ddb.put_item(TableName=name, Item={"pk": {"S": "kept"}, "sk": {"N": "1"}, "v": {"N": "2"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "gone"}, "sk": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}, "sk": {"N": "1"}})
    high = _second()
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}, "sk": {"N": "1"}})
    done = _export(ddb, TableArn=arn, S3Bucket=bucket, ExportType="INCREMENTAL_EXPORT",
                   IncrementalExportSpecification={"ExportFromTime": low, "ExportToTime": high,
                                                   "ExportViewType": "NEW_AND_OLD_IMAGES"})  # fmt: skip
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 3, done
    records = {json.loads(line)["Keys"]["pk"]["S"]: json.loads(line) for line in
               _data_lines(s3, bucket, done["ExportManifest"])}  # fmt: skip
    assert set(records) == {"kept", "gone", "new"}
    assert records["kept"]["NewImage"]["v"] == {"N": "2"} and records["kept"]["OldImage"]["v"] == {"N": "1"}
    assert "NewImage" not in records["gone"] and records["gone"]["OldImage"]["pk"] == {"S": "gone"}
    assert "OldImage" not in records["new"] and records["new"]["Keys"] == {"pk": {"S": "new"}, "sk": {"N": "1"}}
    assert int(records["new"]["Metadata"]["WriteTimestampMicros"]["N"]) // 1_000_000 in (int(low), int(high))
    period = ("The incremental export period (ExportToTime - ExportFromTime) must be at least 1 seconds and at "
              "most 24 hours")  # fmt: skip
    expect_error(ddb.export_table_to_point_in_time, "ValidationException", period,
                 TableArn=arn, S3Bucket=bucket, ExportType="INCREMENTAL_EXPORT",
                 IncrementalExportSpecification={"ExportFromTime": low, "ExportToTime": low})  # fmt: skip


def test_refusals_and_failures(ddb: Any, s3: Any, bucket: str, make_table: Callable[..., str]) -> None:
    plain = make_table()
    plain_arn = ddb.describe_table(TableName=plain)["Table"]["TableArn"]
    expect_error(ddb.export_table_to_point_in_time, "PointInTimeRecoveryUnavailableException", None,
                 TableArn=plain_arn, S3Bucket=bucket)  # fmt: skip
    _name, arn = _pitr_table(ddb, make_table)
    expect_error(ddb.export_table_to_point_in_time, "InvalidExportTimeException", None, TableArn=arn,
                 S3Bucket=bucket, ExportTime=time.time() - 3600)  # fmt: skip
    expect_error(ddb.describe_export, "ExportNotFoundException", None, ExportArn=f"{arn}/export/01234567890123-abc")
    expect_error(ddb.describe_import, "ImportNotFoundException", None, ImportArn=f"{arn}/import/01234567890123-abc")
    expect_error(ddb.import_table, "ResourceInUseException", None, InputFormat="CSV",
                 S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "x.csv"},
                 TableCreationParameters=_creation(plain, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                                   AttributeDefinitions=[{"AttributeName": "pk",
                                                                          "AttributeType": "S"}]))  # fmt: skip

    failed = _export(ddb, TableArn=arn, S3Bucket=f"no-such-{uuid.uuid4().hex[:8]}")
    assert failed["ExportStatus"] == "FAILED" and failed["FailureCode"] == "NoSuchBucket", failed
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    failed = _import(ddb, S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "nothing/here.json"},
                     InputFormat="DYNAMODB_JSON", TableCreationParameters=_creation(missing))  # fmt: skip
    assert failed["ImportStatus"] == "FAILED" and "No S3 object" in failed["FailureMessage"], failed
    expect_error(ddb.describe_table, "ResourceNotFoundException", None, TableName=missing)


def test_a_job_survives_kill_9(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept, env=TUNED).start()
    try:
        ddb, s3 = make_client(server.endpoint, "dynamodb"), make_client(server.endpoint, "s3")
        s3.create_bucket(Bucket="survive")
        lines = "".join(json.dumps({"Item": {"pk": {"N": str(n)}, "pad": {"S": "x" * 200}}}) + "\n"
                        for n in range(20_000))  # fmt: skip
        s3.put_object(Bucket="survive", Key="big.json", Body=lines.encode())
        started = ddb.import_table(S3BucketSource={"S3Bucket": "survive", "S3KeyPrefix": "big.json"},
                                   InputFormat="DYNAMODB_JSON",
                                   TableCreationParameters=_creation("survivor"))["ImportTableDescription"]  # fmt: skip
        assert started["ImportStatus"] == "IN_PROGRESS"
        server.kill()
        server = Server(**kept, env=TUNED).start()
        ddb = make_client(server.endpoint, "dynamodb")
        arn = started["ImportArn"]
        done = _wait(lambda: ddb.describe_import(ImportArn=arn)["ImportTableDescription"], "ImportStatus", 60)
        assert (done["ImportStatus"], done["ImportedItemCount"], done["ErrorCount"]) == ("COMPLETED", 20_000, 0), done
        assert ddb.describe_table(TableName="survivor")["Table"]["ItemCount"] == 20_000
    finally:
        server.stop()
