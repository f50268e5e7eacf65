"""When a schedule's invocations fall: at() in a time zone, rate() from StartDate or creation, cron() within
StartDate/EndDate, and FlexibleTimeWindow offsets (pure logic on fixed times)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gureum.services.scheduler.firing import _actual, next_invocation
from gureum.services.scheduler.model import Schedule


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def schedule(expression: str, **fields: Any) -> Schedule:
    base: dict[str, Any] = dict(
        id=1,
        account="000000000000",
        region="us-east-1",
        group_name="default",
        name="s",
        expression=expression,
        timezone=None,
        start_date=None,
        end_date=None,
        description=None,
        state="ENABLED",
        kms_key=None,
        target={"Arn": "arn:aws:sqs:us-east-1:000000000000:q"},
        flexible={"Mode": "OFF"},
        after_completion="NONE",
        client_token=None,
        created_at=ms("2024-01-01T00:00:00"),
        modified_at=0,
        next_fire_at=None,
    )
    base.update(fields)
    return Schedule(**base)


def test_at_in_a_time_zone() -> None:
    s = schedule("at(2024-06-01T09:00:00)", timezone="Asia/Seoul")
    assert next_invocation(s, ms("2024-05-01T00:00:00")) == ms("2024-06-01T00:00:00")
    assert next_invocation(s, ms("2024-06-01T00:00:00")) is None  # once
    # StartDate and EndDate do not apply to one-time schedules
    assert next_invocation(
        schedule("at(2024-06-01T09:00:00)", end_date=ms("2024-01-02T00:00:00")), ms("2024-05-01T00:00:00")
    ) == ms("2024-06-01T09:00:00")


def test_rate_starts_at_creation_or_start_date() -> None:
    s = schedule("rate(10 minutes)")
    assert next_invocation(s, s.created_at - 1) == s.created_at  # immediately
    assert next_invocation(s, s.created_at) == s.created_at + 600_000
    started = schedule("rate(10 minutes)", start_date=ms("2024-01-05T12:00:00"))
    assert next_invocation(started, ms("2024-01-02T00:00:00")) == ms("2024-01-05T12:00:00")
    assert next_invocation(started, ms("2024-01-05T12:00:00")) == ms("2024-01-05T12:10:00")


def test_cron_within_start_and_end() -> None:
    s = schedule(
        "cron(0 8 * * ? *)",
        timezone="America/New_York",
        start_date=ms("2024-03-01T00:00:00"),
        end_date=ms("2024-03-12T00:00:00"),
    )
    assert next_invocation(s, ms("2024-01-01T00:00:00")) == ms("2024-03-01T13:00:00")  # 08:00 EST
    assert next_invocation(s, ms("2024-03-10T13:00:00")) == ms("2024-03-11T12:00:00")  # 08:00 EDT after the change
    assert next_invocation(s, ms("2024-03-11T12:00:00")) is None  # past EndDate


def test_flexible_window_offsets_within_the_window() -> None:
    flexible = schedule("rate(1 hour)", flexible={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5})
    offsets = {_actual(flexible, 0) for _ in range(200)}
    assert all(0 <= offset < 300_000 for offset in offsets) and len(offsets) > 1
    assert _actual(schedule("rate(1 hour)"), 1234) == 1234


@pytest.mark.parametrize("expression", ["rate(1 day)", "cron(0 0 1 1 ? 2020)"])
def test_nothing_left(expression: str) -> None:
    s = schedule(expression, end_date=ms("2023-01-01T00:00:00"))
    assert next_invocation(s, ms("2024-01-01T00:00:00")) is None
