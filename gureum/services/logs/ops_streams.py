"""Log streams: create, delete, describe (by name or by last event time)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .common import group_name, now_ms, page_sorted, require_group
from .errors import InvalidParameterException, no_stream, stream_exists


def sequence_token(stream_id: int, counter: int) -> str:
    """A 56-digit token shaped like AWS's (PutLogEvents ignores sequence tokens now, but still returns one)."""
    return f"{stream_id:020d}{counter:036d}"


def describe_stream(group: store.Group, stream: store.Stream) -> dict[str, Any]:
    out: dict[str, Any] = {
        "logStreamName": stream.name,
        "creationTime": stream.created_at,
        "arn": f"{group.arn}:log-stream:{stream.name}",
        # "As of June 17, 2019, this parameter is no longer supported for log streams, and is always reported as zero."
        "storedBytes": 0,
    }
    if stream.first_event is not None:
        out["firstEventTimestamp"] = stream.first_event
        out["lastEventTimestamp"] = stream.last_event
        out["lastIngestionTime"] = stream.last_ingestion
    out["uploadSequenceToken"] = sequence_token(stream.id, stream.last_ingestion or stream.created_at)
    return out


@SERVICE.op("CreateLogStream")
async def create_log_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)

    def run(tx: Tx) -> None:
        group = require_group(tx, ctx, req["logGroupName"])
        if store.insert_stream(tx, group.id, req["logStreamName"], now) is None:
            raise stream_exists()

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("DeleteLogStream")
async def delete_log_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> None:
        group = require_group(tx, ctx, req["logGroupName"])
        stream = store.get_stream(tx, group.id, req["logStreamName"])
        if stream is None:
            raise no_stream()
        store.delete_stream(tx, stream.id)

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("DescribeLogStreams")
async def describe_log_streams(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = group_name(ctx, req)
    by_time = req.get("orderBy") == "LastEventTime"
    prefix = req.get("logStreamNamePrefix") or ""
    if by_time and prefix:
        raise InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.")

    def read(tx: Tx) -> tuple[store.Group, list[store.Stream], str | None]:
        group = require_group(tx, ctx, name)
        streams = store.list_streams(tx, group.id, prefix)
        key = (lambda s: (s.last_event or 0, s.name)) if by_time else (lambda s: s.name)
        shown, token = page_sorted(
            streams, key, req.get("nextToken"), req.get("limit"), descending=bool(req.get("descending"))
        )
        return group, shown, token

    group, shown, token = await ctx.runtime.store.read(read)
    return {"logStreams": [describe_stream(group, s) for s in shown], "nextToken": token}
