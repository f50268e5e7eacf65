"""Log streams (a part of LogsBackend): create, delete, describe (by name or by last event time); the sequence
tokens PutLogEvents still returns."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import store
from .errors import InvalidParameterException, no_stream, stream_exists
from .groups import Parts, require_group, resolve_group_name
from .paging import page_sorted


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


def require_stream(tx: Tx, group: store.Group, name: str) -> store.Stream:
    stream = store.get_stream(tx, group.id, name)
    if stream is None:
        raise no_stream()
    return stream


def _by_name(stream: store.Stream) -> Any:
    return stream.name


def _by_last_event(stream: store.Stream) -> Any:
    return (stream.last_event or 0, stream.name)


class LogStreams(Parts):
    async def create_log_stream(self, account: str, region: str, group_name: str, name: str) -> None:
        now = self.clock.now_ms()

        def run(tx: Tx) -> None:
            group = require_group(tx, account, region, group_name)
            if store.insert_stream(tx, group.id, name, now) is None:
                raise stream_exists()

        await self.store.write(run)

    async def delete_log_stream(self, account: str, region: str, group_name: str, name: str) -> None:
        def run(tx: Tx) -> None:
            stream = require_stream(tx, require_group(tx, account, region, group_name), name)
            store.delete_stream(tx, stream.id)

        await self.store.write(run)

    async def describe_log_streams(
        self,
        account: str,
        region: str,
        name: str | None,
        identifier: str | None,
        prefix: str | None,
        order_by: str | None,
        descending: bool,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        """DescribeLogStreams' answer: {"logStreams", "nextToken"}."""
        wanted = resolve_group_name(account, region, name, identifier)
        by_time = order_by == "LastEventTime"
        if by_time and prefix:
            raise InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.")

        def read(tx: Tx) -> tuple[store.Group, list[store.Stream], str | None]:
            group = require_group(tx, account, region, wanted)
            streams = store.list_streams(tx, group.id, prefix or "")
            key = _by_last_event if by_time else _by_name
            shown, next_token = page_sorted(streams, key, token, limit, descending=descending)
            return group, shown, next_token

        group, shown, next_token = await self.store.read(read)
        return {"logStreams": [describe_stream(group, s) for s in shown], "nextToken": next_token}
