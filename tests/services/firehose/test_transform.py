"""Record processing: Lambda transformation with AWS's event and result contract (Ok, Dropped, ProcessingFailed,
partition keys), retries and failed records under the error prefix as AWS's error JSON; dynamic partitioning by JQ
query and by Lambda keys; de-aggregation and the new-line delimiter."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from ..lambda_.zips import create as create_function
from .conftest import body, s3_config, wait_keys

TRANSFORM = """
import base64, json

def handler(event, context):
    assert event["deliveryStreamArn"].startswith("arn:aws:firehose:") and event["region"] and event["invocationId"]
    out = []
    for r in event["records"]:
        assert isinstance(r["approximateArrivalTimestamp"], int)
        doc = json.loads(base64.b64decode(r["data"]))
        if doc.get("drop"):
            out.append({"recordId": r["recordId"], "result": "Dropped"})
        elif doc.get("fail"):
            out.append({"recordId": r["recordId"], "result": "ProcessingFailed", "data": r["data"]})
        else:
            doc["upper"] = doc["text"].upper()
            data = base64.b64encode((json.dumps(doc, sort_keys=True) + "\\n").encode()).decode()
            keys = {"team": doc.get("team", "none")}
            out.append({"recordId": r["recordId"], "result": "Ok", "data": data, "metadata": {"partitionKeys": keys}})
    return {"records": out}
"""

BROKEN = """
def handler(event, context):
    raise RuntimeError("broken on purpose")
