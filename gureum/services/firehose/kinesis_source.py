"""KinesisStreamAsSource: the leader reads each such delivery stream's Kinesis stream through the KinesisReader
port, shard by shard in order (a child shard once its parents were read to their end), and takes the records into
the delivery stream's buffer in the same transaction that saves the shard's checkpoint, so a restart resumes after
the last record taken, none lost or taken twice. A new delivery stream reads from LATEST as of its creation (AWS's
DeliveryStartTimestamp: nothing put after CreateDeliveryStream answered is missed); child shards from TRIM_HORIZON."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

from ...aws.errors import ServiceError
from ...ports import KinesisReader
from ...runtime import Runtime
from ...store.base import Tx
from . import limits, store
from .backend import FirehoseBackend, record_id
from .streams import KINESIS_SOURCE, DeliveryStream

log = logging.getLogger("gureum.firehose.kinesis")
_LEADER_ROLE = "firehose-kinesis"
_READ_LIMIT = 10_000
_IDLE_WAIT = 5.0
_RELIST_SECONDS = 30.0


def _seconds(value: Any) -> float:
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


class StreamReader:
    """Reads one delivery stream's Kinesis stream until cancelled."""

    def __init__(self, runtime: Runtime, be: FirehoseBackend, s: DeliveryStream) -> None:
        self.runtime, self.be, self.s = runtime, be, s
        self.arn = s.source["KinesisStreamARN"]
        self.workers: dict[str, asyncio.Task[None]] = {}
        self.finished: set[str] = set()
        self.changed = asyncio.Event()
        self.task = runtime.spawn(self._run(), f"firehose-kinesis-{s.id}")

    def stop(self) -> None:
        self.task.cancel()
        for worker in self.workers.values():
            worker.cancel()

    async def _run(self) -> None:
        reader = self.runtime.optional_port(KinesisReader)
        while reader is None:
            await asyncio.sleep(0.5)
            reader = self.runtime.optional_port(KinesisReader)
        while True:
            self.changed.clear()
            saved = await self.runtime.store.read(lambda tx: store.checkpoints(tx, self.s.id))
            self.finished |= {shard for shard, (_seq, done) in saved.items() if done}
            try:
                shards = await reader.shards(self.arn)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Firehose %s: listing the shards of %s failed", self.s.name, self.arn)
                shards = None
            if shards is not None:
                listed = {sh["ShardId"] for sh in shards}
                for sh in shards:
                    sid = sh["ShardId"]
                    if sid in self.finished or sid in self.workers:
                        continue
                    parents = [p for p in (sh.get("ParentShardId"), sh.get("AdjacentParentShardId")) if p]
                    if any(p in listed and p not in self.finished for p in parents):
                        continue
                    child = any(p in listed for p in parents)
                    closed = "EndingSequenceNumber" in (sh.get("SequenceNumberRange") or {})
                    after = saved.get(sid, ("", False))[0] or None
                    self.workers[sid] = self.runtime.spawn(
                        self._shard(reader, sid, after, child, closed), f"firehose-kinesis-{self.s.id}-{sid[-4:]}"
                    )
            try:
                await asyncio.wait_for(self.changed.wait(), _RELIST_SECONDS if shards is not None else 2.0)
            except TimeoutError:
                pass

    async def _iterator(
        self, reader: KinesisReader, shard: str, after: str | None, child: bool, closed: bool
    ) -> str | None:
        if after:
            try:
                return await reader.shard_iterator(self.arn, shard, "AFTER_SEQUENCE_NUMBER", after, None)
            except ServiceError:
                return await reader.shard_iterator(self.arn, shard, "TRIM_HORIZON", None, None)
        if child:
            return await reader.shard_iterator(self.arn, shard, "TRIM_HORIZON", None, None)
        if closed:
            return None
        return await reader.shard_iterator(self.arn, shard, "AT_TIMESTAMP", None, self.s.created_at)

    async def _shard(self, reader: KinesisReader, shard: str, after: str | None, child: bool, closed: bool) -> None:
        try:
            iterator = await self._iterator(reader, shard, after, child, closed)
            last = after or ""
            while iterator is not None:
                arrived = reader.arrival(self.arn)
                got = await reader.get_records(iterator, _READ_LIMIT)
                records = got.get("Records") or []
                iterator = got.get("NextShardIterator")
                if records:
                    last = str(records[-1]["SequenceNumber"])
                    await self._take(shard, records, last, iterator is None)
                    self.be.wake.set()
                elif iterator is None:
                    await self._checkpoint(shard, last, True)
                else:
                    await self._backpressure()
                    try:
                        await asyncio.wait_for(arrived.wait(), _IDLE_WAIT)
                    except TimeoutError:
                        pass
            self.finished.add(shard)
        except asyncio.CancelledError:
            raise
        except ServiceError as error:
            log.info("Firehose %s: reading %s: %s", self.s.name, shard, error)
            await asyncio.sleep(2.0)
        except Exception:
            log.exception("Firehose %s: reading %s failed", self.s.name, shard)
            await asyncio.sleep(2.0)
        finally:
            self.workers.pop(shard, None)
            self.changed.set()

    async def _backpressure(self) -> None:
        while await self.runtime.store.read(lambda tx: store.backlog(tx, self.s.id)) > limits.MAX_BACKLOG_BYTES:
            await asyncio.sleep(1.0)

    async def _take(self, shard: str, records: list[dict[str, Any]], last: str, finished: bool) -> None:
        rows = []
        for r in records:
            arrival = _seconds(r["ApproximateArrivalTimestamp"])
            meta = {
                "shardId": shard,
                "partitionKey": r["PartitionKey"],
                "sequenceNumber": str(r["SequenceNumber"]),
                "subsequenceNumber": 0,
                "approximateArrivalTimestamp": int(arrival * 1000),
            }
            rows.append((record_id(), arrival, bytes(r["Data"]), json.dumps(meta)))
        sid = self.s.id

        def run(tx: Tx) -> None:
            if store.get_stream_by_id(tx, sid) is None:
                return
            store.add_records(tx, sid, rows)
            store.save_checkpoint(tx, sid, shard, last, finished)

        await self.runtime.store.write(run)

    async def _checkpoint(self, shard: str, sequence: str, finished: bool) -> None:
        sid = self.s.id
        await self.runtime.store.write(lambda tx: store.save_checkpoint(tx, sid, shard, sequence, finished))


