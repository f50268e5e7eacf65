"""Writing one item inside a store transaction: the table's row and every index entry changed together, the TTL
expiry column kept, AWS's item size limit; and the capacity units AWS's arithmetic charges for reads and writes."""

from __future__ import annotations

import math
from typing import Any

from ...store.base import Tx
from . import limits, store, store_backups, streams, values
from .errors import ValidationException
from .tables import Table
from .values import Item


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
) -> int:
    """Replace ``old`` by ``new`` (None: no item) under ``key`` in the table and its indexes, and append the change
    to the table's stream when it has one (``by_service``: a TTL deletion); the number of index entries written or
    removed. Checks every index key of ``new`` before changing anything."""
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
        size = values.item_size(new)
        text = values.dump_item(new)
        store.put_item(tx, table.id, 0, pk, sk, text, size, expiry(table, new))
        if table.pitr_enabled:
            store_backups.log_change(tx, table.id, now, pk, sk, text, size)
    touched = 0
    for index, before, after in moves:
        if before is not None and before != after:
            store.delete_item(tx, table.id, index.number, *before)
            touched += 1
        if after is not None and new is not None:
            projected = index.projected(new, table)
            store.put_item(
                tx, table.id, index.number, *after, values.dump_item(projected), values.item_size(projected), None
            )
            touched += 1
    if table.stream_enabled and table.stream_id is not None and table.stream_view and streams.changed(old, new):
        keys = table.key_of(new if new is not None else old or {})
        seq = store.next_sequence(tx, table.stream_id)
        text = streams.record(keys, old, new, table.stream_view, now, by_service)
        store.put_record(tx, table.stream_id, seq, now, text)
    return touched


def write_units(*sizes: int) -> float:
    return float(max(1, math.ceil(max(sizes) / limits.WRITE_UNIT_BYTES)))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / limits.READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def consumed(
    mode: str | None, table: str, units: float, index_units: dict[str, float] | None = None, write: bool = True
) -> dict[str, Any] | None:
    """ConsumedCapacity as ReturnConsumedCapacity asks (TOTAL, INDEXES; NONE or absent: None)."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    total = units + sum((index_units or {}).values())
    side = "WriteCapacityUnits" if write else "ReadCapacityUnits"
    out: dict[str, Any] = {"TableName": table, "CapacityUnits": total, side: total}
    if mode == "INDEXES":
        out["Table"] = {"CapacityUnits": units, side: units}
        if index_units:
            out["GlobalSecondaryIndexes"] = {name: {"CapacityUnits": u, side: u} for name, u in index_units.items()}
    return out
