"""FirehoseBackend: every Firehose operation over the store, one method per operation with plain arguments, called
by the operations (ops_*.py) and the "firehose" delivery target; kept by the start hook, reached with backend(ctx).

Accepted records are rows committed before the answer goes out (a kill -9 after it loses none); the leader's
flusher (flushing.py) delivers them. Streams go ACTIVE at once (no provisioning to wait for here)."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import destinations, limits, store
from .errors import (
    ConcurrentModificationException,
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceUnavailableException,
    not_found,
)
from .streams import ACTIVE, DIRECT_PUT, KINESIS_SOURCE, DeliveryStream, describe

T = TypeVar("T")
_DISABLED = {"Status": "DISABLED"}


def backend(ctx: RequestContext) -> FirehoseBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(FirehoseBackend)


def record_id() -> str:
    """An opaque record id as PutRecord answers it (AWS's are long base64-like strings)."""
    return secrets.token_urlsafe(66)


def _encryption(given: dict[str, Any] | None) -> dict[str, Any]:
    kind = (given or {}).get("KeyType") or "AWS_OWNED_CMK"
    key = (given or {}).get("KeyARN")
    if kind == "CUSTOMER_MANAGED_CMK" and not key:
        raise InvalidArgumentException("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.")
    if kind == "AWS_OWNED_CMK" and key:
        raise InvalidArgumentException("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.")
    out = {"Status": "ENABLED", "KeyType": kind}
    if key:
        out["KeyARN"] = key
    return out


def _check_tags(tags: list[dict[str, str]]) -> None:
    keys = [t["Key"] for t in tags]
    if len(set(keys)) != len(keys):
        raise InvalidArgumentException("Tag keys must be unique.")


class FirehoseBackend:
    def __init__(self, store_: Store, clock: Clock, settings: limits.Settings) -> None:
        self.store = store_
        self.clock = clock
        self.settings = settings
        self.wake = asyncio.Event()  # the flusher looks again (records accepted, a stream changed)
        self.kinesis_exists: Callable[[str], Any] | None = None  # set at start when Kinesis serves

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    def _get(self, tx: Tx, account: str, region: str, name: str) -> DeliveryStream:
        found = store.get_stream(tx, account, region, name)
        if found is None:
            raise not_found(name, account)
        return found

    # --- delivery streams --------------------------------------------------------------------------------------

    async def create_delivery_stream(
        self, account: str, region: str, name: str, kind: str | None, request: dict[str, Any]
    ) -> dict[str, Any]:
        kind = kind or DIRECT_PUT
        if kind not in (DIRECT_PUT, KINESIS_SOURCE):
            raise InvalidArgumentException(
                f"DeliveryStreamType {kind} is not supported by gureum: DirectPut and KinesisStreamAsSource are."
            )
        for member in ("MSKSourceConfiguration", "DatabaseSourceConfiguration"):
            if request.get(member) is not None:
                raise InvalidArgumentException(f"{member} is not supported by gureum: DirectPut and "
                                               "KinesisStreamAsSource are.")  # fmt: skip
        source: dict[str, Any] = {}
        kinesis = request.get("KinesisStreamSourceConfiguration")
        if kind == KINESIS_SOURCE:
            if kinesis is None:
                raise InvalidArgumentException(
                    "KinesisStreamSourceConfiguration is required for a KinesisStreamAsSource delivery stream."
                )
            if request.get("DeliveryStreamEncryptionConfigurationInput") is not None:
                raise InvalidArgumentException(
                    "Server-side encryption is not supported for a KinesisStreamAsSource delivery stream: encrypt "
                    "the Kinesis stream instead."
                )
            if self.kinesis_exists is not None and not await self.kinesis_exists(kinesis["KinesisStreamARN"]):
                raise InvalidArgumentException(f"Kinesis stream {kinesis['KinesisStreamARN']} does not exist.")
            source = {"KinesisStreamARN": kinesis["KinesisStreamARN"], "RoleARN": kinesis["RoleARN"]}
        elif kinesis is not None:
            raise InvalidArgumentException(
                "KinesisStreamSourceConfiguration is only valid for a KinesisStreamAsSource delivery stream."
            )
        dest = destinations.create(request)
        given_encryption = request.get("DeliveryStreamEncryptionConfigurationInput")
        encryption = _encryption(given_encryption) if given_encryption is not None else dict(_DISABLED)
        tags = list(request.get("Tags") or [])
        _check_tags(tags)
        now = self.clock.now()
        stream = DeliveryStream(0, account, region, name, kind, ACTIVE, 1, now, now, source, dest, encryption, tags)

        def run(tx: Tx) -> int | None:
            if store.count_streams(tx, account, region) >= limits.MAX_STREAMS:
                raise LimitExceededException(
                    f"You have already reached the limit of {limits.MAX_STREAMS} delivery streams in this region."
                )
            return store.insert_stream(tx, stream)

        if await self._write(run) is None:
            raise ResourceInUseException(f"Firehose {name} under accountId {account} already exists")
        self.wake.set()
        return {"DeliveryStreamARN": stream.arn}

    async def delete_delivery_stream(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> None:
            store.delete_stream(tx, self._get(tx, account, region, name).id)

        await self._write(run)
        self.wake.set()

    async def describe_delivery_stream(self, account: str, region: str, name: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: self._get(tx, account, region, name))
        return {"DeliveryStreamDescription": describe(found)}

    async def list_delivery_streams(
        self, account: str, region: str, limit: int | None, kind: str | None, after: str | None
    ) -> dict[str, Any]:
        size = limit or limits.LIST_STREAMS_DEFAULT
        names = await self.store.read(lambda tx: store.list_names(tx, account, region, kind, after, size + 1))
        return {"DeliveryStreamNames": names[:size], "HasMoreDeliveryStreams": len(names) > size}

    async def update_destination(
        self, account: str, region: str, name: str, version: str, destination_id: str, updates: dict[str, Any]
    ) -> None:
        def run(tx: Tx) -> None:
            s = self._get(tx, account, region, name)
            if version != str(s.version):
                raise ConcurrentModificationException(
                    f"Cannot update firehose: {name} since the current version id: {s.version} and specified "
                    f"version id: {version} do not match",
                )
            if destination_id != s.destination["id"]:
                raise InvalidArgumentException(f"Destination Id {destination_id} not found")
            s.destination = destinations.update(s.destination, updates)
            s.version += 1
            s.updated_at = self.clock.now()
            store.save_stream(tx, s)

        await self._write(run)
        self.wake.set()

    # --- tags ----------------------------------------------------------------------------------------------------

    async def tag_delivery_stream(self, account: str, region: str, name: str, tags: list[dict[str, str]]) -> None:
        _check_tags(tags)

        def run(tx: Tx) -> None:
            s = self._get(tx, account, region, name)
            merged = {t["Key"]: t.get("Value", "") for t in s.tags}
            merged.update({t["Key"]: t.get("Value", "") for t in tags})
            if len(merged) > limits.MAX_TAGS:
                raise LimitExceededException(f"A delivery stream can have at most {limits.MAX_TAGS} tags.")
            s.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
            store.save_stream(tx, s)

        await self._write(run)

    async def untag_delivery_stream(self, account: str, region: str, name: str, keys: list[str]) -> None:
        def run(tx: Tx) -> None:
            s = self._get(tx, account, region, name)
            s.tags = [t for t in s.tags if t["Key"] not in set(keys)]
            store.save_stream(tx, s)

        await self._write(run)

    async def list_tags(
        self, account: str, region: str, name: str, after: str | None, limit: int | None
    ) -> dict[str, Any]:
        s = await self.store.read(lambda tx: self._get(tx, account, region, name))
        tags = sorted(s.tags, key=lambda t: t["Key"])
        if after:
            tags = [t for t in tags if t["Key"] > after]
        size = limit or limits.LIST_TAGS_DEFAULT
        return {"Tags": tags[:size], "HasMoreTags": len(tags) > size}

    # --- encryption ----------------------------------------------------------------------------------------------

    async def start_encryption(self, account: str, region: str, name: str, given: dict[str, Any] | None) -> None:
        encryption = _encryption(given)

        def run(tx: Tx) -> None:
            s = self._get(tx, account, region, name)
            if s.kind == KINESIS_SOURCE:
                raise InvalidArgumentException(
                    f"Firehose {name} under account {account} has a Kinesis stream as its source: server-side "
                    "encryption is not supported for it."
                )
            s.encryption = encryption
            store.save_stream(tx, s)

        await self._write(run)

    async def stop_encryption(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> None:
            s = self._get(tx, account, region, name)
            if s.kind == KINESIS_SOURCE:
                raise InvalidArgumentException(
                    f"Firehose {name} under account {account} has a Kinesis stream as its source: server-side "
                    "encryption is not supported for it."
                )
            s.encryption = dict(_DISABLED)
            store.save_stream(tx, s)

        await self._write(run)

    # --- records -------------------------------------------------------------------------------------------------

    async def put_record(self, account: str, region: str, name: str, data: bytes) -> dict[str, Any]:
        out = await self.put_record_batch(account, region, name, [{"Data": data}], single=True)
        entry = out["RequestResponses"][0]
        if "ErrorCode" in entry:
            raise ServiceUnavailableException(entry["ErrorMessage"])
        return {"RecordId": entry["RecordId"], "Encrypted": out["Encrypted"]}

    async def put_record_batch(
        self, account: str, region: str, name: str, records: list[dict[str, Any]], *, single: bool = False
    ) -> dict[str, Any]:
        if len(records) > limits.MAX_BATCH_RECORDS:
            raise InvalidArgumentException(
                f"Records size exceeds {limits.MAX_BATCH_RECORDS} records limit."
            )  # the model's bound, checked here too
        datas = [bytes(r["Data"]) for r in records]
        for data in datas:
            if len(data) > limits.MAX_RECORD_BYTES:
                raise InvalidArgumentException(
                    f"Record size exceeds the {limits.MAX_RECORD_BYTES // 1024} KiB limit for a single record."
                )
        if sum(len(d) for d in datas) > limits.MAX_BATCH_BYTES:
            raise InvalidArgumentException(
                f"Records size exceeds {limits.MAX_BATCH_BYTES // limits.MIB} MB limit for a PutRecordBatch request."
            )
        now = self.clock.now()

        def run(tx: Tx) -> tuple[list[dict[str, Any]], bool]:
            s = self._get(tx, account, region, name)
            if s.kind != DIRECT_PUT:
                raise InvalidArgumentException(
                    "This operation is not permitted on KinesisStreamAsSource delivery stream type."
                )
            room = limits.MAX_BACKLOG_BYTES - store.backlog(tx, s.id)
            rows: list[tuple[str, float, bytes, None]] = []
            answers: list[dict[str, Any]] = []
            for data in datas:
                if room - len(data) < 0:
                    answers.append({"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."})
                    continue
                room -= len(data)
                rid = record_id()
                rows.append((rid, now, data, None))
                answers.append({"RecordId": rid})
            if rows:
                store.add_records(tx, s.id, rows)
            return answers, s.encrypted

        answers, encrypted = await self._write(run)
        self.wake.set()
        failed = sum(1 for a in answers if "ErrorCode" in a)
        return {"FailedPutCount": failed, "Encrypted": encrypted, "RequestResponses": answers}

    # --- the delivery target (SNS subscriptions, EventBridge and Scheduler targets) --------------------------------

    def deliver_in_tx(self, tx: Tx, stream_arn: str, account: str, region: str, name: str, data: bytes) -> None:
        """One record, inside the producer's transaction."""
        s = store.get_stream(tx, account, region, name)
        if s is None:
            raise ResourceNotFoundException(f"Firehose {name} under account {account} not found.")
        if s.kind != DIRECT_PUT:
            raise InvalidArgumentException(
                "This operation is not permitted on KinesisStreamAsSource delivery stream type."
            )
        store.add_records(tx, s.id, [(record_id(), self.clock.now(), data, None)])

    def decode(self, text: str | bytes) -> bytes:
        return base64.b64decode(text) if isinstance(text, str) else text
