"""Log events: PutLogEvents (AWS's batch rules and rejections), GetLogEvents (f/ and b/ tokens) and
FilterLogEvents (filter patterns across a group's streams, interleaved by time)."""

from __future__ import annotations

import re
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, limits, store
from .common import compile_filter, decode_token, encode_token, group_name, now_ms, require_group
from .errors import InvalidParameterException, no_stream
from .ops_streams import sequence_token

_FAR_FUTURE = 2**62
_STREAM_TOKEN = re.compile(r"^([fb])/(\d{20})(\d{36})$")


def event_id(event: store.Event) -> str:
    """A 56-digit id, as AWS's eventId; it also orders events as FilterLogEvents returns them."""
    return f"{event.timestamp:020d}{event.id:036d}"


# --- PutLogEvents ---------------------------------------------------------------------------------


@SERVICE.op("PutLogEvents")
async def put_log_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    events = [(int(e["timestamp"]), e["message"]) for e in req["logEvents"]]
    size = sum(len(message.encode()) + limits.EVENT_OVERHEAD for _, message in events)
    if size > limits.MAX_BATCH_BYTES:
        raise InvalidParameterException(f"Upload too large: {size} bytes exceeds limit of {limits.MAX_BATCH_BYTES}")
    if any(events[i][0] < events[i - 1][0] for i in range(1, len(events))):
        raise InvalidParameterException("Log events in a single PutLogEvents request must be in chronological order.")
    now = now_ms(ctx)

    def run(tx: Tx) -> dict[str, Any]:
        group = require_group(tx, ctx, req["logGroupName"])
        stream = store.get_stream(tx, group.id, req["logStreamName"])
        if stream is None:
            raise no_stream()
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
        store.append_events(tx, stream, accepted, now)
        out: dict[str, Any] = {"nextSequenceToken": sequence_token(stream.id, now)}
        if rejected:
            out["rejectedLogEventsInfo"] = rejected
        return out

    return await ctx.runtime.store.write(run)


# --- GetLogEvents ---------------------------------------------------------------------------------


def _within_bytes(events: list[store.Event]) -> list[store.Event]:
    """The events (in the order given) that fit one 1 MB response."""
    total = 0
    for index, event in enumerate(events):
        total += len(event.message.encode()) + limits.EVENT_OVERHEAD
        if total > limits.RESPONSE_BYTES:
            return events[: max(index, 1)]
    return events


@SERVICE.op("GetLogEvents")
async def get_log_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = group_name(ctx, req)
    token = req.get("nextToken")
    cursor: tuple[int, int] | None = None
    if token is not None:
        match = _STREAM_TOKEN.match(token)
        if match is None:
            raise InvalidParameterException("The specified nextToken is invalid.")
        forward = match.group(1) == "f"
        cursor = (int(match.group(2)), int(match.group(3)))
    else:
        forward = bool(req.get("startFromHead"))
    limit = req.get("limit") or limits.EVENTS_LIMIT
    now = now_ms(ctx)

    def read(tx: Tx) -> list[store.Event]:
        group = require_group(tx, ctx, name)
        stream = store.get_stream(tx, group.id, req["logStreamName"])
        if stream is None:
            raise no_stream()
        start = max(req.get("startTime") or 0, group.oldest_kept(now) or 0)
        end = req["endTime"] if req.get("endTime") is not None else _FAR_FUTURE
        # no token and not from the head: the newest events, still returned oldest first
        found = store.stream_events(tx, stream.id, start, end, cursor, forward, limit)
        return _within_bytes(found) if forward else list(reversed(_within_bytes(found)))

    events = await ctx.runtime.store.read(read)
    if events:
        first, last = events[0], events[-1]
        forward_token = f"f/{event_id(last)}"
        backward_token = f"b/{event_id(first)}"
    else:
        # nothing more in that direction: AWS hands back the token it was given (the end of a walk)
        here = token[2:] if token is not None else f"{0:056d}"
        forward_token, backward_token = f"f/{here}", f"b/{here}"
    return {
        "events": [{"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingested} for e in events],
        "nextForwardToken": forward_token,
        "nextBackwardToken": backward_token,
    }


# --- FilterLogEvents ------------------------------------------------------------------------------

_SCAN_CHUNK = 5_000


@SERVICE.op("FilterLogEvents")
async def filter_log_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = group_name(ctx, req)
    if req.get("logStreamNames") and req.get("logStreamNamePrefix"):
        raise InvalidParameterException("Cannot specify both logStreamNames and logStreamNamePrefix.")
    pattern = compile_filter(req.get("filterPattern"))
    after = decode_token(req.get("nextToken"))
    if after is not None and not (
        isinstance(after, list) and len(after) == 2 and all(isinstance(x, int) for x in after)
    ):
        raise InvalidParameterException("The specified nextToken is invalid.")
    limit = req.get("limit") or limits.EVENTS_LIMIT
    now = now_ms(ctx)

    def read(tx: Tx) -> tuple[list[dict[str, Any]], str | None]:
        group = require_group(tx, ctx, name)
        streams = store.streams_by_id(tx, group.id)
        wanted: list[int] | None = None
        if req.get("logStreamNames"):
            names = set(req["logStreamNames"])
            wanted = [sid for sid, sname in streams.items() if sname in names]
        elif req.get("logStreamNamePrefix"):
            wanted = [sid for sid, sname in streams.items() if sname.startswith(req["logStreamNamePrefix"])]
        if wanted == []:
            return [], None
        start = max(req.get("startTime") or 0, group.oldest_kept(now) or 0)
        end = req["endTime"] + 1 if req.get("endTime") is not None else _FAR_FUTURE  # endTime is inclusive here
        cursor: tuple[int, int] | None = tuple(after) if after is not None else None  # type: ignore[assignment]
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

    events, token = await ctx.runtime.store.read(read)
    return {"events": events, "nextToken": token}
