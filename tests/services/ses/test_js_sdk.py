"""The JavaScript SDK v3 (@aws-sdk/client-sesv2) against a live server, as a Node application uses it: GetAccount
(the sandbox and the quota counted from what was really sent), SendEmail (the message kept in the mailbox) and
the MessageRejected error of an unverified sender. The SDK is installed from js/package-lock.json by
tests/nodejs.py (npm ci once per lock file)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ... import nodejs
from .conftest import Ses

HERE = Path(__file__).parent / "js"


def test_js_sdk_v3_send_email_and_get_account(ses: Ses, unique: Callable[[str], str]) -> None:
    sender = f"{unique('js')}@example.com"
    ses.verify_email(sender)
    proc = nodejs.run(HERE, "sesv2.cjs", ses.server.endpoint, ses.account, sender, "success@simulator.amazonses.com")
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
