"""The record processors of a delivery, in AWS's order: Decompression (GZIP), CloudWatchLogProcessing (log events'
messages out of CloudWatch Logs subscription payloads), RecordDeAggregation (JSON or DELIMITED sub-records, and
KPL-aggregated Kinesis records), Lambda (AWS's transformation event and result contract, retried per
NumberOfRetries), MetadataExtraction (JQ partition keys) and AppendDelimiterToRecord (the new-line delimiter).
Records that fail become AWS's error documents for the error prefix."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from ... import safejson
from ...ports import LambdaInvoker
from . import jqeval, limits

KPL_MAGIC = b"\xf3\x89\x9a\xc2"


@dataclass(slots=True)
class Rec:
    """One record on its way: where it came from (row id, record id, arrival), its data now, its keys."""

    row_id: int
    record_id: str
    arrived: float  # seconds
    data: bytes
    raw: bytes  # as accepted (error documents carry it)
    meta: dict[str, Any] | None = None  # Kinesis source: shardId, partitionKey, sequenceNumber, …
    query_keys: dict[str, str] = field(default_factory=dict)
    lambda_keys: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Failed:
    """A record that failed, with AWS's error document (one JSON line in the error object)."""

    rec: Rec
    error_type: str  # processing-failed, partitioning-failed, http-endpoint-failed
    document: dict[str, Any]


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def error_document(rec: Rec, code: str, message: str, attempts: int, now: float, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "attemptsMade": attempts,
        "arrivalTimestamp": _ms(rec.arrived),
        "errorCode": code,
        "errorMessage": message,
        "attemptEndingTimestamp": _ms(now),
        "rawData": base64.b64encode(rec.raw).decode(),
    }
    if rec.meta:
        doc["sequenceNumber"] = rec.meta.get("sequenceNumber")
        doc["subSequenceNumber"] = rec.meta.get("subsequenceNumber", 0)
    doc.update(extra)
    return doc


def _delimiter(value: str | None, default: bytes) -> bytes:
    if not value:
        return default
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode()


# --- de-aggregation -----------------------------------------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """Protocol buffer fields (number, value) of one message (varints and length-delimited only, as KPL uses)."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            out.append((number, value))
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise ValueError("truncated field")
            out.append((number, buf[pos : pos + size]))
            pos += size
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def kpl_records(data: bytes) -> list[tuple[str, bytes]] | None:
    """The (partition key, data) sub-records of a KPL aggregated record, or None when ``data`` is not one (magic,
    protobuf AggregatedRecord, MD5 of the protobuf)."""
    if not data.startswith(KPL_MAGIC) or len(data) < len(KPL_MAGIC) + 16:
        return None
    body, digest = data[len(KPL_MAGIC) : -16], data[-16:]
    if hashlib.md5(body).digest() != digest:
        return None
    try:
        fields = _fields(body)
        keys = [bytes(v).decode() for n, v in fields if n == 1 and isinstance(v, bytes)]
        out = []
        for number, value in fields:
            if number == 3 and isinstance(value, bytes):
                inner = dict(_fields(value))
                index, payload = inner.get(1, 0), inner.get(3, b"")
                key = keys[index] if isinstance(index, int) and index < len(keys) else ""
                out.append((key, payload if isinstance(payload, bytes) else b""))
    except (ValueError, UnicodeDecodeError):
        return None
    return out


def json_objects(data: bytes) -> list[bytes]:
    """Concatenated JSON documents ({"a":1}{"b":2} or one per line) → each as compact text; ValueError if any is not
    JSON."""
    text = data.decode()
    safejson.check(text)
    decoder = json.JSONDecoder()
    out: list[bytes] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            return out
        value, pos = decoder.raw_decode(text, pos)
        out.append(json.dumps(value, separators=(",", ":")).encode())


def deaggregate(records: list[Rec], params: dict[str, str] | None) -> tuple[list[Rec], list[Failed]]:
    """KPL records always (Kinesis sources); JSON / DELIMITED sub-records when the processor is configured."""
    out: list[Rec] = []
    failed: list[Failed] = []
    for rec in records:
        pieces: list[bytes] = [rec.data]
        kpl = kpl_records(rec.data)
        if kpl is not None:
            pieces = [payload for _key, payload in kpl]
        if params is not None:
            split: list[bytes] = []
            for piece in pieces:
                if params.get("SubRecordType") == "DELIMITED":
                    delimiter = _delimiter(params.get("Delimiter"), b"\n")
                    split += [p for p in piece.split(delimiter) if p]
                else:
                    try:
                        split += json_objects(piece)
                    except (ValueError, RecursionError) as error:
                        failed.append(
                            Failed(rec, "processing-failed", error_document(
                                rec, "DeAggregation.InvalidJson", f"Record is not valid JSON: {error}", 1, rec.arrived
                            ))
                        )  # fmt: skip
                        split = []
                        break
            pieces = split
        for i, piece in enumerate(pieces):
            meta = dict(rec.meta or {})
            if rec.meta and len(pieces) > 1:
                meta["subsequenceNumber"] = i
            out.append(Rec(rec.row_id, rec.record_id, rec.arrived, piece, rec.raw, meta or rec.meta))
    return out, failed


