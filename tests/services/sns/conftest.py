"""SNS test fixtures: a client, and a local HTTP endpoint that records deliveries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ._helpers import Recorder


@pytest.fixture(scope="session")
def sns(aws: Callable[..., Any]) -> Any:
    return aws("sns")


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    yield rec
    rec.close()


@pytest.fixture
def topic(sns: Any, name: str) -> str:
    return sns.create_topic(Name=name)["TopicArn"]  # type: ignore[no-any-return]
