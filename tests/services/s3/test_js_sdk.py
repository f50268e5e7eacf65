"""The JavaScript SDK v3 (client-s3, and lib-storage's Upload helper) against the server, as a Node application
uses it: a small PutObject, a streamed PutObject (sent aws-chunked with a trailing CRC32), a 12 MiB multipart
upload in 5 MiB parts, and the object read back whole. The SDK is installed from js/package-lock.json with npm into
a cache directory outside the repository (once per lock file)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent / "js"


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are needed to run the JavaScript SDK")
    lock = (HERE / "package-lock.json").read_bytes()
    target = Path(tempfile.gettempdir()) / f"gureum-s3-js-{hashlib.sha256(lock).hexdigest()[:12]}"
    if not (target / "node_modules" / "@aws-sdk" / "lib-storage").exists():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, target / name)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=target, check=True, capture_output=True, timeout=600)
    shutil.copy(HERE / "s3.cjs", target / "s3.cjs")
    return target


def test_js_sdk_v3(js_sdk: Path, endpoint: str, name: str) -> None:
    proc = subprocess.run(["node", "s3.cjs", endpoint, name], cwd=js_sdk, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    assert out["smallEtag"] == f'"{hashlib.md5(b"hello from js").hexdigest()}"'
    assert out["smallChecksum"]  # the SDK's default CRC32, kept and answered
    assert out["streamEtag"] == f'"{out["streamMd5"]}"'
    assert out["streamLength"] == 3 * 1024 * 1024 + 5
    assert out["streamChecksum"]
    assert out["bigEtag"].endswith('-3"')
    assert out["bigSame"] is True
