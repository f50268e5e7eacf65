"""S3 delivery with real buffering: a flush by interval (and none before it), a flush by size, zero buffering,
AWS's default key layout, custom prefixes with expressions, compression round trips."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import struct
import time
import zipfile
from typing import Any

import cramjam
import pytest

from .conftest import body, keys, s3_config, wait_keys


def _create(firehose: Any, name: str, bucket: str, **config: Any) -> None:
    firehose.create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_config(bucket, **config)
    )


def test_flush_by_interval_one_object_in_arrival_order(firehose: Any, s3: Any, bucket: str, name: str) -> None:
    _create(firehose, name, bucket, BufferingHints={"SizeInMBs": 5, "IntervalInSeconds": 3})
    started = time.monotonic()
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"first\n"})
    out = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": f"r{i}\n".encode()} for i in range(50)])
    assert out["FailedPutCount"] == 0 and len(out["RequestResponses"]) == 50
    assert all(r["RecordId"] for r in out["RequestResponses"])
    time.sleep(1.0)
    assert keys(s3, bucket) == [], "nothing may be delivered before the buffering interval"
    found = wait_keys(s3, bucket, 1, timeout=8)
    assert time.monotonic() - started >= 2.9
    assert len(found) == 1
    assert body(s3, bucket, found[0]) == b"first\n" + b"".join(f"r{i}\n".encode() for i in range(50))
    # AWS's default layout: YYYY/MM/DD/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>
    now = dt.datetime.now(dt.UTC)
    parts = found[0].split("/")
    assert len(parts) == 5 and parts[0] == f"{now.year:04d}" and len(parts[3]) == 2
    leaf = parts[4]
    assert leaf.startswith(f"{name}-1-{parts[0]}-{parts[1]}-{parts[2]}-{parts[3]}-")
    assert len(leaf) == len(name) + len("-1-") + len("2024-01-01-00-00-00-") + 36
    time.sleep(3.5)
    assert len(keys(s3, bucket)) == 1, "a flush removes its records: nothing is delivered twice"


def test_flush_by_size_before_interval(firehose: Any, s3: Any, bucket: str, name: str) -> None:
    _create(firehose, name, bucket, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 900})
    chunk = b"x" * 100_000
    for _ in range(3):
        firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": chunk}] * 4)
    found = wait_keys(s3, bucket, 1, timeout=5)
    assert len(found) == 1
    size = len(body(s3, bucket, found[0]))
    assert 900_000 <= size <= 1024 * 1024, size
    time.sleep(1.0)
    assert len(keys(s3, bucket)) == 1, "the rest waits for the size or the interval (900 s)"


def test_zero_buffering_delivers_at_once(firehose: Any, s3: Any, bucket: str, name: str) -> None:
    _create(firehose, name, bucket, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0})
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"now"})
    found = wait_keys(s3, bucket, 1, timeout=3)
    assert body(s3, bucket, found[0]) == b"now"


def test_custom_prefix_expressions(firehose: Any, s3: Any, bucket: str, name: str) -> None:
    _create(
        firehose, name, bucket,
        Prefix="logs/!{timestamp:yyyy}/day=!{timestamp:dd}/!{firehose:random-string}/",
        ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0},
    )  # fmt: skip
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"a"})
    key = wait_keys(s3, bucket, 1, timeout=3)[0]
    now = dt.datetime.now(dt.UTC)
    parts = key.split("/")
    assert parts[0] == "logs" and parts[1] == f"{now.year:04d}" and parts[2] == f"day={now.day:02d}"
    assert len(parts[3]) == 11 and parts[3].isalnum()
    assert parts[4].startswith(f"{name}-1-")


def test_plain_prefix_gets_the_hour_folders(firehose: Any, s3: Any, bucket: str, name: str) -> None:
    _create(firehose, name, bucket, Prefix="plain/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0})
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"a"})
    key = wait_keys(s3, bucket, 1, timeout=3)[0]
    assert key.startswith("plain/") and len(key.split("/")) == 6


def _hadoop_snappy(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while pos < len(data):
        total, pos = struct.unpack_from(">I", data, pos)[0], pos + 4
        got = 0
        while got < total:
            size, pos = struct.unpack_from(">I", data, pos)[0], pos + 4
            piece = bytes(cramjam.snappy.decompress_raw(data[pos : pos + size]))
            pos, got = pos + size, got + len(piece)
            out += piece
    return bytes(out)


DECODERS = {
    "GZIP": (".gz", gzip.decompress),
    "ZIP": (".zip", lambda b: zipfile.ZipFile(io.BytesIO(b)).read(zipfile.ZipFile(io.BytesIO(b)).namelist()[0])),
    "Snappy": (".snappy", lambda b: bytes(cramjam.snappy.decompress(b))),
    "HADOOP_SNAPPY": (".hsnappy", _hadoop_snappy),
}


@pytest.mark.parametrize("fmt", sorted(DECODERS))
def test_compression_round_trip(firehose: Any, s3: Any, bucket: str, name: str, fmt: str) -> None:
    _create(firehose, name, bucket, CompressionFormat=fmt, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1})
    records = [f'{{"n": {i}, "pad": "{"p" * (i % 50)}"}}\n'.encode() for i in range(300)]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    key = wait_keys(s3, bucket, 1, timeout=5)[0]
    extension, decode = DECODERS[fmt]
    assert key.endswith(extension)
    raw = body(s3, bucket, key)
    assert raw != b"".join(records)
    assert decode(raw) == b"".join(records)
