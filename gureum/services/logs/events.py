"""Log events (a part of LogsBackend): PutLogEvents (AWS's batch rules and rejections), GetLogEvents (f/ and b/
tokens), FilterLogEvents (filter patterns across a group's streams, interleaved by time); and ``append``, which the
"logs" delivery target writes other services' logs with. Both writes hand the new events to the group's subscriptions
(subscriptions.Subscriber) in the same transaction."""

from __future__ import annotations

import re
from typing import Any

from ...store.base import Tx
from . import limits, store
from .errors import InvalidParameterException
from .filter_patterns import FilterPattern, PatternError, compile_pattern
from .groups import Parts, require_group, resolve_group_name
from .paging import decode_token, encode_token
from .streams import require_stream, sequence_token
from .subscriptions import Subscriber

_FAR_FUTURE = 2**62
_STREAM_TOKEN = re.compile(r"^([fb])/(\d{20})(\d{36})$")
_SCAN_CHUNK = 5_000


def event_id(event: store.Event) -> str:
    """A 56-digit id, as AWS's eventId; it also orders events as FilterLogEvents returns them."""
    return f"{event.timestamp:020d}{event.id:036d}"


def compile_filter(text: str | None) -> FilterPattern:
    """A filter pattern, or InvalidParameterException with the reason."""
    try:
        return compile_pattern(text)
    except PatternError as error:
        raise InvalidParameterException(f"Invalid filter pattern: {error}") from None


def _within_bytes(events: list[store.Event]) -> list[store.Event]:
    """The events (in the order given) that fit one 1 MB response."""
    total = 0
    for index, event in enumerate(events):
        total += len(event.message.encode()) + limits.EVENT_OVERHEAD
        if total > limits.RESPONSE_BYTES:
            return events[: max(index, 1)]
    return events


def _stream_cursor(token: str) -> tuple[bool, tuple[int, int]]:
    """GetLogEvents' token: (forward, the (timestamp, id) cursor)."""
    match = _STREAM_TOKEN.match(token)
    if match is None:
        raise InvalidParameterException("The specified nextToken is invalid.")
    return match.group(1) == "f", (int(match.group(2)), int(match.group(3)))


def _filter_cursor(token: str | None) -> tuple[int, int] | None:
    """FilterLogEvents' token: the (timestamp, id) of the last event examined, or None."""
    after = decode_token(token)
    if after is None:
        return None
    if not (isinstance(after, list) and len(after) == 2 and all(isinstance(x, int) for x in after)):
        raise InvalidParameterException("The specified nextToken is invalid.")
    return (after[0], after[1])


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
    tx: Tx,
    account: str,
    region: str,
    group_name: str,
    stream_name: str,
    events: list[tuple[int, str]],
    now_ms: int,
    *,
    create_group: bool = True,
    subscriber: Subscriber | None = None,
) -> bool:
    """Append events to a group's stream, creating both when missing (the group only when ``create_group``), with
    none of PutLogEvents' batch limits (a message longer than AWS's largest event becomes several events). False
    when the group does not exist and may not be created."""
    group = store.get_group(tx, account, region, group_name)
    if group is None:
        if not create_group:
            return False
        group = store.Group(0, account, region, group_name, now_ms)
        if not store.insert_group(tx, group):
            group = store.get_group(tx, account, region, group_name)
            assert group is not None
    stream = store.get_stream(tx, group.id, stream_name) or store.insert_stream(tx, group.id, stream_name, now_ms)
    if stream is None:
        stream = store.get_stream(tx, group.id, stream_name)
        assert stream is not None
    routes = subscriber.routes(tx, group) if subscriber is not None else []
    parts = [(ts, part) for ts, message in events for part in split_message(message)]
    stored = store.append_events(tx, stream, parts, now_ms, returning=bool(routes))
    if routes:
        assert subscriber is not None
        subscriber.deliver(tx, group, stream.name, stored, routes)
    return True


