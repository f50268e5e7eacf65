"""The "logs" delivery target other services write logs through (Lambda's function logs).

Delivers inside the producer's transaction. Address: the log group ARN
"arn:aws:logs:{region}:{account}:log-group:{name}" (a trailing ":*" is accepted too).
Payload: {"stream": "<stream name>", "events": [{"timestamp": <ms>, "message": "<text>"}, …]}.
The group and the stream are created when missing (as Lambda's execution role does with
logs:CreateLogGroup / CreateLogStream); events are appended with none of PutLogEvents' batch limits,
except that a message longer than AWS's largest event is split into several events.
"""

from __future__ import annotations

import re
from typing import Any

from ...delivery import DeliveryError, Target
from ...runtime import Runtime
from ...store.base import Tx
from . import limits, store

_ARN = re.compile(r"^arn:aws[\w-]*:logs:([^:]+):(\d{12}):log-group:([^:]+)(?::\*)?$")


def split_message(message: str, max_bytes: int = limits.MAX_EVENT_BYTES) -> list[str]:
    """A message as events of at most max_bytes UTF-8 bytes each (never splitting a character)."""
    data = message.encode()
    if len(data) <= max_bytes:
        return [message]
    parts = []
    while data:
        cut = min(max_bytes, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:  # back off to a character boundary
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    return parts


def append(
    tx: Tx, account: str, region: str, group_name: str, stream_name: str, events: list[tuple[int, str]], now_ms: int
) -> None:
    """Append events to a group's stream, creating both when missing."""
    group = store.get_group(tx, account, region, group_name)
    if group is None:
        group = store.Group(0, account, region, group_name, now_ms)
        if not store.insert_group(tx, group):
            group = store.get_group(tx, account, region, group_name)
            assert group is not None
    stream = store.get_stream(tx, group.id, stream_name) or store.insert_stream(tx, group.id, stream_name, now_ms)
    if stream is None:
        stream = store.get_stream(tx, group.id, stream_name)
        assert stream is not None
    store.append_events(tx, stream, [(ts, part) for ts, message in events for part in split_message(message)], now_ms)


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    match = _ARN.match(address)
    if match is None:
        raise DeliveryError(f"{address} is not a log group ARN.", code="InvalidParameterException", retryable=False)
    region, account, group_name = match.groups()
    stream_name = payload.get("stream")
    if not stream_name or not limits.STREAM_NAME.fullmatch(stream_name) or not limits.GROUP_NAME.fullmatch(group_name):
        raise DeliveryError(
            f"Invalid log group or stream name: {group_name!r} / {stream_name!r}.",
            code="InvalidParameterException",
            retryable=False,
        )
    events = [(int(event["timestamp"]), str(event["message"])) for event in payload.get("events") or []]
    append(tx, account, region, group_name, stream_name, events, int(runtime.clock.now() * 1000))


TARGET = Target("logs", in_tx=deliver_in_tx)
