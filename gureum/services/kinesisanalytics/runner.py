"""Running applications: on the leader node only (store.is_leader), one AppRunner per STARTING or RUNNING
application reads its input (a Kinesis stream through the KinesisReader port, one reader per shard, or a Firehose
delivery stream through the FirehoseTap port, released once emitted from), runs the
Lambda preprocessor (AWS's record contract), parses records into rows (errors to the in-application error stream),
evaluates the pumps (engine.py, in the application's worker thread) and commits what came out in ONE transaction:
the output records enqueued (delivery kinds "kinesis", "firehose", "lambda"; the CloudWatch logging option gets the
error rows and the deliveries that failed for good through "logs"), each pump's progress (the last input
sequence it emitted from, the end of its last window, the rows its windows keep that the input cannot give again)
and the live view's latest rows. A restart (or a new leader)
resumes from that progress: every window is emitted once, and no input row is counted twice."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ...delivery import DeadLetter
from ...ports import FirehoseTap, KinesisReader, LambdaInvoker, S3Objects
from ...runtime import Runtime
from ...store.base import Tx
from . import outputs, store
from .applications import ERROR_STREAM, READY, RUNNING, STARTING, STOPPING, App
from .backend import AnalyticsBackend
from .engine import Emission, Engine
from .program import Compiled, compile_code
from .schema import RecordParser, RowError

log = logging.getLogger("gureum.kinesisanalytics")
T = TypeVar("T")
_LEADER_ROLE = "kinesisanalytics-run"
_READ_LIMIT = 10_000
_IDLE_WAIT = 1.0
_QUEUE = 8


@dataclass(slots=True)
class Batch:
    stream: str  # the in-application stream the shard feeds
    shard: str
    records: list[dict[str, Any]]
    source_arn: str
    firehose: bool = False


@dataclass(slots=True)
class Outbound:
    deliveries: list[tuple[str, str, dict[str, Any], DeadLetter | None]] = field(default_factory=list)
    latest: dict[str, list[tuple[float, str]]] = field(default_factory=dict)


class AppRunner:
    """Runs one application until cancelled."""

    def __init__(self, runtime: Runtime, be: AnalyticsBackend, app: App) -> None:
        self.runtime, self.be, self.app = runtime, be, app
        self.version = app.version
        self.queue: asyncio.Queue[Batch] = asyncio.Queue(_QUEUE)
        self.pool = ThreadPoolExecutor(1, thread_name_prefix=f"kda-{app.id}")
        self.engine: Engine | None = None
        self.compiled: Compiled | None = None
        self.readers: list[asyncio.Task[None]] = []
        # delivery stream → ([(pseudo-shard, the pumps reading its in-application stream)], released through)
        self.taps: dict[str, tuple[list[tuple[str, list[str]]], int]] = {}
        self.task = runtime.spawn(self._run(), f"kinesisanalytics-{app.id}")

    async def stop(self) -> None:
        for reader in self.readers:
            reader.cancel()
        self.task.cancel()
        try:
            await self.task
        except (asyncio.CancelledError, Exception):
            pass
        engine = self.engine
        if engine is not None:
            await asyncio.get_running_loop().run_in_executor(self.pool, engine.close)
        self.pool.shutdown(wait=False)

    async def _thread(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def _now_ms(self) -> int:
        return int(self.runtime.clock.now() * 1000)

    async def _run(self) -> None:
        app = self.app
        try:
            compiled = await self._thread(compile_code, app.config)
            self.compiled = compiled
            references = await self._references(compiled)
            through, ends, history = await self.runtime.store.read(lambda tx: store.progress(tx, app.id))
            self.engine = await self._thread(
                lambda: Engine(compiled.program, compiled.plans, compiled.sources, references, through, ends, history)
            )
        except Exception as error:  # the code was validated; a failure here is reported, not retried in a loop
            log.exception("Kinesis Analytics %s failed to start", app.name)
            await self.runtime.store.write(lambda tx: store.set_status(tx, app.id, READY, (STARTING, RUNNING)))
            raise RuntimeError(str(error)) from error
        if app.status == STARTING:
            await self.runtime.store.write(lambda tx: store.set_status(tx, app.id, RUNNING, (STARTING,)))
        for item in app.inputs:
            arn = (item.get("KinesisStreamsInputDescription") or {}).get("ResourceARN")
            hose = (item.get("KinesisFirehoseInputDescription") or {}).get("ResourceARN")
            if arn:
                self.readers.append(self.runtime.spawn(self._read_stream(item, arn, through), f"kda-in-{app.id}"))
            elif hose:
                self.readers.append(self.runtime.spawn(self._read_hose(item, hose, through), f"kda-in-{app.id}"))
        await self._loop()

    async def _references(self, compiled: Compiled) -> dict[str, tuple[list[tuple[str, str]], list[Any]]]:
        out: dict[str, tuple[list[tuple[str, str]], list[Any]]] = {}
        s3 = self.runtime.optional_port(S3Objects)
        for item in self.app.references:
            table = str(item["TableName"])
            described = item["S3ReferenceDataSourceDescription"]
            rows: list[Any] = []
            try:
                if s3 is None:
                    raise RuntimeError("S3 is not served")
                bucket = str(described["BucketARN"]).rsplit(":", 1)[-1]
                body = await s3.get_object(self.app.account, self.app.region, bucket, described["FileKey"])
                parser = RecordParser(item["ReferenceSchema"])
                if parser.kind == "JSON":
                    for line in body.splitlines():
                        if line.strip():
                            rows += parser.rows(line)
                else:
                    rows = parser.rows(body)
            except Exception as error:
                log.warning("Kinesis Analytics %s: reference data %s not loaded: %s", self.app.name, table, error)
            out[table] = (compiled.reference_columns[table], rows)
        return out

    # --- input -------------------------------------------------------------------------------------------------

    async def _read_stream(self, item: dict[str, Any], arn: str, through: dict[str, dict[str, int]]) -> None:
        reader = self.runtime.optional_port(KinesisReader)
        while reader is None:
            await asyncio.sleep(0.5)
            reader = self.runtime.optional_port(KinesisReader)
        shards = None
        while shards is None:
            shards = await reader.shards(arn)
            if shards is None:
                await asyncio.sleep(1.0)
        names = [n.upper() for n in item["InAppStreamNames"]]
        compiled = self.compiled
        readers_of = {n: [p.name for p in compiled.plans if p.source == n] for n in names} if compiled else {}
        tasks = []
        for index, sh in enumerate(sorted(shards, key=lambda s: s["ShardId"])):
            stream = names[index % len(names)]
            shard = sh["ShardId"]
            pumps = readers_of.get(stream, [])
            done = [through.get(p, {}).get(shard) for p in pumps]
            after = min(d for d in done if d is not None) if pumps and all(d is not None for d in done) else None
            tasks.append(self.runtime.spawn(self._read_shard(reader, arn, shard, stream, after), f"kda-{shard}"))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()

    async def _read_hose(self, item: dict[str, Any], arn: str, through: dict[str, dict[str, int]]) -> None:
        """A delivery stream's records through the tap: with InputParallelism n, record sequence s feeds in-application
        stream s mod n (one reader each, as pseudo-shards "firehose-i")."""
        tap = self.runtime.optional_port(FirehoseTap)
        while tap is None:
            await asyncio.sleep(0.5)
            tap = self.runtime.optional_port(FirehoseTap)
        names = [n.upper() for n in item["InAppStreamNames"]]
        compiled = self.compiled
        shards = [f"firehose-{i}" for i in range(len(names))]
        fed = [
            (s, [p.name for p in compiled.plans if p.source == n] if compiled else []) for s, n in zip(shards, names)
        ]
        self.taps[arn] = (fed, -1)
        tasks = []
        for index, (stream, (shard, readers)) in enumerate(zip(names, fed, strict=True)):
            done = [through.get(p, {}).get(shard) for p in readers]
            after = min(d for d in done if d is not None) if readers and all(d is not None for d in done) else None
            tasks.append(self.runtime.spawn(self._read_tap(tap, arn, shard, stream, after, index, len(names)), shard))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()

    async def _read_tap(
        self, tap: FirehoseTap, arn: str, shard: str, stream: str, after: int | None, index: int, count: int
    ) -> None:
        read_from = 0.0 if after is not None else float(self.app.config.get("ReadFrom") or 0)
        position = after or 0
        while True:
            arrived = tap.arrival(arn)
            got = await tap.read(arn, position, _READ_LIMIT)
            if got is None:  # the delivery stream is gone (or being made again)
                await asyncio.sleep(_IDLE_WAIT)
                continue
            if got:
                position = got[-1][0]
                mine = [
                    {"SequenceNumber": seq, "Data": data, "ApproximateArrivalTimestamp": at, "PartitionKey": ""}
                    for seq, at, data in got
                    if seq % count == index and at >= read_from
                ]
                if mine:
                    await self.queue.put(Batch(stream, shard, mine, arn, firehose=True))
                continue
            try:
                await asyncio.wait_for(arrived.wait(), _IDLE_WAIT)
            except TimeoutError:
                pass

    async def _release(self) -> None:
        """Tell each delivery stream's tap what every pump has emitted from (it keeps nothing older for us)."""
        engine, tap = self.engine, self.runtime.optional_port(FirehoseTap)
        if engine is None or tap is None:
            return
        for arn, (fed, released) in list(self.taps.items()):
            done = [engine.through.get(p, {}).get(shard) for shard, pumps in fed for p in pumps]
            if not done or any(d is None for d in done):
                continue
            through = min(d for d in done if d is not None)
            if through > released:
                await tap.release(arn, self.app.arn, through)
                self.taps[arn] = (fed, through)

    async def _read_shard(self, reader: KinesisReader, arn: str, shard: str, stream: str, after: int | None) -> None:
        read_from = float(self.app.config.get("ReadFrom") or 0)
        if after is not None:
            iterator = await reader.shard_iterator(arn, shard, "AFTER_SEQUENCE_NUMBER", str(after), None)
        elif read_from:
            iterator = await reader.shard_iterator(arn, shard, "AT_TIMESTAMP", None, read_from)
        else:
            iterator = await reader.shard_iterator(arn, shard, "TRIM_HORIZON", None, None)
        current: str | None = iterator
        while current:
            arrived = reader.arrival(arn)
            got = await reader.get_records(current, _READ_LIMIT)
            records = got.get("Records") or []
            current = got.get("NextShardIterator")
            if records:
                await self.queue.put(Batch(stream, shard, records, arn))
            else:
                try:
                    await asyncio.wait_for(arrived.wait(), _IDLE_WAIT)
                except TimeoutError:
                    pass

    # --- evaluation ----------------------------------------------------------------------------------------------

    async def _loop(self) -> None:
        engine = self.engine
        assert engine is not None
        while True:
            due = await self._thread(engine.next_close)
            wait = _IDLE_WAIT if due is None else max(0.0, (due - self._now_ms()) / 1000)
            batch: Batch | None = None
            try:
                batch = await asyncio.wait_for(self.queue.get(), min(wait, _IDLE_WAIT))
            except TimeoutError:
                pass
            out = Emission()
            if batch is not None:
                records = await self._preprocess(batch, out)
                await self._thread(self._ingest, batch, records, out)
            await self._thread(engine.tick, self._now_ms(), out)
            if not out.empty():
                await self._commit(out)
                if self.taps and out.through:
                    await self._release()

    async def _preprocess(self, batch: Batch, out: Emission) -> list[tuple[int, bytes]]:
        """(sequence, data) of the batch's records after the input's Lambda preprocessor, if any."""
        records = [(int(r["SequenceNumber"]), bytes(r["Data"])) for r in batch.records]
        item = self.app.inputs[0] if self.app.inputs else {}
        function = ((item.get("InputProcessingConfigurationDescription") or {}).get(
            "InputLambdaProcessorDescription") or {}).get("ResourceARN")  # fmt: skip
        invoker = self.runtime.optional_port(LambdaInvoker)
        if not function or invoker is None:
            return records
        event = {
            "invocationId": f"{self.app.id}-{batch.shard}-{records[0][0]}",
            "applicationArn": self.app.arn,
            "streamArn": batch.source_arn,
            "records": [
                {"recordId": str(seq), **_metadata(batch, seq, r), "data": base64.b64encode(data).decode()}
                for (seq, data), r in zip(records, batch.records, strict=True)
            ],
        }
        now = self._now_ms()
        try:
            result = await invoker.invoke(self.app.account, self.app.region, function, json.dumps(event).encode())
            if result.get("FunctionError"):
                raise RuntimeError(f"the function failed: {bytes(result.get('Payload') or b'')[:200]!r}")
            answered = {str(r.get("recordId")): r for r in json.loads(result.get("Payload") or b"{}")["records"]}
        except Exception as error:
            for _seq, data in records:
                engine = self.engine
                assert engine is not None
                engine.error(now, "Lambda_Processing_Failed", str(error), _b64(data), "", out)
            return []
        kept = []
        for seq, data in records:
            got = answered.get(str(seq))
            result_code = got.get("result") if got else None
            if result_code == "Ok":
                kept.append((seq, base64.b64decode(got.get("data") or "") if got else b""))
            elif result_code != "Dropped":
                engine = self.engine
                assert engine is not None
                name = "Lambda_Processing_Failed" if result_code == "ProcessingFailed" else "Lambda_Invalid_Response"
                engine.error(
                    now, name, f"record {seq}: {result_code or 'missing in the response'}", _b64(data), "", out
                )
        return kept

    def _ingest(self, batch: Batch, records: list[tuple[int, bytes]], out: Emission) -> None:
        engine, compiled = self.engine, self.compiled
        assert engine is not None and compiled is not None
        parser = self._parser()
        now = self._now_ms()
        rows: list[tuple[Any, ...]] = []
        positions: list[tuple[str, int]] = []
        for seq, data in records:
            try:
                got = parser.rows(data)
            except RowError as error:
                engine.error(now, "Parse_Failed", str(error), _b64(data), "", out)
                continue
            rows += got
            positions += [(batch.shard, seq)] * len(got)
        last = {batch.shard: int(batch.records[-1]["SequenceNumber"])}
        engine.ingest(batch.stream, now, rows, positions, out, read=last)

    def _parser(self) -> RecordParser:
        parser = getattr(self, "_record_parser", None)
        if parser is None:
            parser = RecordParser(self.app.inputs[0]["InputSchema"])
            self._record_parser = parser
        return parser

    def _outbound(self, out: Emission) -> Outbound:
        engine = self.engine
        assert engine is not None
        result = Outbound()
        logs = [t for t in map(outputs.log_target, self.app.config.get("Logging") or []) if t is not None]
        for stream, rows in out.rows.items():
            columns = [c for c, _t in engine.columns.get(stream, [])]
            values = [r for _t, r in rows]
            for output in self.app.outputs:
                if str(output["Name"]).upper() == stream.upper() or (
                    stream == ERROR_STREAM and str(output["Name"]).lower() == ERROR_STREAM
                ):
                    letters: dict[str, DeadLetter | None] = {}
                    for kind, address, payload in outputs.deliveries(output, columns, values, self.app.arn):
                        if address not in letters:
                            letters[address] = self._failed_letter(logs, output, address)
                        result.deliveries.append((kind, address, payload, letters[address]))
            if stream == ERROR_STREAM:
                for group, log_stream in logs:
                    events = [{"timestamp": t, "message": self._error_message(r)} for t, r in rows]
                    payload = {"stream": log_stream, "events": events, "create_group": False}
                    result.deliveries.append(("logs", group, payload, None))
            result.latest[stream] = [(t / 1000, outputs.as_json(columns, r)) for t, r in rows[-store.LATEST_ROWS :]]
        return result

    def _error_message(self, row: tuple[Any, ...]) -> str:
        """An error stream row (ERROR_TIME, ERROR_LEVEL, ERROR_NAME, MESSAGE, DATA_ROWTIME, DATA_ROW, PUMP_NAME) as
        the logging option's message."""
        name, message, data, pump = row[2], row[3], row[5], row[6]
        code = "InputProcessingError" if str(name).startswith("Lambda_") else "InputError"
        extra: dict[str, Any] = {"inputId": self.app.inputs[0]["InputId"]} if self.app.inputs and not pump else {}
        if pump:
            code, extra = "PumpError", {"pumpName": pump}
        return outputs.log_message(self.app.arn, self.version, code, f"{name}: {message}", **extra, dataRow=data)

    def _failed_letter(self, logs: list[tuple[str, str]], output: dict[str, Any], address: str) -> DeadLetter | None:
        """Where an output delivery that failed for good is told: the first logging option."""
        if not logs:
            return None
        group, log_stream = logs[0]
        message = outputs.log_message(
            self.app.arn, self.version, "OutputError",
            f"Delivery of the application's output {output['Name']} to {address} failed",
            outputId=output.get("OutputId", ""),
        )  # fmt: skip
        event = {"timestamp": self._now_ms(), "message": message}
        return DeadLetter("logs", group, {"stream": log_stream, "events": [event], "create_group": False})

    async def _commit(self, out: Emission) -> None:
        outbound = await self._thread(self._outbound, out)
        app_id, app_arn = self.app.id, self.app.arn
        delivery = self.runtime.delivery

        def run(tx: Tx) -> None:
            if not store.save_progress(tx, app_id, out.through, out.window_ends, out.history, out.cuts, out.replace):
                log.warning("Kinesis Analytics %s: a window was already emitted (another node?)", self.app.name)
                return
            for kind, address, payload, letter in outbound.deliveries:
                delivery.enqueue(tx, kind, address, payload, dead_letter=letter, source=app_arn)
            for stream, rows in outbound.latest.items():
                store.add_latest(tx, app_id, stream, rows)

        await self.runtime.store.write(run)


