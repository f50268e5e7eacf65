"""Event source mappings for SQS at work: the API's transaction bodies, AWS's SQS event, and the pollers (those of
Kinesis and DynamoDB streams are esm_streams.py's).

One poller per Enabled mapping runs on the leader node (``store.is_leader``), which also moves mappings through
AWS's states (mappings.py). A poller receives through the SqsConsumer port (SQS's own receive: receive counts,
redrive, FIFO group blocking) with the queue's visibility timeout, fills a batch (BatchSize,
MaximumBatchingWindowInSeconds), drops and deletes the messages no filter matches, and invokes the function once per
batch (once per message group on FIFO queues) through the LambdaInvoker it is given, at most
ScalingConfig.MaximumConcurrency at a time (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import replace
from typing import Any

from ... import safejson, tracing
from ...aws.errors import ServiceError
from ...patterns import EventPattern
from ...ports import LambdaInvoker, SqsConsumer
from ...runtime import Runtime
from ...store.base import Tx
from . import store_esm
from .errors import ResourceInUseException, conflict, resource_not_found
from .esm_common import failed_items, set_result
from .esm_streams import StreamPoller
from .limits import MAX_SYNC_PAYLOAD
from .mappings import CHANNEL, STREAM_KINDS, TRANSITIONS, Mapping, compile_filters, updated_state

log = logging.getLogger("gureum.lambda.esm")
_LEADER_ROLE = "lambda-esm"
_LEADER_CHECK_SECONDS = 1.0
DEFAULT_CONCURRENCY = 5  # local: concurrent batches per mapping without ScalingConfig (AWS scales up to 1,000)
_LONG_POLL = 20.0
_THROTTLE_RETRIES = 6


def advance(tx: Tx) -> list[Mapping]:
    """Move every mapping in a transitional state to where it is going; return the mappings that remain."""
    out = []
    for m in store_esm.every_mapping(tx):
        if m.state == "Deleting":
            store_esm.delete_mapping(tx, m.uuid)
            continue
        if m.state in TRANSITIONS:
            m = replace(m, state=m.settled())
            store_esm.set_state(tx, m.uuid, m.state)
        out.append(m)
    return out


# --- the API's transaction bodies ------------------------------------------------------------------


def create(tx: Tx, mapping: Mapping) -> None:
    existing = store_esm.find_mapping(tx, mapping.function_arn, mapping.source_arn)
    if existing is not None:
        name = mapping.function_arn.split(":function:", 1)[1].split(":")[0]
        raise conflict(  # AWS's words for an SQS source (a stream's say "The event source arn (...) ...")
            f'An event source mapping with SQS arn (" {mapping.source_arn} ") and function (" {name} ") already '
            f"exists. Please update or delete the existing mapping with UUID {existing.uuid}"
        )
    store_esm.insert_mapping(tx, mapping)


def owned(tx: Tx, account: str, region: str, uuid: str) -> Mapping:
    """The mapping ``uuid`` of this account and region (ResourceNotFoundException for any other)."""
    m = store_esm.get_mapping(tx, uuid)
    if m is None or m.account != account or m.region != region:
        raise resource_not_found()
    return m


def update(tx: Tx, account: str, region: str, uuid: str, function_arn: str, config: dict[str, Any]) -> Mapping:
    m = owned(tx, account, region, uuid)
    if m.state == "Deleting":
        raise ResourceInUseException(
            "Cannot update the event source mapping because it is in use.", fields={"Type": "User"}
        )
    if function_arn != m.function_arn and store_esm.find_mapping(tx, function_arn, m.source_arn) is not None:
        raise conflict(f"An event source mapping for {function_arn} and {m.source_arn} already exists.")
    updated = replace(m, function_arn=function_arn, state=updated_state(m.config, config), config=config)
    store_esm.update_mapping(tx, updated)
    return updated


def delete(tx: Tx, account: str, region: str, uuid: str) -> Mapping:
    """Mark the mapping Deleting (the leader removes it)."""
    m = replace(owned(tx, account, region, uuid), state="Deleting")
    store_esm.update_mapping(tx, m)
    return m


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


def passes(filters: list[EventPattern], record: dict[str, Any]) -> bool:
    """Whether a record matches any filter; the body is matched as JSON when it is a JSON object, else as text
    (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html)."""
    if not filters:
        return True
    doc = dict(record)
    try:
        body = safejson.loads(record["body"])  # a client's text: bounded depth and size
        if isinstance(body, dict):
            doc["body"] = body
    except ValueError:
        pass
    return any(f.matches(doc) for f in filters)


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

    def __init__(self, runtime: Runtime, invoker: LambdaInvoker, mapping: Mapping) -> None:
        self.runtime = runtime
        self.invoker = invoker
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

    def _consumer(self) -> SqsConsumer:
        return self.runtime.port(SqsConsumer)

    async def _fill(self) -> list[dict[str, Any]]:
        """A batch: wait (long polls) for a first message, then up to the batching window for BatchSize (or 6 MB)."""
        m, consumer = self.mapping, self._consumer()
        size, window = m.config["BatchSize"], m.config["MaximumBatchingWindowInSeconds"]
        got: list[dict[str, Any]] = []
        while not got:
            got = await consumer.receive(m.source_arn, min(size, 10), wait=_LONG_POLL)
        clock = self.runtime.clock
        deadline = clock.monotonic() + window
        while (
            len(got) < size
            and (left := deadline - clock.monotonic()) > 0
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
        if records:  # the invocation continues the first record's AWSTraceHeader, as AWS's does (this task's own)
            tracing.use(tracing.parse(records[0]["attributes"].get("AWSTraceHeader")))
        out: dict[str, Any] | None = None
        for attempt in range(_THROTTLE_RETRIES):
            try:
                out = await self.invoker.invoke(m.account, m.region, m.function_arn, payload)
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
            await self.runtime.store.write(lambda tx: set_result(tx, self.mapping.uuid, result))


class Pollers:
    """The node's pollers: one per Enabled mapping while this node leads."""

    def __init__(self, runtime: Runtime, invoker: LambdaInvoker) -> None:
        self.runtime = runtime
        self.invoker = invoker
        self.running: dict[str, Poller | StreamPoller] = {}

    def reconcile(self, mappings: list[Mapping]) -> None:
        wanted = {m.uuid: m for m in mappings if m.state == "Enabled"}
        for uuid, poller in list(self.running.items()):
            if uuid not in wanted or wanted[uuid].settings_key() != poller.key:
                poller.stop()
                del self.running[uuid]
        for uuid, m in wanted.items():
            if uuid not in self.running:
                streaming = m.kind in STREAM_KINDS
                self.running[uuid] = (StreamPoller if streaming else Poller)(self.runtime, self.invoker, m)

    async def run(self) -> None:
        wake = asyncio.Event()
        self.runtime.store.subscribe(CHANNEL, lambda _uuid: wake.set())
        store = self.runtime.store
        while True:
            wake.clear()
            try:
                if await store.is_leader(_LEADER_ROLE):
                    mappings = await store.read(store_esm.every_mapping)
                    if any(m.state in TRANSITIONS or m.state == "Deleting" for m in mappings):
                        mappings = await store.write(advance)
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
