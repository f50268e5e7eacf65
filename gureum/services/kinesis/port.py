"""The KinesisReader port (gureum.ports): a stream's shards, iterators, records and arrival wake-ups for readers
inside gureum (Lambda event source mappings), served by the one KinesisBackend."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from ...store.base import Tx
from . import store
from .backend import KinesisBackend
from .streams import CREATING, parse_stream_arn


class KinesisPort:
    """KinesisReader over the backend; stream row ids are looked up once per ARN (a deleted stream's are dropped)."""

    def __init__(self, backend: KinesisBackend) -> None:
        self.backend = backend
        self.ids: dict[str, int] = {}

    async def shards(self, stream_arn: str) -> list[dict[str, Any]] | None:
        named = parse_stream_arn(stream_arn)
        if named is None:
            return None

        def run(tx: Tx) -> list[dict[str, Any]] | None:
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
        named = parse_stream_arn(stream_arn)
        account, region = (named.account, named.region) if named is not None else ("", "")
        at = None if timestamp is None else dt.datetime.fromtimestamp(timestamp, dt.UTC)
        return await self.backend.get_shard_iterator(account, region, None, stream_arn, shard_id, kind, sequence, at)

    async def get_records(self, iterator: str, limit: int) -> dict[str, Any]:
        return await self.backend.get_records(iterator, limit)

    def arrival(self, stream_arn: str) -> asyncio.Event:
        stream_id = self.ids.get(stream_arn)
        if stream_id is None:  # not looked up yet: an event nobody sets (the reader's bounded wait still ends)
            return asyncio.Event()
        return self.backend.arrival(stream_id)
