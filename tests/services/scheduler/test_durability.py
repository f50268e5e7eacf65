"""Invocations are durable and exactly once: pending at() firings survive a clean stop and a SIGKILL and
happen once after the restart; two nodes on one PostgreSQL database never both fire a schedule."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ...conftest import STORE_KINDS, make_client
from ...server import Server
from ..events._helpers import nothing_more, queue, receive
from ._helpers import OFF, at_in, target


def _schedule_soon(server: Server, name: str, count: int, seconds: float = 1) -> str:
    """``count`` one-time schedules due in ``seconds`` (their Input says which), all to one queue; its URL."""
    scheduler, sqs = make_client(server.endpoint, "scheduler"), make_client(server.endpoint, "sqs")
    url, arn = queue(sqs, name)
    expression = at_in(seconds)
    for i in range(count):
        scheduler.create_schedule(
            Name=f"{name}-{i}",
            ScheduleExpression=expression,
            FlexibleTimeWindow=OFF,
            Target=target(arn, Input=f'"{i}"'),
        )
    return url


@pytest.mark.parametrize("stop", ["clean", "kill9"])
def test_pending_firings_happen_once_after_a_restart(store: Any, name: str, stop: str) -> None:
    kept = store()
    server = Server(**kept).start()
    url = _schedule_soon(server, name, 3)
    server.stop() if stop == "clean" else server.kill()
    time.sleep(2.2)  # they fall due while no server runs (or just before it stopped: once either way)
    server = Server(**kept).start()
    try:
        sqs = make_client(server.endpoint, "sqs")
        got = sorted(m["Body"] for m in receive(sqs, url, 3, timeout=10))
        assert got == ['"0"', '"1"', '"2"']
        assert nothing_more(sqs, url, wait=2)
    finally:
        server.stop()


@pytest.fixture
def nodes(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[Server, Server]]:
    if "postgresql" not in STORE_KINDS:
        pytest.skip("two nodes share state through PostgreSQL")
    url = request.getfixturevalue("pg_cluster").create_database("sched2")
    a = Server(tmp_path / "a", store_url=url).start()
    b = Server(tmp_path / "b", store_url=url).start()
    yield a, b
    a.stop()
    b.stop()


def test_two_nodes_fire_each_schedule_once(nodes: tuple[Server, Server], name: str) -> None:
    a, b = nodes
    url = _schedule_soon(a, name, 20)
    sqs = make_client(b.endpoint, "sqs")
    got = [m["Body"] for m in receive(sqs, url, 20, timeout=10)]
    assert sorted(got) == sorted(f'"{i}"' for i in range(20)), "a schedule fired twice or not at all"
    assert nothing_more(sqs, url, wait=2)
