"""The JavaScript SDK v3 (@aws-sdk/client-sesv2) against a live server, as a Node application uses it: GetAccount
(the sandbox and the quota counted from what was really sent), SendEmail (the message kept in the mailbox) and
the MessageRejected error of an unverified sender. The SDK is installed from js/package-lock.json with npm into a
cache directory outside the repository (once per lock file), as the S3 tests do."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Ses

HERE = Path(__file__).parent / "js"


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are needed to run the JavaScript SDK")
    lock = (HERE / "package-lock.json").read_bytes()
    target = Path(tempfile.gettempdir()) / f"gureum-ses-js-{hashlib.sha256(lock).hexdigest()[:12]}"
    if not (target / "node_modules" / "@aws-sdk" / "client-sesv2").exists():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, target / name)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=target, check=True, capture_output=True, timeout=600)
    shutil.copy(HERE / "sesv2.cjs", target / "sesv2.cjs")
    return target


def test_js_sdk_v3_send_email_and_get_account(js_sdk: Path, ses: Ses, unique: Callable[[str], str]) -> None:
    sender = f"{unique('js')}@example.com"
    ses.verify_email(sender)
    args = ["node", "sesv2.cjs", ses.server.endpoint, ses.account, sender, "success@simulator.amazonses.com"]
    proc = subprocess.run(args, cwd=js_sdk, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    assert out["productionAccess"] is False and out["sendingEnabled"] is True
    assert out["quota"] == {"Max24HourSend": 200, "MaxSendRate": 1, "SentLast24Hours": 0}
    assert out["sentAfter"] == 1
    [kept] = ses.messages(id=out["messageId"])
    assert kept["Source"] == sender and kept["Subject"] == "from js"
    assert kept["Destination"] == ["success@simulator.amazonses.com"]
    rejected = out["rejected"]
    assert rejected["name"] == "MessageRejected" and rejected["status"] == 400
    assert rejected["message"].startswith("Email address is not verified.")
