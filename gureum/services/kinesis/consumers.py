"""Enhanced fan-out consumers in a transaction: registering one (CREATING until the delay passes, then ACTIVE),
finding one by ARN or by stream and name, deregistering (DELETING, then gone). No HTTP."""

from __future__ import annotations

import dataclasses

from ...store.base import Tx
from . import lifecycle, limits, store
from .errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    consumer_not_found,
    not_active,
)
from .streams import (
    ACTIVE,
    CREATING,
    DELETING,
    UPDATING,
    Consumer,
    Named,
    Stream,
    check_tags,
    consumer_arn,
    locate,
    not_found,
    parse_consumer_arn,
)


def register_in_tx(
    tx: Tx, stream: Stream, name: str, tags: dict[str, str], now: float, delay: float, quotas: bool
) -> Consumer:
    if stream.status not in (ACTIVE, UPDATING):
        raise not_active(stream.name, stream.account, stream.status)
    existing = store.get_consumer(tx, stream.id, name)
    if existing is not None:
        raise ResourceInUseException(f"Consumer {existing.arn} under account {stream.account} already exists.")
    if quotas:
        registered, creating = store.consumer_counts(tx, stream.id)
        if registered >= limits.MAX_CONSUMERS or creating >= limits.MAX_CREATING_CONSUMERS:
            raise LimitExceededException(
                f"Consumer limit exceeded for stream {stream.name} under account {stream.account}: at most "
                f"{limits.MAX_CONSUMERS} consumers, {limits.MAX_CREATING_CONSUMERS} of them CREATING."
            )
    check_tags(name, stream.account, tags)
    later = delay > 0
    consumer = Consumer(
        0, stream.id, name, consumer_arn(stream, name, now), now, CREATING if later else ACTIVE,
        now + delay if later else None, dict(tags),
    )  # fmt: skip
    consumer_id = store.insert_consumer(tx, consumer)
    if consumer_id is None:
        raise ResourceInUseException(f"Consumer {consumer.arn} under account {stream.account} already exists.")
    if later:
        tx.notify(lifecycle.CHANNEL, str(stream.id))
    return dataclasses.replace(consumer, id=consumer_id)


def find_in_tx(tx: Tx, stream_arn: str | None, name: str | None, arn: str | None) -> tuple[Stream, Consumer]:
    """The consumer a ConsumerARN, or a StreamARN and ConsumerName, names; and its stream."""
    named: Named
    if arn:
        parsed = parse_consumer_arn(arn)
        if parsed is None:
            raise InvalidArgumentException(f"Invalid ConsumerARN {arn}")
        named, consumer_name = parsed
    elif stream_arn and name:
        named, consumer_name = locate("", "", None, stream_arn), name
    else:
        raise InvalidArgumentException("Either ConsumerARN or both ConsumerName and StreamARN must be provided.")
    stream = store.get_stream(tx, named.account, named.region, named.name)
    if stream is None:
        raise not_found(named)
    consumer = store.get_consumer(tx, stream.id, consumer_name)
    if consumer is None or (arn and consumer.arn != arn):
        raise consumer_not_found(arn or consumer_name, named.account)
    return stream, consumer


def deregister_in_tx(tx: Tx, stream: Stream, consumer: Consumer, now: float, delay: float) -> None:
    if consumer.status == DELETING:
        return
    if delay <= 0:
        store.delete_consumer(tx, consumer.id)
        return
    store.update_consumer(tx, dataclasses.replace(consumer, status=DELETING, due_at=now + delay))
    tx.notify(lifecycle.CHANNEL, str(stream.id))
