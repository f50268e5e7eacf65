"""The AWS CLI, unchanged, against gureum's Lambda: create-function from a zip file, invoke to an outfile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .zips import ROLE, make_zip

pytest.importorskip("awscli")


def _cli(endpoint: str, *args: str) -> Any:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if proc.stdout.strip() else None


def test_cli_create_wait_invoke(endpoint: str, name: str, tmp_path: Path) -> None:
    package = tmp_path / "fn.zip"
    package.write_bytes(make_zip({"index.py": "def handler(event, context):\n    return {'hi': event['who']}\n"}))
    out = _cli(endpoint, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
               "--role", ROLE, "--handler", "index.handler", "--zip-file", f"fileb://{package}")  # fmt: skip
    assert out["FunctionName"] == name
    _cli(endpoint, "lambda", "wait", "function-active-v2", "--function-name", name)
    result = tmp_path / "out.json"
    meta = _cli(endpoint, "lambda", "invoke", "--function-name", name, "--payload", '{"who": "cli"}', str(result))
    assert meta["StatusCode"] == 200 and json.loads(result.read_text()) == {"hi": "cli"}
    assert name in [f["FunctionName"] for f in _cli(endpoint, "lambda", "list-functions")["Functions"]]
