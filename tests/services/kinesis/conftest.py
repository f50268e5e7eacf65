"""Fixtures of the Kinesis tests: a client of the shared server, and a tuned server per backend whose Kinesis runs
with test settings (short delays, 2-second iterators, 0.02-second retention hours, limits on)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from ...conftest import REGION, StoreFactory
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
    """A Kinesis client of the tuned server that never retries (botocore would retry a throttled call once)."""
    return boto3.client(
        "kinesis",
        endpoint_url=tuned_server.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )
