"""Tags and resource policies of streams and consumers (a resource ARN names either), in a transaction."""

from __future__ import annotations

import dataclasses

from ...store.base import Tx
from . import store
from .errors import InvalidArgumentException, ResourceNotFoundException, consumer_not_found, not_active
from .streams import CREATING, DELETING, Consumer, Stream, check_tags, not_found, parse_consumer_arn, parse_stream_arn


def find_in_tx(tx: Tx, arn: str) -> tuple[Stream, Consumer | None]:
    """The stream (and consumer) a ResourceARN names."""
    consumer_named = parse_consumer_arn(arn)
    named = consumer_named[0] if consumer_named else parse_stream_arn(arn)
    if named is None:
        raise InvalidArgumentException(f"Invalid ResourceARN {arn}")
    stream = store.get_stream(tx, named.account, named.region, named.name)
    if stream is None:
        raise not_found(named)
    if consumer_named is None:
        return stream, None
    consumer = store.get_consumer(tx, stream.id, consumer_named[1])
    if consumer is None or consumer.arn != arn:
        raise consumer_not_found(arn, named.account)
    return stream, consumer


def set_tags(tx: Tx, stream: Stream, consumer: Consumer | None, tags: dict[str, str]) -> None:
    """Replace the tags of the consumer (or, with none, of the stream, which must not be CREATING or DELETING)."""
    if consumer is not None:
        check_tags(consumer.name, stream.account, tags)
        store.update_consumer(tx, dataclasses.replace(consumer, tags=tags))
        return
    if stream.status in (CREATING, DELETING):
        raise not_active(stream.name, stream.account, stream.status)
    check_tags(stream.name, stream.account, tags)
    store.update_stream(tx, dataclasses.replace(stream, tags=tags))


def set_policy(tx: Tx, stream: Stream, consumer: Consumer | None, policy: str | None, arn: str) -> None:
    """Put (or with None, delete) the resource policy of the consumer, or of the stream."""
    if policy is None and (consumer or stream).policy is None:
        raise ResourceNotFoundException(f"No resource policy found for resource ARN {arn}.")
    if consumer is not None:
        store.update_consumer(tx, dataclasses.replace(consumer, policy=policy))
    else:
        store.update_stream(tx, dataclasses.replace(stream, policy=policy))
