"""The JavaScript SDK v3 (client-s3, and lib-storage's Upload helper) against the server, as a Node application
uses it: a small PutObject, a streamed PutObject (sent aws-chunked with a trailing CRC32), a 12 MiB multipart
upload in 5 MiB parts, and the object read back whole. The SDK is installed from js/package-lock.json by tests/nodejs.py
(npm ci once per lock file)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ... import nodejs

HERE = Path(__file__).parent / "js"


def test_js_sdk_v3(endpoint: str, name: str) -> None:
    proc = nodejs.run(HERE, "s3.cjs", endpoint, name)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    assert out["smallEtag"] == f'"{hashlib.md5(b"hello from js").hexdigest()}"'
    assert out["smallChecksum"]  # the SDK's default CRC32, kept and answered
    assert out["streamEtag"] == f'"{out["streamMd5"]}"'
    assert out["streamLength"] == 3 * 1024 * 1024 + 5
    assert out["streamChecksum"]
    assert out["bigEtag"].endswith('-3"')
    assert out["bigSame"] is True