class LogEvents(Parts):
    subscriber: Subscriber

    async def put_log_events(
        self, account: str, region: str, group_name: str, stream_name: str, log_events: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """PutLogEvents' answer: the next sequence token and, when some events were refused, why."""
        events = [(int(e["timestamp"]), str(e["message"])) for e in log_events]
        size = sum(len(message.encode()) + limits.EVENT_OVERHEAD for _, message in events)
        if size > limits.MAX_BATCH_BYTES:
            raise InvalidParameterException(f"Upload too large: {size} bytes exceeds limit of {limits.MAX_BATCH_BYTES}")
        if any(events[i][0] < events[i - 1][0] for i in range(1, len(events))):
            raise InvalidParameterException(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        now = self.clock.now_ms()

        def run(tx: Tx) -> dict[str, Any]:
            group = require_group(tx, account, region, group_name)
            stream = require_stream(tx, group, stream_name)
            too_old = now - limits.MAX_AGE_MS
            expired = group.oldest_kept(now)
            too_new = now + limits.MAX_FUTURE_MS
            rejected: dict[str, int] = {}
            accepted = []
            for index, (ts, message) in enumerate(events):
                if ts > too_new:
                    rejected.setdefault("tooNewLogEventStartIndex", index)
                elif ts < too_old:
                    rejected["tooOldLogEventEndIndex"] = index
                elif expired is not None and ts < expired:
                    rejected["expiredLogEventEndIndex"] = index
                else:
                    accepted.append((ts, message))
            if accepted and accepted[-1][0] - accepted[0][0] > limits.MAX_BATCH_SPAN_MS:
                raise InvalidParameterException(
                    "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
                )
            routes = self.subscriber.routes(tx, group) if accepted else []
            stored = store.append_events(tx, stream, accepted, now, returning=bool(routes))
            if routes:
                self.subscriber.deliver(tx, group, stream.name, stored, routes)
            out: dict[str, Any] = {"nextSequenceToken": sequence_token(stream.id, now)}
            if rejected:
                out["rejectedLogEventsInfo"] = rejected
            return out

        return await self.store.write(run)

    async def get_log_events(
        self,
        account: str,
        region: str,
        group_name: str | None,
        group_identifier: str | None,
        stream_name: str,
        start_time: int | None,
        end_time: int | None,
        start_from_head: bool,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        """GetLogEvents' answer: a page of one stream's events, oldest first, and the tokens on either side."""
        wanted = resolve_group_name(account, region, group_name, group_identifier)
        cursor: tuple[int, int] | None = None
        if token is not None:
            forward, cursor = _stream_cursor(token)
        else:
            forward = start_from_head
        size = limit or limits.EVENTS_LIMIT
        now = self.clock.now_ms()

        def read(tx: Tx) -> list[store.Event]:
            group = require_group(tx, account, region, wanted)
            stream = require_stream(tx, group, stream_name)
            start = max(start_time or 0, group.oldest_kept(now) or 0)
            end = end_time if end_time is not None else _FAR_FUTURE
            # no token and not from the head: the newest events, still returned oldest first
            found = store.stream_events(tx, stream.id, start, end, cursor, forward, size)
            return _within_bytes(found) if forward else list(reversed(_within_bytes(found)))

        events = await self.store.read(read)
        if events:
            forward_token = f"f/{event_id(events[-1])}"
            backward_token = f"b/{event_id(events[0])}"
        else:
            # nothing more in that direction: AWS hands back the token it was given (the end of a walk)
            here = token[2:] if token is not None else f"{0:056d}"
            forward_token, backward_token = f"f/{here}", f"b/{here}"
        return {
            "events": [{"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingested} for e in events],
            "nextForwardToken": forward_token,
            "nextBackwardToken": backward_token,
        }

    async def filter_log_events(
        self,
        account: str,
        region: str,
        group_name: str | None,
        group_identifier: str | None,
        stream_names: list[str] | None,
        stream_prefix: str | None,
        start_time: int | None,
        end_time: int | None,
        filter_pattern: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        """FilterLogEvents' answer: {"events", "nextToken"}."""
        wanted_group = resolve_group_name(account, region, group_name, group_identifier)
        if stream_names and stream_prefix:
            raise InvalidParameterException("Cannot specify both logStreamNames and logStreamNamePrefix.")
        pattern = compile_filter(filter_pattern)
        after = _filter_cursor(token)
        size_limit = limit or limits.EVENTS_LIMIT
        now = self.clock.now_ms()

        def read(tx: Tx) -> tuple[list[dict[str, Any]], str | None]:
            group = require_group(tx, account, region, wanted_group)
            streams = store.streams_by_id(tx, group.id)
            wanted: list[int] | None = None
            if stream_names:
                names = set(stream_names)
                wanted = [sid for sid, sname in streams.items() if sname in names]
            elif stream_prefix:
                wanted = [sid for sid, sname in streams.items() if sname.startswith(stream_prefix)]
            if wanted == []:
                return [], None
            start = max(start_time or 0, group.oldest_kept(now) or 0)
            end = end_time + 1 if end_time is not None else _FAR_FUTURE  # endTime is inclusive here
            return _scan(tx, group, streams, wanted, start, end, after, pattern, size_limit)

        events, next_token = await self.store.read(read)
        return {"events": events, "nextToken": next_token}


def _scan(
    tx: Tx,
    group: store.Group,
    streams: dict[int, str],
    wanted: list[int] | None,
    start: int,
    end: int,
    cursor: tuple[int, int] | None,
    pattern: FilterPattern,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """FilterLogEvents' scan, chunk by chunk in (timestamp, id) order: the matching events of one page, and the
    token to go on from (None when the scan reached the end)."""
    found: list[dict[str, Any]] = []
    returned = cursor  # the cursor after the last event returned
    size = scanned = 0
    chunk_size = min(_SCAN_CHUNK, limit + 1)  # grows while the pattern keeps rejecting rows
    while True:
        chunk = store.group_events(
            tx, group.id, start, end, cursor, chunk_size, wanted, pattern.substrings, pattern.json
        )
        for index, event in enumerate(chunk):
            cursor = (event.timestamp, event.id)
            scanned += 1
            if not pattern.matches(event.message):
                continue
            size += len(event.message.encode()) + limits.EVENT_OVERHEAD
            if found and size > limits.RESPONSE_BYTES:
                return found, encode_token(returned)
            found.append(
                {
                    "logStreamName": streams[event.stream_id],
                    "timestamp": event.timestamp,
                    "message": event.message,
                    "ingestionTime": event.ingested,
                    "eventId": event_id(event),
                }
            )
            returned = cursor
            if len(found) >= limit:
                more = index < len(chunk) - 1 or len(chunk) == chunk_size
                return found, encode_token(cursor) if more else None
        if len(chunk) < chunk_size:
            return found, None
        if scanned >= limits.FILTER_SCAN_ROWS:  # a partial page, as AWS returns when a search runs long
            return found, encode_token(cursor)
        chunk_size = min(_SCAN_CHUNK, chunk_size * 4)
