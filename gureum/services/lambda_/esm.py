"""Event source mappings for SQS: the mapping as stored (and its SQL), AWS's SQS event, and the pollers.

One poller per Enabled mapping runs on the leader node (``store.is_leader``), which also moves mappings through
AWS's states (Creating → Enabled | Disabled, Enabling, Disabling, Updating, Deleting → gone). A poller receives
through the "sqs.consumer" port (SQS's own receive: receive counts, redrive, FIFO group blocking) with the queue's
visibility timeout, fills a batch (BatchSize, MaximumBatchingWindowInSeconds), drops and deletes the messages no
filter matches, and invokes the function once per batch (once per message group on FIFO queues), at most
ScalingConfig.MaximumConcurrency at a time (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from ...patterns import EventPattern, compile_event_pattern
from ...ports import SqsConsumer
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE
from .errors import ServiceError
from .limits import MAX_SYNC_PAYLOAD
from .ops_invoke import invoke_port

log = logging.getLogger("gureum.lambda.esm")
CHANNEL = "lambda-esm"  # a mapping changed: the leader looks again
_LEADER_ROLE = "lambda-esm"
_LEADER_CHECK_SECONDS = 1.0
DEFAULT_CONCURRENCY = 5  # local: concurrent batches per mapping without ScalingConfig (AWS scales up to 1,000)
FILTER_MAX_LENGTH = 4096
_LONG_POLL = 20.0
_THROTTLE_RETRIES = 6
_TRANSITIONS = {"Creating": None, "Enabling": "Enabled", "Disabling": "Disabled", "Updating": None}  # None: per Enabled
_COLUMNS = "uuid, account, region, function_arn, source_arn, state, config"
# settings whose change restarts a poller (LastProcessingResult and LastModified do not)
_SETTINGS = ("BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes", "ScalingConfig")


@dataclass(slots=True, frozen=True)
class Mapping:
    uuid: str
    account: str
    region: str
    function_arn: str
    source_arn: str
    state: str
    config: dict[str, Any]

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:event-source-mapping:{self.uuid}"

    def output(self) -> dict[str, Any]:
        """The EventSourceMappingConfiguration shape."""
        c = self.config
        out: dict[str, Any] = {
            "UUID": self.uuid,
            "BatchSize": c["BatchSize"],
            "MaximumBatchingWindowInSeconds": c["MaximumBatchingWindowInSeconds"],
            "EventSourceArn": self.source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": c["LastModified"],
            "LastProcessingResult": c.get("LastProcessingResult") or "No records processed",
            "State": self.state,
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": list(c.get("FunctionResponseTypes") or []),
            "EventSourceMappingArn": self.arn,
        }
        for member in ("FilterCriteria", "ScalingConfig"):
            if c.get(member):
                out[member] = c[member]
        return out

    def settings_key(self) -> str:
        return json.dumps(
            [self.function_arn, self.source_arn, *(self.config.get(k) for k in _SETTINGS)], sort_keys=True
        )


# --- SQL ----------------------------------------------------------------------------------------------------


def _mapping(row: tuple[Any, ...] | None) -> Mapping | None:
    if row is None:
        return None
    uuid, account, region, function_arn, source_arn, state, config = row
    return Mapping(uuid, account, region, function_arn, source_arn, state, json.loads(config))


def insert_mapping(tx: Tx, m: Mapping) -> None:
    tx.execute(f"INSERT INTO lambda_event_source_mappings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (m.uuid, m.account, m.region, m.function_arn, m.source_arn, m.state, json.dumps(m.config)))  # fmt: skip
    tx.notify(CHANNEL, m.uuid)


def update_mapping(tx: Tx, m: Mapping) -> None:
    tx.execute(
        "UPDATE lambda_event_source_mappings SET function_arn = ?, state = ?, config = ? WHERE uuid = ?",
        (m.function_arn, m.state, json.dumps(m.config), m.uuid),
    )
    tx.notify(CHANNEL, m.uuid)


def get_mapping(tx: Tx, uuid: str) -> Mapping | None:
    return _mapping(tx.one(f"SELECT {_COLUMNS} FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,)))


def find_mapping(tx: Tx, function_arn: str, source_arn: str) -> Mapping | None:
    return _mapping(
        tx.one(
            f"SELECT {_COLUMNS} FROM lambda_event_source_mappings WHERE function_arn = ? AND source_arn = ?",
            (function_arn, source_arn),
        )
    )


def list_mappings(
    tx: Tx, account: str, region: str, function_arn: str | None, source_arn: str | None, after: str, limit: int
) -> list[Mapping]:
    where, params = "account = ? AND region = ? AND uuid > ?", [account, region, after]
    if function_arn is not None:
        where += " AND function_arn = ?"
        params.append(function_arn)
    if source_arn is not None:
        where += " AND source_arn = ?"
        params.append(source_arn)
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM lambda_event_source_mappings WHERE {where} ORDER BY uuid LIMIT ?", (*params, limit)
    )
    return [m for m in map(_mapping, rows) if m is not None]


def _advance(tx: Tx) -> list[Mapping]:
    """Move every mapping in a transitional state to where it is going; return the mappings that remain."""
    out = []
    for row in tx.all(f"SELECT {_COLUMNS} FROM lambda_event_source_mappings ORDER BY uuid"):
        m = _mapping(row)
        assert m is not None
        if m.state == "Deleting":
            tx.execute("DELETE FROM lambda_event_source_mappings WHERE uuid = ?", (m.uuid,))
            continue
        if m.state in _TRANSITIONS:
            m = replace(m, state=_TRANSITIONS[m.state] or ("Enabled" if m.config.get("Enabled", True) else "Disabled"))
            tx.execute("UPDATE lambda_event_source_mappings SET state = ? WHERE uuid = ?", (m.state, m.uuid))
        out.append(m)
    return out


def _set_result(tx: Tx, uuid: str, result: str) -> None:
    m = get_mapping(tx, uuid)
    if m is not None:
        tx.execute(
            "UPDATE lambda_event_source_mappings SET config = ? WHERE uuid = ?",
            (json.dumps({**m.config, "LastProcessingResult": result}), uuid),
        )


# --- the event -----------------------------------------------------------------------------------------------


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if value.get("StringValue") is not None:
        out["stringValue"] = value["StringValue"]
    if value.get("BinaryValue") is not None:
        raw = value["BinaryValue"]
        out["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, (bytes, bytearray)) else raw
    return out


def sqs_record(message: dict[str, Any], source_arn: str) -> dict[str, Any]:
    """One record of AWS's SQS event, from a message in ReceiveMessage's shape."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _message_attribute(v) for name, v in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": source_arn,
        "awsRegion": source_arn.split(":")[3],
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def compile_filters(criteria: dict[str, Any] | None) -> list[EventPattern]:
    """FilterCriteria.Filters[].Pattern as event patterns (raises the patterns package's PatternError)."""
    return [
        compile_event_pattern(f.get("Pattern") or "", max_length=FILTER_MAX_LENGTH)
        for f in (criteria or {}).get("Filters") or []
    ]


