"""A Firehose delivery stream as the input: the records it accepts reach the application through the delivery
stream's tap (and still reach its own destination); a stop and a LAST_STOPPED_POINT start take up where the
application left off, each record once; DiscoverInputSchema samples the records a delivery stream accepts."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .conftest import ROLE, Reader, kinesis_output, make_stream, wait_status

PASS = """
CREATE OR REPLACE STREAM "DEST" (page VARCHAR(32), n INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM page, n FROM "SOURCE_SQL_STREAM_001" WHERE n > 0;
"""


def _hose_input(arn: str) -> dict[str, Any]:
    return {
        "NamePrefix": "SOURCE_SQL_STREAM",
        "KinesisFirehoseInput": {"ResourceARN": arn, "RoleARN": ROLE},
        "InputSchema": {
            "RecordFormat": {
                "RecordFormatType": "CSV",
                "MappingParameters": {
                    "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}
                },
            },
            "RecordEncoding": "UTF-8",
            "RecordColumns": [{"Name": "page", "SqlType": "VARCHAR(32)"}, {"Name": "n", "SqlType": "INTEGER"}],
        },
    }


def _start(kda: Any, name: str, position: str) -> None:
    input_id = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["InputDescriptions"][0]["InputId"]
    kda.start_application(ApplicationName=name, InputConfigurations=[
        {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": position}}])  # fmt: skip
    wait_status(kda, name, "RUNNING")


def test_firehose_delivery_stream_as_input(aws: Any, kda: Any, kinesis: Any, name: str) -> None:
    s3, firehose = aws("s3"), aws("firehose")
    s3.create_bucket(Bucket=name)
    hose = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{name}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
        },
    )["DeliveryStreamARN"]  # fmt: skip
    dest = make_stream(kinesis, name + "-out")
    kda.create_application(
        ApplicationName=name, ApplicationCode=PASS, Inputs=[_hose_input(hose)], Outputs=[kinesis_output("DEST", dest)]
    )
    described = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["InputDescriptions"][0]
    assert described["KinesisFirehoseInputDescription"]["ResourceARN"] == hose
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"/early,1\n"})  # before the start: TRIM_HORIZON
    _start(kda, name, "TRIM_HORIZON")
    reader = Reader(kinesis, name + "-out")
    firehose.put_record_batch(
        DeliveryStreamName=name, Records=[{"Data": f"/p{i},{i}\n".encode()} for i in range(5)]
    )  # /p0 is filtered out by the pump (n > 0)
    rows = reader.until(5)
    assert sorted((r["PAGE"], r["N"]) for r in rows) == [("/early", 1), ("/p1", 1), ("/p2", 2), ("/p3", 3), ("/p4", 4)]

    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": f"/q{i},{i}\n".encode()} for i in (7, 8)])
    _start(kda, name, "LAST_STOPPED_POINT")
    rows = reader.until(2)
    time.sleep(1.0)
    rows += [json.loads(d) for d in reader.read()]
    assert sorted((r["PAGE"], r["N"]) for r in rows) == [("/q7", 7), ("/q8", 8)], "each record once after the stop"

    objects = s3.list_objects_v2(Bucket=name).get("Contents", [])
    deadline = time.monotonic() + 10
    while not objects and time.monotonic() < deadline:
        time.sleep(0.2)
        objects = s3.list_objects_v2(Bucket=name).get("Contents", [])
    delivered = b"".join(s3.get_object(Bucket=name, Key=o["Key"])["Body"].read() for o in objects)
    assert b"/early,1" in delivered and b"/p3,3" in delivered, "the delivery stream still delivers to S3"
    kda.stop_application(ApplicationName=name)
    wait_status(kda, name, "READY")
    kda.delete_application(ApplicationName=name, CreateTimestamp=kda.describe_application(
        ApplicationName=name)["ApplicationDetail"]["CreateTimestamp"])  # fmt: skip


def test_missing_delivery_stream_is_refused(kda: Any, name: str) -> None:
    hose = f"arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}-none"
    try:
        kda.create_application(ApplicationName=name, ApplicationCode=PASS, Inputs=[_hose_input(hose)])
    except kda.exceptions.InvalidArgumentException as error:
        assert hose in str(error)
    else:
        raise AssertionError("an input from a delivery stream that does not exist was accepted")


def test_discover_schema_from_a_delivery_stream(aws: Any, kda: Any, name: str) -> None:
    s3, firehose = aws("s3"), aws("firehose")
    s3.create_bucket(Bucket=name)
    hose = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{name}"},
    )["DeliveryStreamARN"]
    with ThreadPoolExecutor(1) as pool:
        found = pool.submit(
            kda.discover_input_schema,
            ResourceARN=hose,
            RoleARN=ROLE,
            InputStartingPositionConfiguration={"InputStartingPosition": "NOW"},
        )
        while not found.done():  # records accepted while the discovery listens
            firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"page": "/a", "ms": 12}'})
            time.sleep(0.1)
        schema = found.result()
    columns = {c["Name"]: c["SqlType"] for c in schema["InputSchema"]["RecordColumns"]}
    assert columns["page"].startswith("VARCHAR") and columns["ms"] == "INTEGER", columns
    assert json.loads(schema["RawInputRecords"][0]) == {"page": "/a", "ms": 12}
