"""Per-shard throughput as AWS meters it (1 MiB/s and 1,000 records/s in; 5 GetRecords calls/s and 2 MiB/s out),
as token buckets on this node's monotonic clock. Byte buckets may go into debt (a large record or a 10 MiB read is
taken whole and pays it back before the next one), as AWS's burst capacity does. Only used when limits are on; the
store threads call it, so one lock guards the buckets.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ...clock import Clock
from . import limits


@dataclass(slots=True)
class _Bucket:
    rate: float  # units per second, also the capacity
    level: float
    at: float

    def refill(self, now: float) -> None:
        self.level = min(self.rate, self.level + (now - self.at) * self.rate)
        self.at = now


@dataclass(slots=True)
class _Shard:
    write_bytes: _Bucket
    write_records: _Bucket
    read_calls: _Bucket
    read_bytes: _Bucket


class Throughput:
    """The buckets of every shard this node served, by (stream row id, shard index)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._shards: dict[tuple[int, int], _Shard] = {}
        self._lock = threading.Lock()

    def _shard(self, stream_id: int, shard: int) -> _Shard:
        key = (stream_id, shard)
        found = self._shards.get(key)
        if found is None:
            now = self.clock.monotonic()
            found = self._shards[key] = _Shard(
                _Bucket(limits.SHARD_WRITE_BYTES_PER_SECOND, limits.SHARD_WRITE_BYTES_PER_SECOND, now),
                _Bucket(limits.SHARD_WRITE_RECORDS_PER_SECOND, limits.SHARD_WRITE_RECORDS_PER_SECOND, now),
                _Bucket(limits.SHARD_READ_CALLS_PER_SECOND, limits.SHARD_READ_CALLS_PER_SECOND, now),
                _Bucket(limits.SHARD_READ_BYTES_PER_SECOND, limits.SHARD_READ_BYTES_PER_SECOND, now),
            )
        return found

    def admit_write(self, stream_id: int, shard: int, size: int) -> bool:
        """Take one record of ``size`` bytes into the shard's write budget; False when it is spent."""
        with self._lock:
            meters = self._shard(stream_id, shard)
            now = self.clock.monotonic()
            meters.write_bytes.refill(now)
            meters.write_records.refill(now)
            if meters.write_records.level < 1 or meters.write_bytes.level <= 0:
                return False
            meters.write_records.level -= 1
            meters.write_bytes.level -= size
            return True

    def admit_read(self, stream_id: int, shard: int) -> bool:
        """Take one GetRecords call; False when the shard's calls or bytes per second are spent."""
        with self._lock:
            meters = self._shard(stream_id, shard)
            now = self.clock.monotonic()
            meters.read_calls.refill(now)
            meters.read_bytes.refill(now)
            if meters.read_calls.level < 1 or meters.read_bytes.level <= 0:
                return False
            meters.read_calls.level -= 1
            return True

    def charge_read(self, stream_id: int, shard: int, size: int) -> None:
        """Charge what a GetRecords call returned to the shard's read bytes."""
        with self._lock:
            self._shard(stream_id, shard).read_bytes.level -= size

    def forget(self) -> None:
        with self._lock:
            self._shards.clear()