"""


def _processing(*processors: dict[str, Any]) -> dict[str, Any]:
    return {
        "Enabled": True,
        "Processors": [
            {"Type": p["Type"], "Parameters": [{"ParameterName": k, "ParameterValue": v} for k, v in p["Parameters"]
                                               .items()]}
            for p in processors
        ],
    }  # fmt: skip


def _lambda(arn: str, **params: str) -> dict[str, Any]:
    return {"Type": "Lambda", "Parameters": {"LambdaArn": arn, **params}}


def test_lambda_transformation(aws: Any, firehose: Any, s3: Any, bucket: str, name: str) -> None:
    fn = create_function(aws("lambda"), f"{name}-fn", {"index.py": TRANSFORM})["FunctionArn"]
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(
            bucket, Prefix="ok/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1},
            ProcessingConfiguration=_processing(_lambda(fn, NumberOfRetries="0")),
        ),
    )  # fmt: skip
    docs = [{"text": "a"}, {"text": "b", "drop": True}, {"text": "c", "fail": True}, {"text": "d"}]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": json.dumps(d).encode()} for d in docs])
    found = wait_keys(s3, bucket, 2, timeout=20)
    ok = [k for k in found if k.startswith("ok/") and "processing-failed" not in k]
    failed = [k for k in found if "processing-failed" in k]
    assert len(ok) == 1 and len(failed) == 1, found
    lines = body(s3, bucket, ok[0]).decode().splitlines()
    assert [json.loads(x)["upper"] for x in lines] == ["A", "D"]
    # AWS's layout for failed records without an ErrorOutputPrefix: <Prefix>processing-failed/YYYY/MM/DD/HH/
    assert failed[0].startswith("ok/processing-failed/")
    errors = [json.loads(x) for x in body(s3, bucket, failed[0]).decode().splitlines()]
    assert len(errors) == 1
    e = errors[0]
    assert base64.b64decode(e["rawData"]) == json.dumps(docs[2]).encode()
    assert e["errorCode"] == "Lambda.ProcessingFailed" and e["lambdaArn"] == fn and e["attemptsMade"] == 1
    assert isinstance(e["arrivalTimestamp"], int) and e["attemptEndingTimestamp"] >= e["arrivalTimestamp"]


def test_lambda_failures_retried_then_error_prefix(aws: Any, firehose: Any, s3: Any, bucket: str, name: str) -> None:
    fn = create_function(aws("lambda"), f"{name}-fn", {"index.py": BROKEN})["FunctionArn"]
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(
            bucket, Prefix="data/!{timestamp:yyyy}/", ErrorOutputPrefix="bad/!{firehose:error-output-type}/",
            BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1},
            ProcessingConfiguration=_processing(_lambda(fn, NumberOfRetries="2")),
        ),
    )  # fmt: skip
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"one"}, {"Data": b"two"}])
    found = wait_keys(s3, bucket, 1, timeout=30)
    assert len(found) == 1 and found[0].startswith("bad/processing-failed/"), found
    errors = [json.loads(x) for x in body(s3, bucket, found[0]).decode().splitlines()]
    assert [base64.b64decode(e["rawData"]) for e in errors] == [b"one", b"two"]
    assert all(e["errorCode"] == "Lambda.FunctionError" and e["attemptsMade"] == 3 for e in errors)


def test_dynamic_partitioning_by_query(firehose: Any, s3: Any, bucket: str, name: str) -> None:
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(
            bucket,
            Prefix="customer=!{partitionKeyFromQuery:customer}/year=!{timestamp:yyyy}/",
            ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
            BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1},
            DynamicPartitioningConfiguration={"Enabled": True},
            ProcessingConfiguration=_processing(
                {"Type": "RecordDeAggregation", "Parameters": {"SubRecordType": "JSON"}},
                {"Type": "MetadataExtraction", "Parameters": {
                    "MetadataExtractionQuery": "{customer: .customer}", "JsonParsingEngine": "JQ-1.6"}},
                {"Type": "AppendDelimiterToRecord", "Parameters": {}},
            ),
        ),
    )  # fmt: skip
    records = [
        b'{"customer": "acme", "n": 1}',
        b'{"customer": "globex", "n": 2}{"customer": "acme", "n": 3}',  # two sub-records, de-aggregated
        b'{"n": 4}',  # no customer: partitioning fails
    ]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    found = wait_keys(s3, bucket, 3, timeout=20)
    acme = [k for k in found if k.startswith("customer=acme/year=")]
    globex = [k for k in found if k.startswith("customer=globex/")]
    failed = [k for k in found if k.startswith("errors/partitioning-failed/")]
    assert len(acme) == 1 and len(globex) == 1 and len(failed) == 1, found
    assert [json.loads(x)["n"] for x in body(s3, bucket, acme[0]).decode().splitlines()] == [1, 3]
    assert body(s3, bucket, globex[0]) == b'{"customer":"globex","n":2}\n'
    error = json.loads(body(s3, bucket, failed[0]))
    assert base64.b64decode(error["rawData"]) == b'{"n": 4}'


def test_dynamic_partitioning_by_lambda(aws: Any, firehose: Any, s3: Any, bucket: str, name: str) -> None:
    fn = create_function(aws("lambda"), f"{name}-fn", {"index.py": TRANSFORM})["FunctionArn"]
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(
            bucket, Prefix="team=!{partitionKeyFromLambda:team}/",
            ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
            BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1},
            DynamicPartitioningConfiguration={"Enabled": True},
            ProcessingConfiguration=_processing(_lambda(fn)),
        ),
    )  # fmt: skip
    docs = [{"text": "x", "team": "red"}, {"text": "y", "team": "blue"}, {"text": "z", "team": "red"}]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": json.dumps(d).encode()} for d in docs])
    found = wait_keys(s3, bucket, 2, timeout=20)
    assert sorted(k.split("/")[0] for k in found) == ["team=blue", "team=red"]
    red = next(k for k in found if k.startswith("team=red/"))
    assert [json.loads(x)["upper"] for x in body(s3, bucket, red).decode().splitlines()] == ["X", "Z"]


def test_cloudwatch_logs_payloads(firehose: Any, s3: Any, bucket: str, name: str) -> None:
    """Decompression + CloudWatchLogProcessing: a Logs subscription's gzip payload becomes its messages, one line
    each (control messages dropped)."""
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(
            bucket, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1},
            ProcessingConfiguration=_processing(
                {"Type": "Decompression", "Parameters": {"CompressionFormat": "GZIP"}},
                {"Type": "CloudWatchLogProcessing", "Parameters": {"DataMessageExtraction": "true"}},
                {"Type": "AppendDelimiterToRecord", "Parameters": {}},
            ),
        ),
    )  # fmt: skip
    data = {
        "messageType": "DATA_MESSAGE",
        "owner": "000000000000",
        "logGroup": "g",
        "logStream": "s",
        "subscriptionFilters": ["f"],
        "logEvents": [
            {"id": "1", "timestamp": 1, "message": "first line"},
            {"id": "2", "timestamp": 2, "message": "second line"},
        ],
    }
    control = {"messageType": "CONTROL_MESSAGE", "logEvents": [{"id": "", "timestamp": 1, "message": "probe"}]}
    payloads = [gzip.compress(json.dumps(doc).encode()) for doc in (data, control)]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": p} for p in payloads])
    key = wait_keys(s3, bucket, 1, timeout=10)[0]
    assert body(s3, bucket, key) == b"first line\nsecond line\n"