class KinesisSources:
    """Keeps one StreamReader per KinesisStreamAsSource delivery stream while this node leads."""

    def __init__(self, runtime: Runtime, be: FirehoseBackend) -> None:
        self.runtime, self.be = runtime, be
        self.readers: dict[int, StreamReader] = {}
        self.wake = asyncio.Event()

    async def exists(self, arn: str) -> bool:
        reader = self.runtime.optional_port(KinesisReader)
        return reader is not None and await reader.shards(arn) is not None

    async def run(self) -> None:
        while True:
            self.wake.clear()
            try:
                if await self.runtime.store.is_leader(_LEADER_ROLE):
                    await self._sync()
                else:
                    self._stop_all()
            except asyncio.CancelledError:
                self._stop_all()
                raise
            except Exception:
                log.exception("Firehose Kinesis sources pass failed")
            try:
                await asyncio.wait_for(self.wake.wait(), 1.0)
            except TimeoutError:
                pass

    async def _sync(self) -> None:
        streams = [s for s in await self.runtime.store.read(store.all_streams) if s.kind == KINESIS_SOURCE]
        wanted = {s.id: s for s in streams}
        for sid in list(self.readers):
            if sid not in wanted:
                self.readers.pop(sid).stop()
        for sid, s in wanted.items():
            if sid not in self.readers or self.readers[sid].task.done():
                self.readers[sid] = StreamReader(self.runtime, self.be, s)

    def _stop_all(self) -> None:
        for reader in self.readers.values():
            reader.stop()
        self.readers.clear()
