"""Archive and replay operations: CreateArchive … ListArchives, StartReplay … ListReplays. Each calls one backend
method (archives.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .lookups import seconds
from .store_archives import Archive, Replay


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
    archive = await backend(ctx.runtime).create_archive(
        ctx.account,
        ctx.region,
        req["ArchiveName"],
        req["EventSourceArn"],
        req.get("Description"),
        req.get("EventPattern"),
        req.get("RetentionDays"),
        req.get("KmsKeyIdentifier"),
    )
    return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": seconds(archive.created_at)}


@SERVICE.op("DescribeArchive")
async def describe_archive(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    archive, totals = await backend(ctx.runtime).describe_archive(ctx.account, ctx.region, req["ArchiveName"])
    return {
        **_summary(archive, totals),
        "ArchiveArn": archive.arn,
        "Description": archive.description,
        "EventPattern": archive.pattern,
        "KmsKeyIdentifier": archive.kms_key,
    }


@SERVICE.op("UpdateArchive")
async def update_archive(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    archive = await backend(ctx.runtime).update_archive(
        ctx.account,
        ctx.region,
        req["ArchiveName"],
        req.get("Description"),
        req.get("EventPattern"),
        req.get("RetentionDays"),
        req.get("KmsKeyIdentifier"),
    )
    return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": seconds(archive.created_at)}


@SERVICE.op("DeleteArchive")
async def delete_archive(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_archive(ctx.account, ctx.region, req["ArchiveName"])
    return {}


@SERVICE.op("ListArchives")
async def list_archives(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    rows, token = await backend(ctx.runtime).list_archives(
        ctx.account,
        ctx.region,
        req.get("NamePrefix"),
        req.get("EventSourceArn"),
        req.get("State"),
        req.get("NextToken"),
        req.get("Limit"),
    )
    return {"Archives": [_summary(archive, totals) for archive, totals in rows], "NextToken": token}


# --- replays -----------------------------------------------------------------------------------------


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


@SERVICE.op("StartReplay")
async def start_replay(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    replay = await backend(ctx.runtime).start_replay(
        ctx.account,
        ctx.region,
        req["ReplayName"],
        req.get("Description"),
        req["EventSourceArn"],
        req["EventStartTime"],
        req["EventEndTime"],
        req["Destination"]["Arn"],
        req["Destination"].get("FilterArns"),
    )
    return {"ReplayArn": replay.arn, "State": replay.state, "ReplayStartTime": seconds(replay.started_at)}


@SERVICE.op("DescribeReplay")
async def describe_replay(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    replay = await backend(ctx.runtime).describe_replay(ctx.account, ctx.region, req["ReplayName"])
    return {
        **_replay_summary(replay),
        "ReplayArn": replay.arn,
        "Description": replay.description,
        "Destination": replay.destination,
    }


@SERVICE.op("CancelReplay")
async def cancel_replay(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    replay = await backend(ctx.runtime).cancel_replay(ctx.account, ctx.region, req["ReplayName"])
    return {"ReplayArn": replay.arn, "State": replay.state}


@SERVICE.op("ListReplays")
async def list_replays(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    replays, token = await backend(ctx.runtime).list_replays(
        ctx.account,
        ctx.region,
        req.get("NamePrefix"),
        req.get("State"),
        req.get("EventSourceArn"),
        req.get("NextToken"),
        req.get("Limit"),
    )
    return {"Replays": [_replay_summary(replay) for replay in replays], "NextToken": token}
