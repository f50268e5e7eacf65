"""Provisioned throughput enforced, when GUREUM_DYNAMODB_THROTTLE=1 (off by default): each PROVISIONED table's and
global secondary index's read and write capacity units per second as token buckets on this node's monotonic clock,
holding up to 300 seconds of unused capacity as AWS's burst capacity does (a new table starts with it full). A request
is refused while less than one unit is left and pays what it consumed after it ran, so a large request may take the
bucket into debt that later ones wait out. On-demand tables are never throttled. The store threads call it, so one
lock guards the buckets; counted per node."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ...clock import Clock
from . import limits
from .errors import ProvisionedThroughputExceededException
from .tables import PROVISIONED, Table

TABLE_SPENT = (
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
    "provisioning level with the UpdateTable API."
)
INDEX_SPENT = (
    "The level of configured provisioned throughput for one or more global secondary indexes of the table was "
    "exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with "
    "the UpdateTable API"
)


@dataclass(slots=True)
class _Bucket:
    rate: float  # units per second
    level: float
    at: float

    def refill(self, rate: float, now: float) -> None:
        self.rate = rate  # UpdateTable may have changed it
        self.level = min(rate * limits.BURST_SECONDS, self.level + (now - self.at) * rate)
        self.at = now


class Throttle:
    """The buckets of every provisioned table and index this node served, by (table row, index name, side)."""

    def __init__(self, clock: Clock, enabled: bool) -> None:
        self.clock = clock
        self.enabled = enabled
        self._buckets: dict[tuple[int, str, str], _Bucket] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _rates(table: Table, side: str, index: str | None) -> list[tuple[str, float]]:
        """(bucket name, units per second) a request on the table (or one index) draws from: a read its table or
        index; a write its table and the table's global secondary indexes (index writes come with it)."""
        if table.billing != PROVISIONED:
            return []
        if index is not None:
            found = next((i for i in table.indexes if i.name == index), None)
            if found is None or found.kind != "GSI":  # a local index reads the table's capacity
                return [("", float(table.read if side == "read" else table.write))]
            return [(found.name, float(found.read if side == "read" else found.write))]
        out = [("", float(table.read if side == "read" else table.write))]
        if side == "write":
            out += [(i.name, float(i.write)) for i in table.indexes if i.kind == "GSI"]
        return out

    def _bucket(self, table: Table, name: str, side: str, rate: float, now: float) -> _Bucket:
        key = (table.id, name, side)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate, rate * limits.BURST_SECONDS, now)
        bucket.refill(rate, now)
        return bucket

    def spent(self, table: Table, side: str, index: str | None = None) -> str | None:
        """AWS's message when the capacity a request would draw from is spent (less than one unit left), else None."""
        if not self.enabled:
            return None
        rates = self._rates(table, side, index)
        if not rates:
            return None
        with self._lock:
            now = self.clock.monotonic()
            for name, rate in rates:
                if self._bucket(table, name, side, rate, now).level < 1:
                    return TABLE_SPENT if name == "" else INDEX_SPENT
        return None

    def admit(self, table: Table, side: str, index: str | None = None) -> None:
        """ProvisionedThroughputExceededException when the capacity is spent."""
        message = self.spent(table, side, index)
        if message is not None:
            raise ProvisionedThroughputExceededException(message)

    def take(
        self,
        table: Table,
        side: str,
        units: float,
        index: str | None = None,
        index_units: dict[str, float] | None = None,
    ) -> None:
        """Pay what a request consumed: ``units`` from the table (or ``index``), ``index_units`` (writes) from each
        global secondary index by name."""
        if not self.enabled:
            return
        rates = dict(self._rates(table, side, index))
        if not rates:
            return
        with self._lock:
            now = self.clock.monotonic()
            target = "" if index is None or index not in rates else index
            if target in rates:
                self._bucket(table, target, side, rates[target], now).level -= units
            for name, spent in (index_units or {}).items():
                if name in rates and name != "":
                    self._bucket(table, name, side, rates[name], now).level -= spent