def passes(filters: list[EventPattern], record: dict[str, Any]) -> bool:
    """Whether a record matches any filter; the body is matched as JSON when it is a JSON object, else as text
    (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html)."""
    if not filters:
        return True
    doc = dict(record)
    try:
        body = json.loads(record["body"])
        if isinstance(body, dict):
            doc["body"] = body
    except ValueError:
        pass
    return any(f.matches(doc) for f in filters)


def failed_items(payload: bytes, ids: set[str]) -> set[str] | None:
    """The message ids a ReportBatchItemFailures response names; None when the response is invalid (the whole
    batch failed). An empty or null response, or an empty or null batchItemFailures, is complete success."""
    text = payload.decode("utf-8", "replace").strip()
    if not text or text == "null":
        return set()
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    items = doc.get("batchItemFailures")
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    out = set()
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident or ident not in ids:
            return None
        out.add(ident)
    return out


def split_batches(records: list[dict[str, Any]], *, fifo: bool) -> list[list[dict[str, Any]]]:
    """The invocations a received batch makes: one per message group on a FIFO queue (in order), each cut where
    the event would pass the 6 MB invocation payload limit."""
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(record["attributes"].get("MessageGroupId") if fifo else None, []).append(record)
    out: list[list[dict[str, Any]]] = []
    for group in groups.values():
        batch: list[dict[str, Any]] = []
        size = len('{"Records": []}')
        for record in group:
            one = len(json.dumps(record).encode()) + 2
            if batch and size + one > MAX_SYNC_PAYLOAD:
                out.append(batch)
                batch, size = [], len('{"Records": []}')
            batch.append(record)
            size += one
        out.append(batch)
    return out


# --- pollers ------------------------------------------------------------------------------------------------


