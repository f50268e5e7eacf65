"""Event source mappings on Kinesis and DynamoDB streams at work: AWS's events, the stream pollers and their
checkpoints (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html, .../with-ddb.html).

One StreamPoller per Enabled mapping runs on the leader; it reads each shard in order in one task per shard, a child
shard only once its parents were read to their end (resharding), through the KinesisReader or DynamoDbStreams port.
Batches (BatchSize, MaximumBatchingWindowInSeconds) are invoked one at a time per shard, retried per
MaximumRetryAttempts / MaximumRecordAgeInSeconds, bisected on error when asked, resumed from the first failed item
(ReportBatchItemFailures); a batch given up on goes to the OnFailure destination as AWS's failure record. The last
sequence number processed per shard is stored (lambda_esm_checkpoints), so a restart resumes after it.

ParallelizationFactor N: a shard is read N batches at a time, its records spread over N lanes by partition key (a
DynamoDB item's keys), each lane invoked in order, the lanes at once; the checkpoint moves once all of them are done.
TumblingWindowInSeconds: batches never span a window (by arrival time); each invocation gets the window, the state
the previous one returned (an answer without "state" is a failure) and a final invocation when the window ends (a
later record, or the window's end passed with the shard read); the checkpoint moves at each window's end, so a
restart replays the open window from a fresh state. An enhanced fan-out consumer's ARN reads its stream.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import uuid as uuids
import zlib
from dataclasses import dataclass, field
from typing import Any

from ... import safejson
from ...aws.errors import ServiceError
from ...patterns import EventPattern
from ...ports import DynamoDbStreams, KinesisReader, LambdaInvoker
from ...runtime import Runtime
from . import async_invoke, store, store_esm
from .errors import invalid
from .esm_common import failed_items, set_result
from .functions import parse_function_name
from .mappings import Mapping, compile_filters, source_kind

log = logging.getLogger("gureum.lambda.esm")
_IDLE_WAIT = 10.0  # Kinesis: longest wait for an arrival before reading again (the wake-up is the stream's commit)
_BACKOFF_FIRST, _BACKOFF_MOST = 0.05, 1.0  # DynamoDB streams (no arrival wake-up): sleeps doubling while idle
_RELIST_SECONDS = 60.0  # the shard list is read again when a shard ends, and at least this often
_RETRY_FIRST, _RETRY_MOST = 0.1, 5.0
_LIMITS = {"kinesis": 10_000, "dynamodb": 1_000}  # GetRecords' Limit per read
_MISSING = ("ResourceNotFoundException",)
_MAX_WINDOW_STATE = 1024 * 1024  # a tumbling window's state beyond this ends the window early (AWS: 1 MB per shard)
# a window that ended is closed this long after its end once the shard is read: a record stamped just before the end
# may be committed (so readable) a little later
_WINDOW_GRACE = 1.0


async def stream_exists(runtime: Runtime, account: str, region: str, arn: str) -> bool:
    """Whether the stream a mapping's EventSourceArn names exists (CreateEventSourceMapping's check)."""
    kind = source_kind(arn)
    if kind == "kinesis":
        reader = runtime.optional_port(KinesisReader)
        return reader is not None and await reader.shards(arn) is not None
    streams = runtime.optional_port(DynamoDbStreams)
    if streams is None or kind != "dynamodb":
        return False
    try:
        await streams.describe_stream(account, region, arn, None, None)
    except ServiceError:
        return False
    return True


async def check_stream(runtime: Runtime, account: str, region: str, arn: str) -> None:
    if not await stream_exists(runtime, account, region, arn):
        raise invalid(f"Stream not found: {arn}")


# --- the events ---------------------------------------------------------------------------------------------------


def _b64(raw: Any) -> str:
    return base64.b64encode(bytes(raw)).decode() if isinstance(raw, (bytes, bytearray, memoryview)) else str(raw)


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB attribute value as the JSON event carries it: binary values base64."""
    out: dict[str, Any] = {}
    for kind, inner in value.items():
        if kind == "B":
            out[kind] = _b64(inner)
        elif kind == "BS":
            out[kind] = [_b64(v) for v in inner]
        elif kind == "M":
            out[kind] = {k: _attribute(v) for k, v in inner.items()}
        elif kind == "L":
            out[kind] = [_attribute(v) for v in inner]
        else:
            out[kind] = inner
    return out


