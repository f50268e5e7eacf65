"""Writing one item inside a store transaction: the table's row and every index entry changed together, the TTL
expiry column kept, AWS's item size limit; and the capacity units AWS's arithmetic charges for reads and writes."""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from typing import Any, Protocol

from ...store.base import Tx
from . import limits, store, store_backups, streams, values
from .errors import ValidationException
from .tables import Table
from .values import Item


class Outbox(Protocol):
    """The delivery path's enqueue (gureum.delivery): a Kinesis record committed with the change that makes it."""

    def enqueue(self, tx: Tx, kind: str, address: str, payload: dict[str, Any]) -> None: ...


def expiry(table: Table, item: Item) -> float | None:
    """The epoch second an item expires at under its table's TTL (None: never)."""
    if not table.ttl_enabled or table.ttl_attribute is None:
        return None
    value = item.get(table.ttl_attribute)
    if value is None or "N" not in value:
        return None
    seconds = values.number(value["N"])
    if seconds <= 0 or seconds > 10**12:
        return None
    return float(seconds)


def check_size(item: Item, update: bool = False) -> int:
    size = values.item_size(item)
    if size > limits.ITEM_BYTES:
        raise ValidationException(
            "Item size to update has exceeded the maximum allowed size"
            if update
            else "Item size has exceeded the maximum allowed size"
        )
    return size


def write(
    tx: Tx,
    table: Table,
    key: tuple[bytes, bytes],
    old: Item | None,
    new: Item | None,
    now: float,
    by_service: bool = False,
    outbox: Outbox | None = None,
    size: int | None = None,
) -> dict[str, float]:
    """Replace ``old`` by ``new`` (None: no item) under ``key`` in the table and its indexes, and append the change
    to the table's stream when it has one (``by_service``: a TTL deletion) and to its active Kinesis streaming
    destinations through ``outbox``; the number of index entries written or removed. Checks every index key of
    ``new`` before changing anything. ``size``: ``new``'s item_size when the caller has it already. Answers the
    write units each index's entries cost, by index name, as AWS counts them: a put of the projected item, a delete
    of the old one when the item leaves the index or its index key changes (both when it moves), none when the
    projected item is unchanged."""
    moves = []
    for index in table.indexes:
        before = table.index_key(index, old) if old is not None else None
        after = table.index_key(index, new) if new is not None else None
        moves.append((index, before, after))
    pk, sk = key
    if new is None:
        store.delete_item(tx, table.id, 0, pk, sk)
        if table.pitr_enabled:
            store_backups.log_change(tx, table.id, now, pk, sk, None, 0)
    else:
        if size is None:
            size = values.item_size(new)
        text = values.dump_item(new)
        store.put_item(tx, table.id, 0, pk, sk, text, size, expiry(table, new))
        if table.pitr_enabled:
            store_backups.log_change(tx, table.id, now, pk, sk, text, size)
    touched: dict[str, float] = {}
    for index, before, after in moves:
        units = 0.0
        was = index.projected(old, table) if before is not None and old is not None else None
        if before is not None and before != after:
            store.delete_item(tx, table.id, index.number, *before)
            units += write_units(values.item_size(was) if was is not None else 0)
        if after is not None and new is not None:
            projected = index.projected(new, table)
            if before != after or projected != was:
                projected_size = values.item_size(projected)
                store.put_item(tx, table.id, index.number, *after, values.dump_item(projected), projected_size, None)
                units += write_units(projected_size)
        if units:
            touched[index.name] = units
    if table.stream_enabled and table.stream_id is not None and table.stream_view and streams.changed(old, new):
        keys = table.key_of(new if new is not None else old or {})
        seq = store.next_sequence(tx, table.stream_id)
        text = streams.record(keys, old, new, table.stream_view, now, by_service)
        store.put_record(tx, table.stream_id, seq, now, text)
    if table.kinesis and outbox is not None and streams.changed(old, new):
        for destination in table.kinesis:
            if destination["status"] == "ACTIVE":
                payload = kinesis_record(table, old, new, now, by_service, destination["precision"])
                outbox.enqueue(tx, "kinesis", destination["StreamArn"], payload)
    return touched


def kinesis_record(
    table: Table, old: Item | None, new: Item | None, now: float, by_service: bool, precision: str
) -> dict[str, Any]:
    """The "kinesis" delivery payload of one change: AWS's record for a Kinesis Data Streams destination (always
    both images), its partition key the item key's hash, so one item's changes keep their order in one shard."""
    keys = table.key_of(new if new is not None else old or {})
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": int(now * 1_000_000) if precision == "MICROSECOND" else int(now * 1000),
        "ApproximateCreationDateTimePrecision": precision,
        "Keys": values.wire_item(keys),
    }
    size = values.item_size(keys)
    if new is not None:
        change["NewImage"] = values.wire_item(new)
        size += values.item_size(new)
    if old is not None:
        change["OldImage"] = values.wire_item(old)
        size += values.item_size(old)
    change["SizeBytes"] = size
    doc = {
        "awsRegion": table.region,
        "eventID": str(uuid.uuid4()),
        "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"} if by_service else None,
        "recordFormat": "application/json",
        "tableName": table.name,
        "dynamodb": change,
        "eventSource": "aws:dynamodb",
    }
    key = hashlib.md5(values.dump_item(keys).encode(), usedforsecurity=False).hexdigest().upper()
    return {"data": json.dumps(doc, separators=(",", ":"), ensure_ascii=False), "partition_key": key}


def write_units(*sizes: int) -> float:
    return float(max(1, math.ceil(max(sizes) / limits.WRITE_UNIT_BYTES)))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / limits.READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def consumed(
    mode: str | None,
    table: str,
    units: float,
    index_units: dict[str, float] | None = None,
    write: bool = True,
    local: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any] | None:
    """ConsumedCapacity as ReturnConsumedCapacity asks (TOTAL, INDEXES; NONE or absent: None); ``index_units``
    by index name, those named in ``local`` local secondary indexes, the others global."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    total = units + sum((index_units or {}).values())
    side = "WriteCapacityUnits" if write else "ReadCapacityUnits"
    out: dict[str, Any] = {"TableName": table, "CapacityUnits": total, side: total}
    if mode == "INDEXES":
        out["Table"] = {"CapacityUnits": units, side: units}
        for member, names in (
            ("GlobalSecondaryIndexes", [n for n in index_units or {} if n not in local]),
            ("LocalSecondaryIndexes", [n for n in index_units or {} if n in local]),
        ):
            if names:
                out[member] = {n: {"CapacityUnits": index_units[n], side: index_units[n]} for n in names}  # type: ignore[index]
    return out
