"""The injectable clock: the only place gureum reads the time from (runtime.clock; tests pass a fake one)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall clock)."""
        ...

    def monotonic(self) -> float: ...

    def now_ms(self) -> int:
        """Milliseconds since the epoch (wall clock)."""
        ...

    def utcnow(self) -> dt.datetime:
        """The wall clock as an aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def utcnow(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now(), dt.UTC)


class FakeClock(SystemClock):
    """A clock that moves only when told (``advance``): for tests of retention, visibility, TTL and schedules."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._monotonic = 0.0

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._monotonic += seconds