def kinesis_record(raw: dict[str, Any], shard_id: str, arn: str, role: str) -> dict[str, Any]:
    """One record of AWS's Kinesis event, from a GetRecords record."""
    arrival = raw["ApproximateArrivalTimestamp"]
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": raw["PartitionKey"],
            "sequenceNumber": raw["SequenceNumber"],
            "data": _b64(raw["Data"]),
            "approximateArrivalTimestamp": arrival.timestamp() if isinstance(arrival, dt.datetime) else arrival,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{raw['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role,
        "awsRegion": arn.split(":")[3],
        "eventSourceARN": arn,
    }


def dynamodb_record(raw: dict[str, Any], arn: str) -> dict[str, Any]:
    """One record of AWS's DynamoDB event, from a GetRecords record (binary values base64)."""
    change = dict(raw["dynamodb"])
    for member in ("Keys", "NewImage", "OldImage"):
        if member in change:
            change[member] = {k: _attribute(v) for k, v in change[member].items()}
    stamp = change.get("ApproximateCreationDateTime")
    if isinstance(stamp, dt.datetime):
        change["ApproximateCreationDateTime"] = float(int(stamp.timestamp()))
    out = {k: v for k, v in raw.items() if k != "userIdentity"}
    out["dynamodb"] = change
    out["eventSourceARN"] = arn
    if raw.get("userIdentity"):
        out["userIdentity"] = raw["userIdentity"]
    return out


def sequence_of(record: dict[str, Any]) -> str:
    return str(record["kinesis"]["sequenceNumber"] if "kinesis" in record else record["dynamodb"]["SequenceNumber"])


def arrival_of(record: dict[str, Any]) -> float:
    if "kinesis" in record:
        return float(record["kinesis"]["approximateArrivalTimestamp"])
    return float(record["dynamodb"]["ApproximateCreationDateTime"])


def passes(filters: list[EventPattern], record: dict[str, Any]) -> bool:
    """Whether a record matches any filter: a Kinesis record's data is matched as JSON when it is a JSON object
    (under "data", beside the record's metadata), a DynamoDB record as the event carries it
    (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html)."""
    if not filters:
        return True
    doc = dict(record)
    if "kinesis" in record:
        inner = dict(record["kinesis"])
        try:
            data = safejson.loads(base64.b64decode(inner["data"]))  # a producer's bytes: bounded
            if isinstance(data, dict):
                inner["data"] = data
        except ValueError:
            pass
        doc = {**doc, **inner, "kinesis": inner}
    return any(f.matches(doc) for f in filters)


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def failure_record(
    m: Mapping,
    shard_id: str,
    batch: list[dict[str, Any]],
    condition: str,
    invocations: int,
    response: dict[str, Any] | None,
    now: float,
) -> dict[str, Any]:
    """AWS's record of a batch given up on, as the OnFailure destination receives it."""
    response = response or {}
    info = {
        "shardId": shard_id,
        "startSequenceNumber": sequence_of(batch[0]),
        "endSequenceNumber": sequence_of(batch[-1]),
        "approximateArrivalOfFirstRecord": _iso(arrival_of(batch[0])),
        "approximateArrivalOfLastRecord": _iso(arrival_of(batch[-1])),
        "batchSize": len(batch),
        "streamArn": m.source_arn.partition("/consumer/")[0],  # a consumer's mapping names its stream
    }
    return {
        "requestContext": {
            "requestId": str(uuids.uuid4()),
            "functionArn": m.function_arn,
            "condition": condition,
            "approximateInvokeCount": invocations,
        },
        "responseContext": {
            "statusCode": response.get("StatusCode", 200) if response else 0,
            "executedVersion": response.get("ExecutedVersion", "$LATEST") if response else "",
            "functionError": response.get("FunctionError", "") if response else "",
        },
        "version": "1.0",
        "timestamp": _iso(now),
        "KinesisBatchInfo" if m.kind == "kinesis" else "DDBStreamBatchInfo": info,
    }


def lane_of(record: dict[str, Any], lanes: int) -> int:
    """Which of ``lanes`` concurrent lanes a record goes to: by its partition key (a DynamoDB item's keys), so that
    records of one key stay in order (ParallelizationFactor)."""
    if "kinesis" in record:
        key = str(record["kinesis"]["partitionKey"])
    else:
        key = json.dumps(record.get("dynamodb", {}).get("Keys"), sort_keys=True)
    return zlib.crc32(key.encode()) % lanes


def _window_iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Window:
    """One shard's tumbling window: its bounds (epoch seconds), the state its last invocation returned, the last
    record delivered in it (the checkpoint once the window ends)."""

    start: float
    end: float
    state: dict[str, Any] = field(default_factory=dict)
    last: str | None = None

    @classmethod
    def of(cls, arrival: float, seconds: float) -> Window:
        start = arrival - arrival % seconds
        return cls(start, start + seconds)

    def event(self, shard_id: str, source_arn: str, final: bool, early: bool) -> dict[str, Any]:
        """The members a windowed invocation adds to the event (beside Records)."""
        return {
            "window": {"start": _window_iso(self.start), "end": _window_iso(self.end)},
            "state": self.state,
            "shardId": shard_id,
            "eventSourceARN": source_arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": early,
        }


def state_of(payload: bytes) -> dict[str, Any] | None:
    """The "state" a windowed invocation answered; None when the answer has none (a failed invocation)."""
    try:
        doc = safejson.loads(payload.decode("utf-8", "replace"))  # the function's answer: bounded
    except ValueError:
        return None
    state = doc.get("state") if isinstance(doc, dict) else None
    return state if isinstance(state, dict) else None


# --- reading a stream ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ShardInfo:
    id: str
    parents: tuple[str, ...]
    closed: bool


@dataclass(slots=True)
class Read:
    records: list[dict[str, Any]]
    iterator: str | None  # None: the shard ended


class Source:
    """A stream through its port: shards, iterators, reads (as event records) and arrival wake-ups."""

    def __init__(self, runtime: Runtime, m: Mapping, role: str) -> None:
        self.runtime, self.m, self.role = runtime, m, role
        self.kind = m.kind
        self.account, self.region = m.source_arn.split(":")[4], m.source_arn.split(":")[3]

    async def shards(self) -> list[ShardInfo] | None:
        """The stream's shards; None when it does not exist; LookupError while its service has not started."""
        reader, streams = self.runtime.optional_port(KinesisReader), self.runtime.optional_port(DynamoDbStreams)
        if (reader if self.kind == "kinesis" else streams) is None:
            raise LookupError(self.kind)
        if reader is not None and self.kind == "kinesis":
            found = await reader.shards(self.m.source_arn)
        else:
            assert streams is not None
            try:
                described = await streams.describe_stream(self.account, self.region, self.m.source_arn, None, None)
            except ServiceError as error:
                if error.code in _MISSING:
                    return None
                raise
            found = described["StreamDescription"]["Shards"]
        if found is None:
            return None
        return [
            ShardInfo(
                s["ShardId"],
                tuple(p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p),
                "EndingSequenceNumber" in (s.get("SequenceNumberRange") or {}),
            )
            for s in found
        ]

    async def iterator(self, shard_id: str, kind: str, sequence: str | None, at: float | None) -> str:
        if self.kind == "kinesis":
            reader = self.runtime.port(KinesisReader)
            return await reader.shard_iterator(self.m.source_arn, shard_id, kind, sequence, at)
        got = await self.runtime.port(DynamoDbStreams).get_shard_iterator(
            self.account, self.region, self.m.source_arn, shard_id, kind, sequence
        )
        return str(got["ShardIterator"])

    async def read(self, shard_id: str, iterator: str, limit: int) -> Read:
        limit = min(limit, _LIMITS[self.kind])
        if self.kind == "kinesis":
            out = await self.runtime.port(KinesisReader).get_records(iterator, limit)
            records = [kinesis_record(r, shard_id, self.m.source_arn, self.role) for r in out["Records"]]
        else:
            out = await self.runtime.port(DynamoDbStreams).get_records(iterator, limit)
            records = [dynamodb_record(r, self.m.source_arn) for r in out["Records"]]
        return Read(records, out.get("NextShardIterator"))

    def arrival(self) -> asyncio.Event | None:
        """An event set when records next arrive (Kinesis); None where the stream offers no wake-up."""
        if self.kind != "kinesis":
            return None
        event = self.runtime.port(KinesisReader).arrival(self.m.source_arn)
        return event if isinstance(event, asyncio.Event) else None


@dataclass(slots=True)
class Outcome:
    """One invocation: ok, the index of the first failed item (ReportBatchItemFailures), the Invoke output."""

    ok: bool
    first_failed: int | None = None
    response: dict[str, Any] = field(default_factory=dict)


class StreamPoller:
    """Reads one mapping's stream, shard by shard in order, until stopped."""

    def __init__(self, runtime: Runtime, invoker: LambdaInvoker, mapping: Mapping) -> None:
        self.runtime = runtime
        self.invoker = invoker
        self.mapping = mapping
        self.key = mapping.settings_key()
        self.filters = compile_filters(mapping.config.get("FilterCriteria"))
        self.result = mapping.config.get("LastProcessingResult")
        self.workers: dict[str, asyncio.Task[None]] = {}
        self.finished: set[str] = set()
        self.changed = asyncio.Event()  # a shard ended: list the shards again
        self.task = runtime.spawn(self._run(), f"lambda-esm-{mapping.uuid[:8]}")

    def stop(self) -> None:
        self.task.cancel()
        for worker in self.workers.values():
            worker.cancel()

    # --- shards ---------------------------------------------------------------------------------------------------

    async def _role(self) -> str:
        ref = parse_function_name(self.mapping.function_arn)
        m = self.mapping
        fn = await self.runtime.store.read(lambda tx: store.get_function(tx, m.account, m.region, ref.name))
        return fn.role if fn is not None else ""

    async def _run(self) -> None:
        m = self.mapping
        source = Source(self.runtime, m, await self._role())
        saved = await self.runtime.store.read(lambda tx: store_esm.checkpoints(tx, m.uuid))
        self.finished = {shard for shard, (_seq, done) in saved.items() if done}
        while True:
            self.changed.clear()
            try:
                shards = await source.shards()
            except asyncio.CancelledError:
                raise
            except LookupError:  # the stream's service has not started yet
                shards = []
                wait = 0.2
            except Exception:
                log.exception("event source mapping %s: listing the stream's shards failed", m.uuid)
                shards, wait = [], 1.0
            else:
                wait = _RELIST_SECONDS if shards is not None else 5.0
            if shards is None:
                await self._report("PROBLEM: Stream not found")
            else:
                self._start_ready(source, shards, saved)
            try:
                await asyncio.wait_for(self.changed.wait(), wait)
            except TimeoutError:
                pass
            saved = await self.runtime.store.read(lambda tx: store_esm.checkpoints(tx, m.uuid))

    def _start_ready(self, source: Source, shards: list[ShardInfo], saved: dict[str, tuple[str, bool]]) -> None:
        """Start a worker for every shard not read to its end whose parents were (parents still listed only)."""
        listed = {s.id for s in shards}
        for shard in shards:
            if shard.id in self.finished or shard.id in self.workers:
                continue
            if any(p in listed and p not in self.finished for p in shard.parents):
                continue
            checkpoint = saved.get(shard.id)
            child = any(p in listed for p in shard.parents)
            self.workers[shard.id] = self.runtime.spawn(
                self._shard(source, shard, checkpoint[0] if checkpoint else None, child),
                f"lambda-esm-{self.mapping.uuid[:8]}-{shard.id[-4:]}",
            )

    async def _start_iterator(self, source: Source, shard: ShardInfo, after: str | None, child: bool) -> str | None:
        """Where the shard is read from: after its checkpoint, else its start (children and TRIM_HORIZON), else the
        mapping's starting position (LATEST on Kinesis reads from the mapping's creation, so no record put after
        CreateEventSourceMapping answered is missed, even across a restart). None: nothing to read."""
        c = self.mapping.config
        if after:
            try:
                return await source.iterator(shard.id, "AFTER_SEQUENCE_NUMBER", after, None)
            except ServiceError as error:
                log.info("event source mapping %s: checkpoint of %s unusable (%s)", self.mapping.uuid, shard.id, error)
            return await source.iterator(shard.id, "TRIM_HORIZON", None, None)
        position = "TRIM_HORIZON" if child else c.get("StartingPosition", "LATEST")
        if position == "AT_TIMESTAMP":
            return await source.iterator(shard.id, "AT_TIMESTAMP", None, float(c["StartingPositionTimestamp"]))
        if position == "LATEST" and source.kind == "kinesis":
            if shard.closed:
                return None
            return await source.iterator(shard.id, "AT_TIMESTAMP", None, float(c["LastModified"]))
        return await source.iterator(shard.id, position, None, None)

    async def _shard(self, source: Source, shard: ShardInfo, after: str | None, child: bool) -> None:
        m = self.mapping
        c = m.config
        try:
            iterator = await self._start_iterator(source, shard, after, child)
            if c.get("TumblingWindowInSeconds"):
                await self._windowed(source, shard.id, iterator, after)
                iterator = None  # read to its end, window by window
            lanes = max(1, int(c.get("ParallelizationFactor") or 1))
            last = after
            while iterator is not None:
                batch, iterator = await self._fill(source, shard.id, iterator, int(c["BatchSize"]) * lanes)
                if batch:
                    await self._deliver_lanes(shard.id, batch, lanes)
                    last = sequence_of(batch[-1])
                if batch or iterator is None:
                    await self._checkpoint(shard.id, last or "", iterator is None)
            self.finished.add(shard.id)
        except asyncio.CancelledError:
            raise
        except ServiceError as error:
            await self._report(f"PROBLEM: {error.code}: {error.message}")
            await asyncio.sleep(5.0)
        except Exception:
            log.exception("event source mapping %s: reading %s failed", m.uuid, shard.id)
            await asyncio.sleep(1.0)
        finally:
            self.workers.pop(shard.id, None)
            self.changed.set()

    async def _windowed(self, source: Source, shard_id: str, iterator: str | None, after: str | None) -> None:
        """Read the shard in tumbling windows (TumblingWindowInSeconds) to its end; batches run one at a time."""
        c, clock = self.mapping.config, self.runtime.clock
        seconds, size = float(c["TumblingWindowInSeconds"]), int(c["BatchSize"])
        window: Window | None = None
        last = after
        while iterator is not None:
            stop = window.end + _WINDOW_GRACE if window else None
            batch, iterator = await self._fill(source, shard_id, iterator, size, stop)
            start = 0
            while start < len(batch):  # runs of records of one window
                opened = Window.of(arrival_of(batch[start]), seconds)
                end = start + 1
                while end < len(batch) and Window.of(arrival_of(batch[end]), seconds).start == opened.start:
                    end += 1
                if window is not None and window.start != opened.start:
                    await self._close_window(shard_id, window, False)
                    last = window.last or last
                    await self._checkpoint(shard_id, last or "", False)
                    window = None
                window = window or opened
                await self._deliver(shard_id, batch[start:end], window)
                window.last = sequence_of(batch[end - 1])
                start = end
            caught_up = len(batch) < size  # anything else of an ended window is already in the shard
            if window is not None and (iterator is None or (caught_up and clock.now() >= window.end + _WINDOW_GRACE)):
                await self._close_window(shard_id, window, False)
                last, window = window.last or last, None
                await self._checkpoint(shard_id, last or "", iterator is None)
            elif iterator is None:
                await self._checkpoint(shard_id, last or "", True)

    async def _close_window(self, shard_id: str, window: Window, early: bool) -> None:
        """The window's final invocation (no records, its state, isFinalInvokeForWindow): retried until it succeeds
        (AWS holds the shard until then); the window's state is dropped after it."""
        failures = 0
        while True:
            outcome = await self._invoke([], window, shard_id, final=True, early=early)
            if outcome is not None and outcome.ok:
                await self._report("OK")
                break
            if outcome is not None:
                failures += 1
                await self._report("PROBLEM: Function call failed")
                await asyncio.sleep(min(_RETRY_MOST, _RETRY_FIRST * 2 ** (failures - 1)))
        window.state = {}

    async def _deliver_lanes(self, shard_id: str, records: list[dict[str, Any]], lanes: int) -> None:
        """ParallelizationFactor: the records spread over ``lanes`` by key, each lane's batches in order, the lanes
        at once."""
        if lanes <= 1:
            await self._deliver(shard_id, records)
            return
        size = int(self.mapping.config["BatchSize"])
        by_lane: dict[int, list[dict[str, Any]]] = {}
        for record in records:
            by_lane.setdefault(lane_of(record, lanes), []).append(record)

        async def run(lane: list[dict[str, Any]]) -> None:
            for i in range(0, len(lane), size):
                await self._deliver(shard_id, lane[i : i + size])

        await asyncio.gather(*(run(lane) for lane in by_lane.values()))

    async def _checkpoint(self, shard_id: str, sequence: str, finished: bool) -> None:
        uuid = self.mapping.uuid
        await self.runtime.store.write(lambda tx: store_esm.save_checkpoint(tx, uuid, shard_id, sequence, finished))

    async def _fill(
        self, source: Source, shard_id: str, iterator: str, size: int, stop_at: float | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A batch: read until ``size`` records, or the batching window after the first record passes, or the end
        of the shard, or (caught up) the time ``stop_at`` (epoch seconds: a tumbling window's end); wait for
        arrivals (or back off) while there is nothing. Returns (records, next iterator)."""
        c, clock = self.mapping.config, self.runtime.clock
        window = float(c["MaximumBatchingWindowInSeconds"])
        batch: list[dict[str, Any]] = []
        deadline: float | None = None
        backoff = _BACKOFF_FIRST
        while True:
            arrived = source.arrival()
            wanted = size - len(batch)
            try:
                got = await source.read(shard_id, iterator, wanted)
            except ServiceError as error:
                if error.code != "ExpiredIteratorException":
                    if error.code == "ProvisionedThroughputExceededException":
                        await asyncio.sleep(1.0)
                        continue
                    raise
                last = sequence_of(batch[-1]) if batch else None
                iterator = await (
                    source.iterator(shard_id, "AFTER_SEQUENCE_NUMBER", last, None)
                    if last
                    else source.iterator(shard_id, "TRIM_HORIZON", None, None)
                )
                continue
            batch += got.records
            if got.iterator is None or len(batch) >= size:
                return batch, got.iterator
            iterator = got.iterator
            now = clock.monotonic()
            if batch:
                deadline = now + window if deadline is None else deadline
                if now >= deadline:
                    return batch, iterator
            if got.records and len(got.records) >= min(wanted, _LIMITS[source.kind]):
                continue  # more may be waiting
            wait = deadline - now if deadline is not None else _IDLE_WAIT
            if stop_at is not None:
                left = stop_at - clock.now()
                if left <= 0:
                    return batch, iterator
                wait = min(wait, left)
            if arrived is None:
                wait = min(wait, backoff)
                backoff = min(backoff * 2, _BACKOFF_MOST) if not got.records else _BACKOFF_FIRST
            else:
                wait = min(wait, _IDLE_WAIT)
            if arrived is None:
                await asyncio.sleep(wait)
            else:
                try:
                    await asyncio.wait_for(arrived.wait(), wait)
                except TimeoutError:
                    pass

    # --- invoking ---------------------------------------------------------------------------------------------------

    async def _deliver(self, shard_id: str, records: list[dict[str, Any]], window: Window | None = None) -> None:
        """Invoke with the batch (what the filters keep) until it succeeds or is given up on; in a tumbling window,
        with the window's state (a state past 1 MB ends the window early: a final invocation, then a fresh state)."""
        c = self.mapping.config
        kept = [r for r in records if passes(self.filters, r)]
        pending = [kept] if kept else []
        retries, max_age = int(c.get("MaximumRetryAttempts", -1)), int(c.get("MaximumRecordAgeInSeconds", -1))
        bisect = bool(c.get("BisectBatchOnFunctionError"))
        while pending:
            batch = pending.pop(0)
            invocations = 0
            while batch:
                now = self.runtime.clock.now()
                if max_age != -1 and now - arrival_of(batch[0]) > max_age:
                    await self._give_up(shard_id, batch, "RecordAgeExceeded", invocations, None)
                    break
                outcome = await self._invoke(batch, window, shard_id)
                if window is not None and outcome is not None and outcome.ok:
                    if len(json.dumps(window.state)) > _MAX_WINDOW_STATE:
                        await self._close_window(shard_id, window, True)
                if outcome is None:  # not invoked (throttled, or the function unusable): try again, uncounted
                    continue
                invocations += 1
                if outcome.ok and outcome.first_failed is None:
                    await self._report("OK")
                    break
                if outcome.ok:  # some items failed: retry from the first of them
                    batch = batch[outcome.first_failed :]
                elif bisect and len(batch) > 1:
                    half = len(batch) // 2
                    pending[:0] = [batch[:half], batch[half:]]
                    await self._report("PROBLEM: Function call failed")
                    break
                await self._report("PROBLEM: Function call failed")
                if retries != -1 and invocations > retries:
                    await self._give_up(shard_id, batch, "RetryAttemptsExhausted", invocations, outcome.response)
                    break
                await asyncio.sleep(min(_RETRY_MOST, _RETRY_FIRST * 2 ** (invocations - 1)))

    async def _invoke(
        self,
        batch: list[dict[str, Any]],
        window: Window | None = None,
        shard_id: str = "",
        final: bool = False,
        early: bool = False,
    ) -> Outcome | None:
        m = self.mapping
        doc: dict[str, Any] = {"Records": batch}
        if window is not None:
            doc.update(window.event(shard_id, m.source_arn, final, early))
        payload = json.dumps(doc).encode()
        try:
            out = await self.invoker.invoke(m.account, m.region, m.function_arn, payload)
        except ServiceError as error:
            if error.status == 429:
                await asyncio.sleep(0.5)
            else:
                await self._report(f"PROBLEM: {error.code}: {error.message}")
                await asyncio.sleep(1.0)
            return None
        if out.get("FunctionError"):
            return Outcome(False, None, out)
        if window is not None:
            state = state_of(bytes(out.get("Payload") or b""))
            if state is None:  # a windowed function must answer its state
                return Outcome(False, None, out)
            if not final:
                window.state = state
        if "ReportBatchItemFailures" not in (m.config.get("FunctionResponseTypes") or []) or not batch:
            return Outcome(True, None, out)
        sequences = [sequence_of(r) for r in batch]
        failed = failed_items(bytes(out.get("Payload") or b""), set(sequences))
        if failed is None:
            return Outcome(False, None, out)
        if not failed:
            return Outcome(True, None, out)
        return Outcome(True, min(i for i, seq in enumerate(sequences) if seq in failed), out)

    async def _give_up(
        self, shard_id: str, batch: list[dict[str, Any]], condition: str, invocations: int, response: Any
    ) -> None:
        """The batch is skipped; its record goes to the OnFailure destination, if any."""
        m = self.mapping
        target = ((m.config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if not target:
            return
        record = failure_record(m, shard_id, batch, condition, invocations, response, self.runtime.clock.now())
        delivery = self.runtime.delivery
        await self.runtime.store.write(lambda tx: async_invoke.send_record(delivery, tx, target, record))

    async def _report(self, result: str) -> None:
        """LastProcessingResult, written only when it changes."""
        if result != self.result:
            self.result = result
            await self.runtime.store.write(lambda tx: set_result(tx, self.mapping.uuid, result))