class Poller:
    """Consumes one mapping's queue until stopped; batches already invoked finish even after a stop."""

    def __init__(self, runtime: Runtime, mapping: Mapping) -> None:
        self.runtime = runtime
        self.mapping = mapping
        self.key = mapping.settings_key()
        self.filters = compile_filters(mapping.config.get("FilterCriteria"))
        concurrency = (mapping.config.get("ScalingConfig") or {}).get("MaximumConcurrency") or DEFAULT_CONCURRENCY
        self.slots = asyncio.Semaphore(concurrency)
        self.result = mapping.config.get("LastProcessingResult")
        self.task = runtime.spawn(self._run(), f"lambda-esm-{mapping.uuid[:8]}")

    def stop(self) -> None:
        self.task.cancel()

    async def _run(self) -> None:
        m = self.mapping
        while True:
            await self.slots.acquire()
            try:
                batch = await self._fill()
            except asyncio.CancelledError:
                raise
            except LookupError:
                self.slots.release()
                await self._report("PROBLEM: The event source queue does not exist.")
                await asyncio.sleep(5.0)
                continue
            except Exception:
                self.slots.release()
                log.exception("event source mapping %s: receive failed", m.uuid)
                await asyncio.sleep(1.0)
                continue
            records = [sqs_record(msg, m.source_arn) for msg in batch]
            dropped = {r["receiptHandle"] for r in records if not passes(self.filters, r)}
            if dropped:  # AWS deletes the messages no filter matches
                await self._consumer().delete(m.source_arn, list(dropped))
                records = [r for r in records if r["receiptHandle"] not in dropped]
            batches = split_batches(records, fifo=m.source_arn.endswith(".fifo"))
            if not batches:
                self.slots.release()
                continue
            for n, group in enumerate(batches):
                if n:
                    await self.slots.acquire()
                self.runtime.spawn(self._invoke(group), f"lambda-esm-batch-{m.uuid[:8]}")

    def _consumer(self) -> Any:
        return self.runtime.port(SqsConsumer)

    async def _fill(self) -> list[dict[str, Any]]:
        """A batch: wait (long polls) for a first message, then up to the batching window for BatchSize (or 6 MB)."""
        m, consumer = self.mapping, self._consumer()
        size, window = m.config["BatchSize"], m.config["MaximumBatchingWindowInSeconds"]
        got: list[dict[str, Any]] = []
        while not got:
            got = await consumer.receive(m.source_arn, min(size, 10), wait=_LONG_POLL)
        deadline = time.monotonic() + window
        while (
            len(got) < size
            and (left := deadline - time.monotonic()) > 0
            and sum(len(g["Body"]) for g in got) < MAX_SYNC_PAYLOAD
        ):
            got += await consumer.receive(m.source_arn, min(size - len(got), 10), wait=left)
        return got

    async def _invoke(self, records: list[dict[str, Any]]) -> None:
        try:
            await self._process(records)
        except Exception:
            log.exception("event source mapping %s: batch failed", self.mapping.uuid)
        finally:
            self.slots.release()

    async def _process(self, records: list[dict[str, Any]]) -> None:
        """Invoke with one batch; delete what succeeded. A failed batch is left to reappear after the queue's
        visibility timeout (and so follows the queue's redrive policy); throttles are retried with backoff."""
        m = self.mapping
        payload = json.dumps({"Records": records}).encode()
        out: dict[str, Any] | None = None
        for attempt in range(_THROTTLE_RETRIES):
            try:
                out = await invoke_port(self.runtime, m.account, m.region, m.function_arn, payload)
                break
            except ServiceError as error:
                if error.status != 429:  # the function is gone or broken: pause this slot, the batch reappears later
                    await self._report(f"PROBLEM: {error.code}: {error.message}")
                    await asyncio.sleep(1.0)
                    return
                await asyncio.sleep(min(8.0, 0.5 * 2**attempt))
        if out is None:
            await self._report("PROBLEM: Function call throttled.")
            return
        if out.get("FunctionError"):
            await self._report("PROBLEM: Function call failed")
            return
        done = [r["receiptHandle"] for r in records]
        if "ReportBatchItemFailures" in (m.config.get("FunctionResponseTypes") or []):
            failed = failed_items(bytes(out.get("Payload") or b""), {r["messageId"] for r in records})
            if failed is None:
                await self._report("PROBLEM: Function returned an invalid batchItemFailures response")
                return
            done = [r["receiptHandle"] for r in records if r["messageId"] not in failed]
        await self._consumer().delete(m.source_arn, done)
        await self._report("OK")

    async def _report(self, result: str) -> None:
        """LastProcessingResult, written only when it changes."""
        if result != self.result:
            self.result = result
            await self.runtime.store.write(lambda tx: _set_result(tx, self.mapping.uuid, result))


class Pollers:
    """The node's pollers: one per Enabled mapping while this node leads."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.running: dict[str, Poller] = {}

    def reconcile(self, mappings: list[Mapping]) -> None:
        wanted = {m.uuid: m for m in mappings if m.state == "Enabled"}
        for uuid, poller in list(self.running.items()):
            if uuid not in wanted or wanted[uuid].settings_key() != poller.key:
                poller.stop()
                del self.running[uuid]
        for uuid, m in wanted.items():
            if uuid not in self.running:
                self.running[uuid] = Poller(self.runtime, m)

    async def run(self) -> None:
        wake = asyncio.Event()
        self.runtime.store.subscribe(CHANNEL, lambda _uuid: wake.set())
        store = self.runtime.store
        while True:
            wake.clear()
            try:
                if await store.is_leader(_LEADER_ROLE):
                    mappings = await store.read(
                        lambda tx: [
                            m
                            for m in map(_mapping, tx.all(f"SELECT {_COLUMNS} FROM lambda_event_source_mappings"))
                            if m
                        ]
                    )
                    if any(m.state in _TRANSITIONS or m.state == "Deleting" for m in mappings):
                        mappings = await store.write(_advance)
                    self.reconcile(mappings)
                else:
                    self.reconcile([])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event source mappings: the leader's pass failed")
            try:
                await asyncio.wait_for(wake.wait(), _LEADER_CHECK_SECONDS)
            except TimeoutError:
                pass


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.spawn(Pollers(runtime).run(), "lambda-esm-pollers")
