"""Records as values: what PutRecord(s) checks and where each record goes, what GetShardIterator's arguments
mean, and the shapes of records read back (no SQL, no HTTP)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, overload

from ...aws.protocols.json import Prewritten, dumps
from . import limits, sequences
from .errors import InvalidArgumentException, ServiceError
from .shards import Router, Shard, partition_hash, shard_id
from .streams import Stream

ITERATOR_TYPES = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")


@dataclass(frozen=True, slots=True)
class Incoming:
    """A record to put: its partition key, data, hash key (ExplicitHashKey or the partition key's MD5) and size
    (what counts against the record and request size limits: data and partition key bytes)."""

    partition_key: str
    data: bytes
    hash_key: int
    size: int


def incoming(partition_key: str, data: bytes, explicit_hash_key: str | None) -> Incoming:
    """One record as PutRecord / PutRecords take it; ExplicitHashKey must lie in [0, 2^128 - 1]."""
    if explicit_hash_key is not None:
        hash_key = int(explicit_hash_key)
        if hash_key > limits.MAX_HASH_KEY:
            raise InvalidArgumentException(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                f"Specified value was {explicit_hash_key}"
            )
    else:
        hash_key = partition_hash(partition_key)
    data = data if type(data) is bytes else bytes(data)
    return Incoming(partition_key, data, hash_key, len(data) + len(partition_key.encode()))


def check_batch(records: Sequence[Incoming]) -> None:
    """PutRecords as a whole: at most 10 MiB of data and partition keys."""
    total = sum(record.size for record in records)
    if total > limits.MAX_PUT_RECORDS_BYTES:
        raise InvalidArgumentException(f"Records size exceeds {limits.MAX_PUT_RECORDS_BYTES // limits.MIB} MB limit")


def check_sizes(stream: Stream, batch: Sequence[Incoming]) -> None:
    """check_size of every record."""
    most = stream.max_record_kib * 1024
    for record in batch:
        if record.size > most:
            check_size(stream, record)


def check_size(stream: Stream, record: Incoming) -> None:
    """A record (data and partition key) may be as large as the stream's MaxRecordSizeInKiB (1 MiB by default)."""
    if record.size > stream.max_record_kib * 1024:
        raise InvalidArgumentException(
            f"Record size {record.size} bytes exceeds the maximum record size of {stream.max_record_kib} KiB "
            f"for stream {stream.name} under account {stream.account}."
        )


def check_ordering(stream: Stream, sequence_for_ordering: str | None) -> None:
    """SequenceNumberForOrdering must be a sequence number (every later record gets a larger one anyway)."""
    if sequence_for_ordering is not None and sequences.decode(sequence_for_ordering) is None:
        raise InvalidArgumentException(
            f"ExclusiveMinimumSequenceNumber {sequence_for_ordering} used in PutRecord on stream {stream.name} "
            f"under account {stream.account} is invalid."
        )


def route(router: Router, records: Sequence[Incoming]) -> list[Shard]:
    return [router.route(record.hash_key) for record in records]


def put_result(stream: Stream, shard_id: str, sequence: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ShardId": shard_id, "SequenceNumber": sequence}
    if stream.encrypted:
        out["EncryptionType"] = "KMS"
    return out


def put_records_answer(stream: Stream, results: list[dict[str, Any]]) -> dict[str, Any]:
    """PutRecords' answer of its records' results (put_result, failed_result); when every record was stored in a
    stream without encryption (the common case), with its JSON body too (Prewritten: byte for byte what the JSON
    protocol writes of it)."""
    failed = sum(1 for r in results if "ErrorCode" in r)
    out: dict[str, Any] = {"FailedRecordCount": failed, "Records": results}
    if stream.encrypted:
        out["EncryptionType"] = "KMS"
    if failed or stream.encrypted:
        return out
    written = ",".join([f'{{"ShardId":"{r["ShardId"]}","SequenceNumber":"{r["SequenceNumber"]}"}}' for r in results])
    return Prewritten(out, f'{{"FailedRecordCount":0,"Records":[{written}]}}'.encode())


def failed_result(error: ServiceError) -> dict[str, Any]:
    return {"ErrorCode": error.code, "ErrorMessage": error.message}


def record_out(stream: Stream, shard: Shard, index: int, arrival_ms: int, key: str, data: bytes) -> dict[str, Any]:
    """A record as GetRecords returns it."""
    return records_out(stream, shard, ((index, arrival_ms, key, data),))[0]


def records_out(stream: Stream, shard: Shard, rows: Iterable[tuple[int, int, str, bytes]]) -> list[dict[str, Any]]:
    """Records (index, arrival ms, partition key, data) of a shard as GetRecords returns them (a batch at once: the
    sequence numbers' shard part is computed once)."""
    fixed = sequences.shard_bits(shard.created_second, shard.index)
    out = [
        {
            "SequenceNumber": str(fixed | (index << 80) | ((arrival_ms // 1000) << 36)),
            "ApproximateArrivalTimestamp": arrival_ms / 1000,
            "Data": data,
            "PartitionKey": key,
        }
        for index, arrival_ms, key, data in rows
    ]
    if stream.encrypted:
        for record in out:
            record["EncryptionType"] = "KMS"
    return out


def arrival_text(arrival_ms: int) -> str:
    """ApproximateArrivalTimestamp as the JSON protocol writes it: epoch seconds, a whole second as an integer."""
    return str(arrival_ms // 1000) if arrival_ms % 1000 == 0 else repr(arrival_ms / 1000)


def record_text(sequence: str, arrival: str, key: str, data: bytes) -> bytes:
    """A record as GetRecords' JSON writes it (``arrival``: arrival_text), its members without the braces and without
    EncryptionType (the stream's state when it is read decides that one), UTF-8: stored with the record at put, so
    that a read joins stored bytes (prewritten). Byte for byte what the JSON protocol writes of the record's dict."""
    text = binascii.b2a_base64(data, newline=False).decode()
    return (
        f'"SequenceNumber":"{sequence}","ApproximateArrivalTimestamp":{arrival},"Data":"{text}",'
        f'"PartitionKey":{encode_basestring(key)}'
    ).encode()


def prewritten(stream: Stream, texts: Sequence[bytes], rest: dict[str, Any]) -> Prewritten:
    """GetRecords' answer of records stored as record_text and the answer's other members (``rest``: numbers,
    strings and ChildShards, which the JSON protocol writes as json does), with its JSON body: the records joined
    in one copy, the answer's start and end added to the first and last."""
    tail = b"]," + dumps(rest)[1:]
    if not texts:
        body = b'{"Records":[' + tail
    else:
        end = b',"EncryptionType":"KMS"}' if stream.encrypted else b"}"
        parts = list(texts)
        parts[0] = b'{"Records":[{' + parts[0]
        parts[-1] = parts[-1] + end + tail
        body = (end + b",{").join(parts)
    return Prewritten({"Records": TextRecords(stream, texts), **rest}, body)


class TextRecords(Sequence[dict[str, Any]]):
    """Records stored as record_text, as the dicts GetRecords returns, decoded when asked for (a protocol other than
    JSON, which writes the stored bytes instead)."""

    def __init__(self, stream: Stream, texts: Sequence[bytes]) -> None:
        self._texts, self._encrypted = texts, stream.encrypted

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, at: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, at: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, at: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(at, slice):
            return [self._decode(text) for text in self._texts[at]]
        return self._decode(self._texts[at])

    def _decode(self, text: bytes) -> dict[str, Any]:
        record: dict[str, Any] = json.loads(b"{" + text + b"}")
        record["Data"] = base64.b64decode(record["Data"])
        if self._encrypted:
            record["EncryptionType"] = "KMS"
        return record


def check_iterator_request(kind: str, sequence: str | None, timestamp: float | None) -> None:
    """GetShardIterator's type and its StartingSequenceNumber / Timestamp go together as AWS requires."""
    rule = (
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
    )
    if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER") and sequence is None:
        raise InvalidArgumentException(f"{rule}Request specified {kind} and no StartingSequenceNumber.")
    if kind in ("TRIM_HORIZON", "LATEST") and sequence is not None:
        raise InvalidArgumentException(f"{rule}Request specified {kind} and also a StartingSequenceNumber.")
    if kind == "AT_TIMESTAMP" and timestamp is None:
        raise InvalidArgumentException(
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
            "Current request has no timestamp parameter."
        )


def sequence_position(stream: Stream, shard: Shard, kind: str, text: str) -> int:
    """The record index an AT_/AFTER_SEQUENCE_NUMBER iterator starts reading at."""
    parsed = sequences.decode(text)
    where = f"used in GetShardIterator on shard {shard.id} in stream {stream.name} under account {stream.account}"
    if parsed is None:
        raise InvalidArgumentException(f"StartingSequenceNumber {text} {where} is invalid.")
    if parsed.shard != shard.index:
        raise InvalidArgumentException(
            f"Invalid StartingSequenceNumber. It encodes {shard_id(parsed.shard)}, "
            f"while it was used in a call to a shard with {shard.id}"
        )
    if parsed.created != shard.created_second:
        raise InvalidArgumentException(
            f"StartingSequenceNumber {text} {where} is invalid because it did not come from this stream."
        )
    return parsed.index if kind == "AT_SEQUENCE_NUMBER" else parsed.index + 1


def check_timestamp(at_ms: int, now_ms: int) -> None:
    if at_ms > now_ms:
        raise InvalidArgumentException(
            "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
            f"timestampInMillis: {at_ms}, currentTimestampInMillis: {now_ms}"
        )
