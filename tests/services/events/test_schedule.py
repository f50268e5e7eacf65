"""Scheduled rules on real time: a cron rule fires on its minute with AWS's scheduled event, and a firing
that falls due while no server runs happens exactly once after a restart. (The rules are made early; see
conftest.py.)"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from ...conftest import make_client
from ...server import Server
from ._helpers import nothing_more, receive
from .conftest import Early, Watched


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wait_past(boundary: float) -> None:
    remaining = boundary + 0.2 - time.time()
    if remaining > 0:
        time.sleep(remaining)


def _check_scheduled_event(watched: Watched, body: str) -> None:
    event = json.loads(body)
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event" and event["detail"] == {}
    assert event["resources"] == [f"arn:aws:events:us-east-1:000000000000:rule/{watched.rule}"]
    assert event["account"] == "000000000000" and event["region"] == "us-east-1" and event["version"] == "0"
    assert event["time"] == _iso(watched.boundary)


def test_cron_rule_fires_on_its_minute(early_schedules: dict[str, Early], store_kind: str) -> None:
    early = early_schedules[store_kind]
    _wait_past(early.live.boundary)
    sqs = make_client(early.live_server.endpoint, "sqs")
    messages = receive(sqs, early.live.url, 1, timeout=10)
    assert messages, "the rule did not fire on its minute"
    messages += receive(sqs, early.live.url, 10, timeout=1)  # later minutes, if the suite took that long
    times = sorted(json.loads(m["Body"])["time"] for m in messages)
    assert len(times) == len(set(times)), f"a minute fired twice: {times}"
    assert all(t.endswith(":00Z") for t in times)
    first = next(m for m in messages if json.loads(m["Body"])["time"] == times[0])
    _check_scheduled_event(early.live, first["Body"])


def test_firing_due_while_down_happens_once_after_restart(early_schedules: dict[str, Early], store_kind: str) -> None:
    early = early_schedules[store_kind]
    watched = early.restarted
    _wait_past(watched.boundary)
    server = Server(**early.restart_kwargs).start()
    try:
        sqs = make_client(server.endpoint, "sqs")
        messages = receive(sqs, watched.url, 1, timeout=10)
        assert len(messages) == 1, "the firing missed while the server was down did not happen after the restart"
        _check_scheduled_event(watched, messages[0]["Body"])
        # missed firings collapse into one: nothing more until the next minute (if it is not about to begin)
        if 60 - time.time() % 60 > 3:
            assert nothing_more(sqs, watched.url)
    finally:
        server.stop()
