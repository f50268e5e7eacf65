"""A large object through one PutObject and one GetObject: the body streams both ways, so the server's memory
stays bounded (its peak resident set, read from /proc, grows far less than the object's size)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from ...conftest import StoreFactory
from ...server import Server

MIB = 1024 * 1024
SIZE = 128 * MIB


def _peak_rss(pid: int) -> int:
    """VmHWM: the most memory the process has held resident, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.fixture(scope="module")
def fresh(store: StoreFactory) -> Iterator[Server]:
    server = Server(**store()).start()
    yield server
    server.stop()


def test_large_object_streams_both_ways(fresh: Server, tmp_path: Path, name: str) -> None:
    assert fresh.proc is not None
    s3 = boto3.client(
        "s3",
        endpoint_url=fresh.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="warm-up", Body=b"x" * (2 * MIB))  # imports and buffers of a first upload
    s3.get_object(Bucket=name, Key="warm-up")["Body"].read()
    before = _peak_rss(fresh.proc.pid)
    source = tmp_path / "large.bin"
    expected = hashlib.md5()
    with open(source, "wb") as handle:
        block = hashlib.sha256(name.encode()).digest() * (MIB // 32)
        for i in range(SIZE // MIB):
            chunk = bytes([i % 256]) + block[1:]
            expected.update(chunk)
            handle.write(chunk)
    with open(source, "rb") as body:
        put = s3.put_object(Bucket=name, Key="large.bin", Body=body)
    assert put["ETag"] == f'"{expected.hexdigest()}"'
    got = s3.get_object(Bucket=name, Key="large.bin")
    assert got["ContentLength"] == SIZE
    digest = hashlib.md5()
    for chunk in got["Body"].iter_chunks(MIB):
        digest.update(chunk)
    assert digest.hexdigest() == expected.hexdigest()
    grown = _peak_rss(fresh.proc.pid) - before
    assert grown < 48 * MIB, f"the server's peak memory grew by {grown / MIB:.1f} MiB for a {SIZE // MIB} MiB object"
