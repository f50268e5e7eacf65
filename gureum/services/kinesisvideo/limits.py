"""AWS's per-stream call rates on the media APIs (Kinesis Video Streams quotas: PutMedia and GetMedia 5 calls per
second per stream), kept per node in a one-second sliding window."""

from __future__ import annotations

import collections

from .errors import ClientLimitExceededException

CALLS_PER_SECOND = 5


class CallRate:
    """Calls of one API per stream within the last second."""

    def __init__(self, api: str, limit: int = CALLS_PER_SECOND) -> None:
        self.api = api
        self.limit = limit
        self._calls: dict[int, collections.deque[float]] = {}

    def admit(self, stream_id: int, now: float) -> None:
        """Count a call at monotonic time ``now``; ClientLimitExceededException past the limit."""
        calls = self._calls.setdefault(stream_id, collections.deque())
        while calls and calls[0] <= now - 1.0:
            calls.popleft()
        if len(calls) >= self.limit:
            raise ClientLimitExceededException(
                "Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed "
                f"client calls ({self.limit} {self.api} calls per second per stream). Try making the call later."
            )
        calls.append(now)
        if len(self._calls) > 10_000:  # forget idle streams
            for key in [k for k, v in self._calls.items() if not v or v[-1] <= now - 1.0]:
                del self._calls[key]
