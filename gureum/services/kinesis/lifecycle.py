"""Changes that take time: a stream CREATING, UPDATING (resharding, capacity mode, encryption) or DELETING, and a
consumer CREATING or DELETING. ``begin`` records the change with the time it completes (``due_at``) and tells the
leader (CHANNEL); ``complete`` applies it then, in one transaction, so a change begun before a restart completes
after it. With no delay the change completes in the transaction that begins it.

Pending changes (the stream's ``pending``): {"op": "create", "shards": n}, {"op": "delete"}, {"op": "split",
"shard": i, "key": "<new starting hash key>"}, {"op": "merge", "shard": i, "adjacent": j}, {"op": "scale",
"target": n}, {"op": "mode", "mode": m}, {"op": "settle"} (a change already applied that shows UPDATING a while).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ...store.base import Tx
from . import shards as shard_plans
from . import store
from .streams import ACTIVE, CREATING, DELETING, ON_DEMAND, UPDATING, Consumer, Stream

CHANNEL = "kinesis"  # a change was scheduled: the leader looks again for the next one due


def begin(tx: Tx, stream: Stream, status: str, pending: dict[str, Any], now: float, delay: float) -> Stream:
    """Put the stream in ``status`` until ``pending`` completes, ``delay`` seconds from ``now`` (written)."""
    changed = dataclasses.replace(stream, status=status, pending=pending, due_at=now + delay)
    if delay <= 0:
        return complete(tx, changed, now)
    store.update_stream(tx, changed)
    tx.notify(CHANNEL, str(stream.id))
    return changed


def complete(tx: Tx, stream: Stream, now: float) -> Stream:
    """Apply the stream's pending change and make it ACTIVE (or delete it); the stream as it is now."""
    pending = stream.pending or {}
    op = pending.get("op")
    if op == "delete":
        store.delete_stream(tx, stream.id)
        return dataclasses.replace(stream, status=DELETING, pending=None, due_at=None)
    next_shard = stream.next_shard
    mode = stream.mode
    warm = stream.warm_mibps
    if op == "create":
        created = shard_plans.initial(int(pending["shards"]), stream.created_at)
        store.insert_shards(tx, stream.id, created)
        next_shard = len(created)
    elif op in ("split", "merge", "scale"):
        plan = _plan(tx, stream, pending, now)
        if plan is not None:
            store.close_shards(tx, stream.id, plan.closes, plan.closed_at)
            store.insert_shards(tx, stream.id, plan.creates)
            next_shard = max(next_shard, plan.next_index)
    elif op == "mode":
        mode = pending["mode"]
        if mode != ON_DEMAND:
            warm = None
    done = dataclasses.replace(
        stream, status=ACTIVE, pending=None, due_at=None, next_shard=next_shard, mode=mode, warm_mibps=warm
    )
    store.update_stream(tx, done)
    return done


def _plan(tx: Tx, stream: Stream, pending: dict[str, Any], now: float) -> shard_plans.Plan | None:
    """The resharding the pending change asked for, on the shards as they are now (checked when it was asked)."""
    layout = {s.index: s for s in store.shards(tx, stream.id)}
    op = pending["op"]
    if op == "split":
        shard = layout.get(pending["shard"])
        if shard is None or not shard.open:
            return None
        return shard_plans.split(shard, int(pending["key"]), stream.next_shard, now)
    if op == "merge":
        shard, adjacent = layout.get(pending["shard"]), layout.get(pending["adjacent"])
        if shard is None or adjacent is None or not (shard.open and adjacent.open):
            return None
        return shard_plans.merge(shard, adjacent, stream.next_shard, now)
    open_shards = [s for s in layout.values() if s.open]
    if len(open_shards) == pending["target"]:
        return None
    return shard_plans.scale(open_shards, int(pending["target"]), stream.next_shard, now)


def complete_consumer(tx: Tx, consumer: Consumer) -> None:
    """A consumer CREATING becomes ACTIVE; one DELETING is gone."""
    if consumer.status == DELETING:
        store.delete_consumer(tx, consumer.id)
    else:
        store.update_consumer(tx, dataclasses.replace(consumer, status=ACTIVE, due_at=None))


def complete_due(tx: Tx, now: float) -> float | None:
    """Complete every change due by ``now``; when the next one falls due."""
    for stream in store.due_streams(tx, now):
        if stream.status in (CREATING, UPDATING, DELETING):
            complete(tx, stream, now)
    for consumer in store.due_consumers(tx, now):
        complete_consumer(tx, consumer)
    return store.next_due(tx)
