"""The KinesisReader port (gureum.ports): a stream's shards, iterators, records and arrival wake-ups for readers
inside gureum (Lambda event source mappings), served by the one KinesisBackend. Every method takes a stream ARN or
an enhanced fan-out consumer's ARN (a mapping on a consumer): a consumer reads its stream while it is ACTIVE."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from ...store.base import Tx
from . import consumers, store
from .backend import KinesisBackend
from .errors import ServiceError
from .streams import ACTIVE, CREATING, parse_consumer_arn, parse_stream_arn


def stream_of(arn: str) -> str:
    """The stream ARN of a stream or consumer ARN."""
    head, found, _ = arn.partition("/consumer/")
    return head if found else arn


class KinesisPort:
    """KinesisReader over the backend; stream row ids are looked up once per ARN (a deleted stream's are dropped)."""

    def __init__(self, backend: KinesisBackend) -> None:
        self.backend = backend
        self.ids: dict[str, int] = {}

    async def shards(self, stream_arn: str) -> list[dict[str, Any]] | None:
        consumer = parse_consumer_arn(stream_arn) is not None
        named = parse_stream_arn(stream_of(stream_arn))
        if named is None:
            return None

        def run(tx: Tx) -> list[dict[str, Any]] | None:
            if consumer:
                try:
                    _, found = consumers.find_in_tx(tx, None, None, stream_arn)
                except ServiceError:
                    return None
                if found.status != ACTIVE:
                    return None
            stream = store.get_stream(tx, named.account, named.region, named.name)
            if stream is None or stream.status == CREATING:
                return None
            self.ids[stream_arn] = stream.id
            return [dict(s.describe()) for s in store.shards(tx, stream.id)]

        found = await self.backend.store.read(run)
        if found is None:
            self.ids.pop(stream_arn, None)
        return found

    async def shard_iterator(
        self, stream_arn: str, shard_id: str, kind: str, sequence: str | None, timestamp: float | None
    ) -> str:
        arn = stream_of(stream_arn)
        named = parse_stream_arn(arn)
        account, region = (named.account, named.region) if named is not None else ("", "")
        at = None if timestamp is None else dt.datetime.fromtimestamp(timestamp, dt.UTC)
        return await self.backend.get_shard_iterator(account, region, None, arn, shard_id, kind, sequence, at)

    async def get_records(self, iterator: str, limit: int) -> dict[str, Any]:
        return await self.backend.get_records(iterator, limit)

    def arrival(self, stream_arn: str) -> asyncio.Event:
        stream_id = self.ids.get(stream_arn)
        if stream_id is None:  # not looked up yet: an event nobody sets (the reader's bounded wait still ends)
            return asyncio.Event()
        return self.backend.arrival(stream_id)
