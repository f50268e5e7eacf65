"""Archives and replays: CreateArchive … ListArchives, StartReplay … ListReplays, and the archive retention sweep
(background work, on the leader node only)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from ...aws.context import RequestContext
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, limits, paging, store, store_archives, timers
from .errors import (
    IllegalStatusException,
    ResourceAlreadyExistsException,
    ValidationException,
    invalid_parameter,
    no_archive,
    no_bus,
    no_replay,
)
from .lookups import now_ms, seconds
from .names import parse_arn
from .ops_rules import check_pattern
from .store_archives import Archive, Replay

log = logging.getLogger("gureum.events")
_SWEEP_SECONDS = 60.0


def _bus_of(arn: str) -> tuple[str, str, str]:
    """An event bus ARN → (account, region, name)."""
    parts = parse_arn(arn)
    if parts is None or not parts[2].startswith("event-bus/"):
        raise invalid_parameter("EventSourceArn", "Provided Arn is not in correct format.")
    return parts[1], parts[0], parts[2][len("event-bus/") :]


def _summary(archive: Archive, totals: tuple[int, int]) -> dict[str, Any]:
    return {
        "ArchiveName": archive.name,
        "EventSourceArn": archive.source_arn,
        "State": archive.state,
        "RetentionDays": archive.retention_days,
        "SizeBytes": totals[1],
        "EventCount": totals[0],
        "CreationTime": seconds(archive.created_at),
    }


@SERVICE.op("CreateArchive")
async def create_archive(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("EventPattern"):
        check_pattern(req["EventPattern"])
    account, region, bus = _bus_of(req["EventSourceArn"])
    now = now_ms(ctx)
    archive = Archive(0, ctx.account, ctx.region, req["ArchiveName"], req["EventSourceArn"], req.get("Description"), req.get("EventPattern") or None,
                      req.get("RetentionDays") or 0, req.get("KmsKeyIdentifier"), "ENABLED", now)  # fmt: skip

    def run(tx: Tx) -> None:
        if store.get_bus(tx, account, region, bus) is None:
            raise no_bus(bus)
        if store_archives.insert_archive(tx, archive) is None:
            raise ResourceAlreadyExistsException(f"Archive {archive.name} already exists.")

    await ctx.runtime.store.write(run)
    return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": seconds(now)}


def _require_archive(tx: Tx, ctx: RequestContext, name: str) -> Archive:
    archive = store_archives.get_archive(tx, ctx.account, ctx.region, name)
    if archive is None:
        raise no_archive(name)
    return archive


@SERVICE.op("DescribeArchive")
async def describe_archive(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> tuple[Archive, tuple[int, int]]:
        archive = _require_archive(tx, ctx, req["ArchiveName"])
        return archive, store_archives.archive_totals(tx, archive.id)

    archive, totals = await ctx.runtime.store.read(run)
    out = _summary(archive, totals)
    out.update(
        {
            "ArchiveArn": archive.arn,
            "Description": archive.description,
            "EventPattern": archive.pattern,
            "KmsKeyIdentifier": archive.kms_key,
        }
    )
    return out


@SERVICE.op("UpdateArchive")
async def update_archive(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("EventPattern"):
        check_pattern(req["EventPattern"])

    def run(tx: Tx) -> Archive:
        archive = _require_archive(tx, ctx, req["ArchiveName"])
        for member, attribute in (
            ("Description", "description"),
            ("EventPattern", "pattern"),
            ("RetentionDays", "retention_days"),
            ("KmsKeyIdentifier", "kms_key"),
        ):
            if member in req:
                setattr(archive, attribute, req[member])
        store_archives.update_archive(tx, archive)
        return archive

    archive = await ctx.runtime.store.write(run)
    return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": seconds(archive.created_at)}


@SERVICE.op("DeleteArchive")
async def delete_archive(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await ctx.runtime.store.write(
        lambda tx: store_archives.delete_archive(tx, _require_archive(tx, ctx, req["ArchiveName"]))
    )
    return {}


@SERVICE.op("ListArchives")
async def list_archives(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    filters = [member for member in ("NamePrefix", "EventSourceArn", "State") if req.get(member)]
    if len(filters) > 1:
        raise ValidationException(
            "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix."
        )
    after = paging.decode(req.get("NextToken"))
    source = req.get("EventSourceArn")

    def run(tx: Tx) -> list[tuple[Archive, tuple[int, int]]]:
        if source is not None:
            account, region, bus = _bus_of(source)
            if store.get_bus(tx, account, region, bus) is None:
                raise no_bus(bus)
        archives = store_archives.list_archives(
            tx, ctx.account, ctx.region, req.get("NamePrefix") or "", source, req.get("State"), after
        )
        return [(archive, store_archives.archive_totals(tx, archive.id)) for archive in archives]

    rows = await ctx.runtime.store.read(run)
    shown, token = paging.page(rows, req.get("Limit"), limits.DEFAULT_PAGE, lambda row: row[0].name)
    return {"Archives": [_summary(archive, totals) for archive, totals in shown], "NextToken": token}


# --- replays -----------------------------------------------------------------------------------------


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


@SERVICE.op("StartReplay")
async def start_replay(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    start, end = _ms(req["EventStartTime"]), _ms(req["EventEndTime"])
    if start >= end:
        raise invalid_parameter("EventEndTime", "EventStartTime must be before EventEndTime.")
    archive_parts = parse_arn(req["EventSourceArn"])
    if archive_parts is None or not archive_parts[2].startswith("archive/"):
        raise invalid_parameter("EventSourceArn", "Provided Arn is not in correct format.")
    archive_name = archive_parts[2][len("archive/") :]
    destination = {"Arn": req["Destination"]["Arn"], "FilterArns": req["Destination"].get("FilterArns")}
    now = now_ms(ctx)
    runtime = ctx.runtime

    def run(tx: Tx) -> Replay:
        archive = store_archives.get_archive(tx, ctx.account, ctx.region, archive_name)
        if archive is None:
            raise invalid_parameter("EventSourceArn", f"Archive {archive_name} does not exist.")
        account, region, bus = _bus_of(destination["Arn"])
        if store.get_bus(tx, account, region, bus) is None:
            raise no_bus(bus)
        if destination["Arn"] != archive.source_arn:
            raise invalid_parameter("Destination.Arn", "Cross event bus replay is not permitted.")
        replay = Replay(0, ctx.account, ctx.region, req["ReplayName"], archive.arn, req.get("Description"), start, end,
                        {k: v for k, v in destination.items() if v is not None}, "STARTING", None, now, None, None, -1, 0)  # fmt: skip
        replay_id = store_archives.insert_replay(tx, replay)
        if replay_id is None:
            raise ResourceAlreadyExistsException(f"Replay {replay.name} already exists.")
        replay.id = replay_id
        timers.start_replay(runtime, tx, replay_id, replay.arn)
        return replay

    replay = await runtime.store.write(run)
    return {"ReplayArn": replay.arn, "State": replay.state, "ReplayStartTime": seconds(now)}


def _replay_summary(replay: Replay) -> dict[str, Any]:
    return {
        "ReplayName": replay.name,
        "EventSourceArn": replay.archive_arn,
        "State": replay.state,
        "StateReason": replay.state_reason,
        "EventStartTime": seconds(replay.event_start),
        "EventEndTime": seconds(replay.event_end),
        "EventLastReplayedTime": seconds(replay.last_replayed),
        "ReplayStartTime": seconds(replay.started_at),
        "ReplayEndTime": seconds(replay.ended_at),
    }


@SERVICE.op("DescribeReplay")
async def describe_replay(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    replay = await ctx.runtime.store.read(
        lambda tx: store_archives.get_replay(tx, ctx.account, ctx.region, req["ReplayName"])
    )
    if replay is None:
        raise no_replay(req["ReplayName"])
    return {
        **_replay_summary(replay),
        "ReplayArn": replay.arn,
        "Description": replay.description,
        "Destination": replay.destination,
    }


@SERVICE.op("CancelReplay")
async def cancel_replay(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["ReplayName"]

    def run(tx: Tx) -> Replay:
        replay = store_archives.get_replay(tx, ctx.account, ctx.region, name)
        if replay is None:
            raise no_replay(name)
        if not store_archives.set_replay_state(tx, replay.id, "CANCELLING", None, ("STARTING", "RUNNING")):
            raise IllegalStatusException(f"Replay {name} is not in a valid state for this operation.")
        return replay

    replay = await ctx.runtime.store.write(run)
    return {"ReplayArn": replay.arn, "State": "CANCELLING"}


@SERVICE.op("ListReplays")
async def list_replays(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = paging.decode(req.get("NextToken"))
    replays = await ctx.runtime.store.read(
        lambda tx: store_archives.list_replays(
            tx, ctx.account, ctx.region, req.get("NamePrefix") or "", req.get("State"), req.get("EventSourceArn"), after
        )
    )
    shown, token = paging.page(replays, req.get("Limit"), limits.DEFAULT_PAGE, lambda replay: replay.name)
    return {"Replays": [_replay_summary(replay) for replay in shown], "NextToken": token}


# --- retention (leader only) -------------------------------------------------------------------------


async def _maintain(runtime: Runtime) -> None:
    """Drop archived events past their archive's retention, on the one node that leads "events"."""
    while True:
        try:
            if await runtime.store.is_leader("events"):
                now = int(runtime.clock.now() * 1000)
                removed = await runtime.store.write(lambda tx: store_archives.expire_archived(tx, now))
                if removed:
                    log.info("archive retention: %d events expired", removed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("EventBridge archive retention sweep failed")
        await asyncio.sleep(_SWEEP_SECONDS)


@SERVICE.on_start
async def _start_maintenance(runtime: Runtime) -> None:
    runtime.spawn(_maintain(runtime), "events-maintenance")
