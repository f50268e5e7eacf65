"""The AWS CLI (v1, installed with the test dependencies) run against a gureum endpoint, as a user types it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def aws(endpoint: str, *args: str, region: str = "us-east-1") -> Any:
    """``aws --endpoint-url ENDPOINT --output json ARGS…`` with test credentials; its JSON output (None when empty).
    A failing command fails the test with the CLI's stderr."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": region,
        "AWS_PAGER": "",
    }
    env.pop("AWS_PROFILE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if proc.stdout.strip() else None
