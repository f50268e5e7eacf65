"""Scheduled rules fire on minute boundaries, so the rules test_schedule.py watches are made, for every
store kind at once, when the first EventBridge test runs: by the time they are checked most of the wait has
passed already, and it is paid once rather than once per store kind.

Per store kind, one rule lives on a server of its own that keeps running; another on a server that is stopped
before its first firing falls due, to be restarted by the test (the firing must then happen exactly once).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ...conftest import STORE_KINDS, make_client
from ...server import Server
from ._helpers import queue

EVERY_MINUTE = "cron(* * * * ? *)"


@dataclass
class Watched:
    url: str
    rule: str
    boundary: float  # epoch seconds of the first firing


@dataclass
class Early:
    live: Watched
    live_server: Server
    restarted: Watched
    restart_kwargs: dict[str, Any]


def _next_boundary_with_room(room: float = 5.0) -> float:
    """The next minute boundary at least ``room`` seconds away (sleeping past a boundary that is too close)."""
    now = time.time()
    boundary = math.ceil(now / 60) * 60
    if boundary - now < room:
        time.sleep(boundary - now + 0.5)
        boundary += 60
    return boundary


def _watch(server: Server, name: str) -> Watched:
    events, sqs = make_client(server.endpoint, "events"), make_client(server.endpoint, "sqs")
    url, arn = queue(sqs, name)
    boundary = _next_boundary_with_room()
    events.put_rule(Name=name, ScheduleExpression=EVERY_MINUTE)
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return Watched(url, name, boundary)


def _store_kwargs(
    store_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    data_dir = tmp_path_factory.mktemp("gureum-schedule")
    if store_kind == "postgresql":
        return {"data_dir": data_dir, "store_url": request.getfixturevalue("pg_cluster").create_database("sched")}
    return {"data_dir": data_dir}


@pytest.fixture(scope="session", autouse=True)
def early_schedules(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Early]]:
    started: dict[str, Early] = {}
    try:
        for store_kind in STORE_KINDS:
            live_server = Server(**_store_kwargs(store_kind, request, tmp_path_factory)).start()
            live = _watch(live_server, "minutely")
            kept = _store_kwargs(store_kind, request, tmp_path_factory)
            server = Server(**kept).start()
            try:
                restarted = _watch(server, "restarted")
            finally:
                server.stop()
            assert time.time() < restarted.boundary, "the server must be down when its first firing falls due"
            started[store_kind] = Early(live, live_server, restarted, kept)
        yield started
    finally:
        for early in started.values():
            early.live_server.stop()
