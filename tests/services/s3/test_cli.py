"""The AWS CLI's high-level S3 commands (aws s3 cp / ls / sync / rm) against the server, with a file large enough
for the CLI's multipart upload and ranged download."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def _cli(endpoint: str, *args: str) -> str:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
    }
    env.pop("AWS_PROFILE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_cp_ls_sync(endpoint: str, s3: Any, bucket: str, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        for i in range(20):
            handle.write(hashlib.sha256(str(i).encode()).digest() * (MIB // 32))
    _cli(endpoint, "s3", "cp", str(big), f"s3://{bucket}/data/big.bin")
    head = s3.head_object(Bucket=bucket, Key="data/big.bin")
    assert head["ContentLength"] == 20 * MIB
    assert head["ETag"].endswith('-3"')  # the CLI's 8 MiB parts
    listing = _cli(endpoint, "s3", "ls", f"s3://{bucket}/data/")
    assert "20971520 big.bin" in " ".join(listing.split())
    back = tmp_path / "back.bin"
    _cli(endpoint, "s3", "cp", f"s3://{bucket}/data/big.bin", str(back))
    assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()

    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("alpha")
    (tree / "sub" / "b.txt").write_text("beta")
    _cli(endpoint, "s3", "sync", str(tree), f"s3://{bucket}/tree")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="tree/")["Contents"])
    assert keys == ["tree/a.txt", "tree/sub/b.txt"]
    assert "upload" not in _cli(endpoint, "s3", "sync", str(tree), f"s3://{bucket}/tree")  # nothing changed
    (tree / "a.txt").write_text("alpha, changed")
    assert "upload: " in _cli(endpoint, "s3", "sync", str(tree), f"s3://{bucket}/tree")
    assert s3.get_object(Bucket=bucket, Key="tree/a.txt")["Body"].read() == b"alpha, changed"
    copy = tmp_path / "copy"
    _cli(endpoint, "s3", "sync", f"s3://{bucket}/tree", str(copy))
    assert (copy / "sub" / "b.txt").read_text() == "beta"
    _cli(endpoint, "s3", "rm", f"s3://{bucket}/", "--recursive")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    buckets = _cli(endpoint, "s3", "ls")
    assert bucket in buckets
