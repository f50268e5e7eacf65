"""Rows of an in-application stream as the records an output writes (JSON objects or CSV lines, AWS's value
formats) and the delivery each output kind takes: "kinesis" and "firehose" records, one Lambda event per batch
with AWS's output record contract ({invocationId, applicationArn, records: [{recordId,
lambdaDeliveryRecordMetadata, data}]}), and the CloudWatch logging option's messages (delivery kind "logs")."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import uuid
from typing import Any


def value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.") + f"{v.microsecond // 1000:03d}"
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    return v


def as_json(columns: list[str], row: tuple[Any, ...]) -> str:
    return json.dumps({c: value(v) for c, v in zip(columns, row, strict=False)}, separators=(",", ":"))


def as_csv(row: tuple[Any, ...]) -> str:
    return ",".join("" if v is None else str(value(v)) for v in row)


def deliveries(
    output: dict[str, Any], columns: list[str], rows: list[tuple[Any, ...]], app_arn: str
) -> list[tuple[str, str, dict[str, Any]]]:
    """(delivery kind, address, payload) for ``rows`` of the output's stream."""
    fmt = (output.get("DestinationSchema") or {}).get("RecordFormatType", "JSON")
    texts = [as_json(columns, r) if fmt == "JSON" else as_csv(r) + "\n" for r in rows]
    if "KinesisStreamsOutputDescription" in output:
        arn = output["KinesisStreamsOutputDescription"]["ResourceARN"]
        return [("kinesis", arn, {"data": t, "partition_key": uuid.uuid4().hex}) for t in texts]
    if "KinesisFirehoseOutputDescription" in output:
        arn = output["KinesisFirehoseOutputDescription"]["ResourceARN"]
        return [("firehose", arn, {"data": t if t.endswith("\n") else t + "\n"}) for t in texts]
    arn = output["LambdaOutputDescription"]["ResourceARN"]
    out = []
    for start in range(0, len(texts), 500):
        event = {
            "invocationId": str(uuid.uuid4()),
            "applicationArn": app_arn,
            "records": [
                {
                    "recordId": str(uuid.uuid4()),
                    "lambdaDeliveryRecordMetadata": {"retryHint": 0},
                    "data": base64.b64encode(t.encode()).decode(),
                }
                for t in texts[start : start + 500]
            ],
        }
        out.append(("lambda", arn, event))
    return out


def log_target(option: dict[str, Any]) -> tuple[str, str] | None:
    """(log group ARN, log stream name) of a CloudWatch logging option's LogStreamARN
    (arn:aws:logs:<region>:<account>:log-group:<group>:log-stream:<stream>)."""
    arn = str(option.get("LogStreamARN") or "")
    head, marker, stream = arn.partition(":log-stream:")
    if not marker or not stream or ":log-group:" not in head:
        return None
    return head, stream


def log_message(app_arn: str, version: int, code: str, message: str, **extra: Any) -> str:
    """One application message as the logging option gets it (AWS's JSON message shape)."""
    doc = {
        "applicationARN": app_arn,
        "applicationVersionId": str(version),
        "messageType": "ERROR",
        "errorCode": code,
        "message": message,
        **extra,
        "messageSchemaVersion": "1",
    }
    return json.dumps(doc, separators=(",", ":"))
