"""The tap other services read a delivery stream through (ports.FirehoseTap; Kinesis Data Analytics inputs): a
subscribed stream also keeps each record it accepts (store.add_records numbers them in commit order) until every
subscriber released it or it is 24 hours old. Streams without subscribers keep nothing more."""

from __future__ import annotations

import asyncio

from ...clock import Clock
from ...store.base import Store, Tx
from . import store
from .streams import parse_arn


class Tap:
    def __init__(self, store_: Store, clock: Clock) -> None:
        self.store, self.clock = store_, clock
        self.events: dict[int, asyncio.Event] = {}  # stream id → set when its records next arrive
        self.ids: dict[str, int] = {}  # stream ARN → id, as last resolved

    def _resolve(self, tx: Tx, stream_arn: str) -> int | None:
        named = parse_arn(stream_arn)
        found = store.get_stream(tx, *named) if named else None
        return found.id if found else None

    async def _id(self, stream_arn: str) -> int | None:
        stream_id = await self.store.read(lambda tx: self._resolve(tx, stream_arn))
        if stream_id is None:
            self.ids.pop(stream_arn, None)
        else:
            self.ids[stream_arn] = stream_id
        return stream_id

    async def subscribe(self, stream_arn: str, subscriber: str) -> bool:
        def run(tx: Tx) -> bool:
            stream_id = self._resolve(tx, stream_arn)
            if stream_id is None:
                return False
            store.tap_subscribe(tx, stream_id, subscriber)
            return True

        return await self.store.write(run)

    async def unsubscribe(self, stream_arn: str, subscriber: str) -> None:
        def run(tx: Tx) -> None:
            stream_id = self._resolve(tx, stream_arn)
            if stream_id is not None:
                store.tap_unsubscribe(tx, stream_id, subscriber)

        await self.store.write(run)

    async def read(self, stream_arn: str, after: int, limit: int) -> list[tuple[int, float, bytes]] | None:
        stream_id = await self._id(stream_arn)
        if stream_id is None:
            return None
        return await self.store.read(lambda tx: store.tap_read(tx, stream_id, after, limit))

    async def release(self, stream_arn: str, subscriber: str, through: int) -> None:
        stream_id = self.ids.get(stream_arn) or await self._id(stream_arn)
        if stream_id is None:
            return
        older = self.clock.now() - store.TAP_RETENTION
        await self.store.write(lambda tx: store.tap_release(tx, stream_id, subscriber, through, older))

    def arrival(self, stream_arn: str) -> asyncio.Event:
        stream_id = self.ids.get(stream_arn)
        if stream_id is None:
            return asyncio.Event()  # unknown until read: the reader waits its idle time
        return self.events.setdefault(stream_id, asyncio.Event())

    def notify(self, payload: str) -> None:
        """The store's firehose channel: records reached the stream of that id."""
        if payload.isdigit():
            event = self.events.pop(int(payload), None)
            if event is not None:
                event.set()
