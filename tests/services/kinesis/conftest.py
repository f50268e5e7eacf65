"""Fixtures of the Kinesis tests: a client of the shared server, and a tuned server per backend whose Kinesis runs
with test settings (short delays, 2-second iterators, 0.02-second retention hours, limits on)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server

TUNED = {
    "GUREUM_KINESIS_DELAY": "0.1",
    "GUREUM_KINESIS_ITERATOR_SECONDS": "2",
    "GUREUM_KINESIS_RETENTION_HOUR_SECONDS": "0.02",  # 24 retention hours: 0.48 s
    "GUREUM_KINESIS_SWEEP_SECONDS": "0.2",
    "GUREUM_KINESIS_LIMITS": "1",
}


@pytest.fixture(scope="session")
def kinesis(aws: Callable[..., Any]) -> Any:
    return aws("kinesis")


@pytest.fixture(scope="session")
def tuned_server(store: StoreFactory) -> Iterator[Server]:
    srv = Server(**store(), env=TUNED).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def tuned(tuned_server: Server) -> Any:
    """A Kinesis client of the tuned server."""
    return make_client(tuned_server.endpoint, "kinesis")