# --- CloudWatch Logs payloads -------------------------------------------------------------------------------------


def decompress(records: list[Rec], now: float) -> tuple[list[Rec], list[Failed]]:
    out, failed = [], []
    for rec in records:
        try:
            rec.data = gzip.decompress(rec.data)
            out.append(rec)
        except (OSError, EOFError) as error:
            failed.append(Failed(rec, "processing-failed", error_document(
                rec, "Decompression.Failed", f"Record could not be decompressed as GZIP: {error}", 1, now
            )))  # fmt: skip
    return out, failed


def cloudwatch_messages(records: list[Rec], now: float) -> tuple[list[Rec], list[Failed]]:
    """DataMessageExtraction: each log event's message becomes a record; control messages are dropped."""
    out, failed = [], []
    for rec in records:
        try:
            doc = safejson.loads(rec.data)
            if not isinstance(doc, dict):
                raise ValueError("not a CloudWatch Logs payload")
        except ValueError as error:
            failed.append(Failed(rec, "processing-failed", error_document(
                rec, "CloudWatchLogProcessing.Failed", f"Record is not a CloudWatch Logs payload: {error}", 1, now
            )))  # fmt: skip
            continue
        if doc.get("messageType") != "DATA_MESSAGE":
            continue
        for event in doc.get("logEvents") or []:
            message = str(event.get("message", "")) if isinstance(event, dict) else ""
            out.append(Rec(rec.row_id, rec.record_id, rec.arrived, message.encode(), rec.raw, rec.meta))
    return out, failed


def append_delimiter(records: list[Rec], params: dict[str, str]) -> None:
    delimiter = _delimiter(params.get("Delimiter"), b"\n")
    for rec in records:
        rec.data += delimiter


# --- Lambda -------------------------------------------------------------------------------------------------------


def _lambda_record(rec: Rec, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "recordId": key,
        "approximateArrivalTimestamp": _ms(rec.arrived),
        "data": base64.b64encode(rec.data).decode(),
    }
    if rec.meta:
        out["kinesisRecordMetadata"] = {
            "shardId": rec.meta.get("shardId"),
            "partitionKey": rec.meta.get("partitionKey"),
            "approximateArrivalTimestamp": rec.meta.get("approximateArrivalTimestamp", _ms(rec.arrived)),
            "sequenceNumber": rec.meta.get("sequenceNumber"),
            "subsequenceNumber": rec.meta.get("subsequenceNumber", 0),
        }
    return out


def _batches(records: list[Rec], max_bytes: int) -> list[list[Rec]]:
    out: list[list[Rec]] = []
    current: list[Rec] = []
    size = 0
    for rec in records:
        cost = len(rec.data) * 4 // 3 + 200
        if current and size + cost > max_bytes:
            out.append(current)
            current, size = [], 0
        current.append(rec)
        size += cost
    if current:
        out.append(current)
    return out