def _metadata(batch: Batch, seq: int, record: dict[str, Any]) -> dict[str, Any]:
    """The record's metadata member in the preprocessor's event (AWS's two shapes)."""
    arrived = int(_seconds(record["ApproximateArrivalTimestamp"]) * 1000)
    if batch.firehose:
        return {"kinesisFirehoseRecordMetadata": {"approximateArrivalTimestamp": arrived}}
    return {
        "kinesisStreamRecordMetadata": {
            "sequenceNumber": str(seq),
            "partitionKey": record["PartitionKey"],
            "shardId": batch.shard,
            "approximateArrivalTimestamp": arrived,
        }
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _seconds(value: Any) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


def _settle(app_id: int) -> Callable[[Tx], bool]:
    return lambda tx: store.set_status(tx, app_id, READY, (STOPPING,))


class Runners:
    """Keeps one AppRunner per STARTING/RUNNING application while this node leads; settles STOPPING ones."""

    def __init__(self, runtime: Runtime, be: AnalyticsBackend) -> None:
        self.runtime, self.be = runtime, be
        self.running: dict[int, AppRunner] = {}

    async def run(self) -> None:
        self.runtime.store.subscribe(store.CHANNEL, lambda _payload: self.be.wake.set())
        while True:
            self.be.wake.clear()
            try:
                if await self.runtime.store.is_leader(_LEADER_ROLE):
                    await self._sync()
                else:
                    await self._stop_all()
            except asyncio.CancelledError:
                await self._stop_all()
                raise
            except Exception:
                log.exception("Kinesis Analytics runner pass failed")
            try:
                await asyncio.wait_for(self.be.wake.wait(), 0.5)
            except TimeoutError:
                pass

    async def _sync(self) -> None:
        found = await self.runtime.store.read(lambda tx: store.with_status(tx, (STARTING, RUNNING, STOPPING)))
        wanted = {a.id: a for a in found if a.status != STOPPING}
        for app_id in list(self.running):
            runner = self.running[app_id]
            app = wanted.get(app_id)
            if app is None or app.version != runner.version or runner.task.done():
                await self.running.pop(app_id).stop()
        for app in found:
            if app.status == STOPPING:
                await self.runtime.store.write(_settle(app.id))
        for app_id, app in wanted.items():
            if app_id not in self.running:
                self.running[app_id] = AppRunner(self.runtime, self.be, app)

    async def _stop_all(self) -> None:
        for runner in self.running.values():
            await runner.stop()
        self.running.clear()