class LambdaStep:
    """One Lambda processor over a flush's records."""

    def __init__(
        self, invoker: LambdaInvoker, account: str, region: str, stream_arn: str, params: dict[str, str],
        source_arn: str | None, clock_now: Any,
    ) -> None:  # fmt: skip
        self.invoker, self.account, self.region, self.stream_arn = invoker, account, region, stream_arn
        self.function = params["LambdaArn"]
        self.attempts = 1 + int(float(params.get("NumberOfRetries", limits.LAMBDA_RETRIES_DEFAULT)))
        buffer_mb = float(params.get("BufferSizeInMBs", limits.LAMBDA_BUFFER_MB_DEFAULT))
        self.max_bytes = min(int(buffer_mb * limits.MIB), limits.LAMBDA_PAYLOAD_MAX)
        self.source_arn = source_arn
        self.now = clock_now
        self.errors: list[str] = []  # invocation failures, for the error log

    async def run(self, records: list[Rec]) -> tuple[list[Rec], list[Failed]]:
        out: list[Rec] = []
        failed: list[Failed] = []
        for batch in _batches(records, self.max_bytes):
            ok, bad = await self._batch(batch)
            out += ok
            failed += bad
        return out, failed

    async def _invoke(self, event: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, str, str]:
        """The result's records, or None with (error code, message)."""
        try:
            answer = await self.invoker.invoke(self.account, self.region, self.function, json.dumps(event).encode())
        except Exception as error:  # the port raises Lambda's ServiceErrors
            code = getattr(error, "code", type(error).__name__)
            if code == "ResourceNotFoundException":
                return None, "Lambda.FunctionNotFound", f"The Lambda function was not found: {self.function}"
            mapped = "Lambda.InvokeLimitExceeded" if code == "TooManyRequestsException" else "Lambda.ServiceException"
            return None, mapped, f"The Lambda function could not be invoked: {getattr(error, 'message', error)}"
        if answer.get("FunctionError"):
            return (
                None,
                "Lambda.FunctionError",
                ("The Lambda function was successfully invoked but it returned an error result."),
            )
        try:
            result = safejson.loads(bytes(answer.get("Payload") or b"null"))
        except ValueError:
            result = None
        if not isinstance(result, dict) or not isinstance(result.get("records"), list):
            return (
                None,
                "Lambda.JsonProcessingException",
                ('The Lambda function\'s response could not be parsed as {"records": [...]}.'),
            )
        return [r for r in result["records"] if isinstance(r, dict)], "", ""

    async def _batch(self, batch: list[Rec]) -> tuple[list[Rec], list[Failed]]:
        keys = {f"{i:020d}{uuid.uuid4().hex[:16]}": rec for i, rec in enumerate(batch)}
        event: dict[str, Any] = {
            "invocationId": str(uuid.uuid4()),
            "deliveryStreamArn": self.stream_arn,
            "region": self.region,
            "records": [_lambda_record(rec, key) for key, rec in keys.items()],
        }
        if self.source_arn:
            event["sourceKinesisStreamArn"] = self.source_arn
        results: list[dict[str, Any]] | None = None
        code = message = ""
        attempts = 0
        while attempts < self.attempts:
            attempts += 1
            results, code, message = await self._invoke(event)
            if results is not None:
                break
        now = self.now()
        if results is None:
            self.errors.append(f"{code}: {message}")
            return [], [
                Failed(rec, "processing-failed", error_document(rec, code, message, attempts, now,
                                                                lambdaArn=self.function))
                for rec in batch
            ]  # fmt: skip
        seen: set[str] = set()
        out: list[Rec] = []
        failed: list[Failed] = []
        for item in results:
            key = item.get("recordId")
            rec = keys.get(key) if isinstance(key, str) else None
            if rec is None or key in seen:
                continue
            assert isinstance(key, str)
            seen.add(key)
            status = item.get("result")
            if status == "Dropped":
                continue
            if status == "Ok":
                try:
                    data = base64.b64decode(str(item.get("data", "")), validate=True)
                except (binascii.Error, ValueError):
                    failed.append(Failed(rec, "processing-failed", error_document(
                        rec, "Lambda.InvalidData", "The record's data is not valid base64.", attempts, now,
                        lambdaArn=self.function)))  # fmt: skip
                    continue
                partition = ((item.get("metadata") or {}).get("partitionKeys")) or {}
                rec.lambda_keys = {str(k): str(v) for k, v in partition.items()} if isinstance(partition, dict) else {}
                rec.data = data
                out.append(rec)
            elif status == "ProcessingFailed":
                failed.append(Failed(rec, "processing-failed", error_document(
                    rec, "Lambda.ProcessingFailed", "The Lambda function marked the record ProcessingFailed.",
                    attempts, now, lambdaArn=self.function)))  # fmt: skip
            else:
                failed.append(Failed(rec, "processing-failed", error_document(
                    rec, "Lambda.InvalidResult", f"The record's result {status!r} is not Ok, Dropped or "
                    "ProcessingFailed.", attempts, now, lambdaArn=self.function)))  # fmt: skip
        for key, rec in keys.items():
            if key not in seen:
                failed.append(Failed(rec, "processing-failed", error_document(
                    rec, "Lambda.MissingRecordId", "The Lambda function's response is missing this record's recordId.",
                    attempts, now, lambdaArn=self.function)))  # fmt: skip
        return out, failed


# --- dynamic partitioning -----------------------------------------------------------------------------------------


async def extract_keys(
    worker: jqeval.JqWorker, records: list[Rec], query: str, now: float
) -> tuple[list[Rec], list[Failed]]:
    """MetadataExtraction: each record's partition keys from the JQ query (in the jq worker)."""
    if not records:
        return [], []
    texts = [rec.data.decode("utf-8", "replace") for rec in records]
    try:
        results = await worker.run(jqeval.extract_many, query, texts, timeout=limits.JQ_SECONDS)
    except TimeoutError as error:
        results = [str(error)] * len(records)
    except ValueError as error:
        results = [f"the MetadataExtractionQuery is not valid: {error}"] * len(records)
    out, failed = [], []
    for rec, result in zip(records, results, strict=True):
        if isinstance(result, dict):
            rec.query_keys = result
            out.append(rec)
        else:
            failed.append(Failed(rec, "partitioning-failed", error_document(
                rec, "DynamicPartitioning.MetadataExtractionFailed", result, 1, now)))  # fmt: skip
    return out, failed


def when(seconds: float, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, zone)
