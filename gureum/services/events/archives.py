"""The backend's archives and replays: CreateArchive … ListArchives, StartReplay … ListReplays, a replay's steps
(run by its "events-replay" rows) and the archive retention sweep (background work, on the leader node only)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

from ...store.base import Tx
from . import limits, paging, store, store_archives, timers
from .base import BackendBase
from .errors import (
    IllegalStatusException,
    InternalException,
    ResourceAlreadyExistsException,
    ValidationException,
    invalid_parameter,
    no_archive,
    no_bus,
    no_replay,
)
from .fanout import event_size
from .names import parse_arn
from .rules import check_pattern
from .store_archives import Archive, Replay

log = logging.getLogger("gureum.events")
_SWEEP_SECONDS = 60.0
Totals = tuple[int, int]  # (EventCount, SizeBytes)


def _bus_of(arn: str) -> tuple[str, str, str]:
    """An event bus ARN → (account, region, name)."""
    parts = parse_arn(arn)
    if parts is None or not parts[2].startswith("event-bus/"):
        raise invalid_parameter("EventSourceArn", "Provided Arn is not in correct format.")
    return parts[1], parts[0], parts[2][len("event-bus/") :]


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _require_archive(tx: Tx, account: str, region: str, name: str) -> Archive:
    archive = store_archives.get_archive(tx, account, region, name)
    if archive is None:
        raise no_archive(name)
    return archive


class Archives(BackendBase):
    async def create_archive(
        self,
        account: str,
        region: str,
        name: str,
        source_arn: str,
        description: str | None,
        pattern: str | None,
        retention_days: int | None,
        kms_key: str | None,
    ) -> Archive:
        if pattern:
            check_pattern(pattern)
        bus_account, bus_region, bus = _bus_of(source_arn)
        now = self.now_ms()
        archive = Archive(0, account, region, name, source_arn, description, pattern or None, retention_days or 0,
                          kms_key, "ENABLED", now)  # fmt: skip

        def run(tx: Tx) -> None:
            if store.get_bus(tx, bus_account, bus_region, bus) is None:
                raise no_bus(bus)
            if store_archives.insert_archive(tx, archive) is None:
                raise ResourceAlreadyExistsException(f"Archive {archive.name} already exists.")

        await self.store.write(run)
        return archive

    async def describe_archive(self, account: str, region: str, name: str) -> tuple[Archive, Totals]:
        def run(tx: Tx) -> tuple[Archive, Totals]:
            archive = _require_archive(tx, account, region, name)
            return archive, store_archives.archive_totals(tx, archive.id)

        return await self.store.read(run)

    async def update_archive(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        pattern: str | None,
        retention_days: int | None,
        kms_key: str | None,
    ) -> Archive:
        """Members given (not None) replace the archive's."""
        if pattern:
            check_pattern(pattern)

        def run(tx: Tx) -> Archive:
            tx.lock("events archive", account, region, name)
            archive = store_archives.get_archive(tx, account, region, name)
            if archive is None:
                # what AWS answers here (not DescribeArchive's ResourceNotFoundException): recorded against AWS by
                # LocalStack's test_update_archive_error_unknown_archive
                raise InternalException("Service encountered unexpected problem. Please try again.")
            if description is not None:
                archive.description = description
            if pattern is not None:
                archive.pattern = pattern
            if retention_days is not None:
                archive.retention_days = retention_days
            if kms_key is not None:
                archive.kms_key = kms_key
            store_archives.update_archive(tx, archive)
            return archive

        return await self.store.write(run)

    async def delete_archive(self, account: str, region: str, name: str) -> None:
        await self.store.write(
            lambda tx: store_archives.delete_archive(tx, _require_archive(tx, account, region, name))
        )

    async def list_archives(
        self,
        account: str,
        region: str,
        prefix: str | None,
        source_arn: str | None,
        state: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[tuple[Archive, Totals]], str | None]:
        if len([given for given in (prefix, source_arn, state) if given]) > 1:
            raise ValidationException(
                "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix."
            )
        after = paging.decode(next_token)

        def run(tx: Tx) -> list[tuple[Archive, Totals]]:
            if source_arn is not None:
                bus_account, bus_region, bus = _bus_of(source_arn)
                if store.get_bus(tx, bus_account, bus_region, bus) is None:
                    raise no_bus(bus)
            archives = store_archives.list_archives(tx, account, region, prefix or "", source_arn, state, after)
            return [(archive, store_archives.archive_totals(tx, archive.id)) for archive in archives]

        rows = await self.store.read(run)
        return paging.page(rows, limit, limits.DEFAULT_PAGE, lambda row: row[0].name)

    # --- replays -------------------------------------------------------------------------------------

    async def start_replay(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        archive_arn: str,
        event_start: datetime,
        event_end: datetime,
        destination_arn: str,
        filter_arns: list[str] | None,
    ) -> Replay:
        destination_parts = parse_arn(destination_arn)
        if destination_parts is None or not destination_parts[2].startswith("event-bus/"):
            raise invalid_parameter("Destination.Arn", "Must contain an event bus ARN.")
        start, end = _ms(event_start), _ms(event_end)
        if start >= end:
            raise invalid_parameter("EventEndTime", "EventStartTime must be before EventEndTime.")
        archive_parts = parse_arn(archive_arn)
        if archive_parts is None or not archive_parts[2].startswith("archive/"):
            raise invalid_parameter("EventSourceArn", "Provided Arn is not in correct format.")
        archive_name = archive_parts[2][len("archive/") :]
        destination: dict[str, Any] = {"Arn": destination_arn}
        if filter_arns is not None:
            destination["FilterArns"] = filter_arns
        now = self.now_ms()

        def run(tx: Tx) -> Replay:
            archive = store_archives.get_archive(tx, account, region, archive_name)
            if archive is None:
                raise invalid_parameter("EventSourceArn", f"Archive {archive_name} does not exist.")
            bus_account, bus_region, bus = _bus_of(destination_arn)
            if store.get_bus(tx, bus_account, bus_region, bus) is None:
                raise no_bus(bus)
            if destination_arn != archive.source_arn:
                raise invalid_parameter("Destination.Arn", "Cross event bus replay is not permitted.")
            replay = Replay(0, account, region, name, archive.arn, description, start, end, destination, "STARTING",
                            None, now, None, None, -1, 0)  # fmt: skip
            replay_id = store_archives.insert_replay(tx, replay)
            if replay_id is None:
                raise ResourceAlreadyExistsException(f"Replay {replay.name} already exists.")
            replay.id = replay_id
            timers.enqueue_replay_step(self.delivery, tx, replay_id, replay.arn)
            return replay

        return await self.store.write(run)

    async def describe_replay(self, account: str, region: str, name: str) -> Replay:
        replay = await self.store.read(lambda tx: store_archives.get_replay(tx, account, region, name))
        if replay is None:
            raise no_replay(name)
        return replay

    async def cancel_replay(self, account: str, region: str, name: str) -> Replay:
        def run(tx: Tx) -> Replay:
            replay = store_archives.get_replay(tx, account, region, name)
            if replay is None:
                raise no_replay(name)
            tx.lock("events replay", str(replay.id))  # a step running meanwhile saves its state first
            if not store_archives.set_replay_state(tx, replay.id, "CANCELLING", None, ("STARTING", "RUNNING")):
                raise IllegalStatusException(f"Replay {name} is not in a valid state for this operation.")
            replay.state = "CANCELLING"
            return replay

        return await self.store.write(run)

    async def list_replays(
        self,
        account: str,
        region: str,
        prefix: str | None,
        state: str | None,
        archive_arn: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[Replay], str | None]:
        after = paging.decode(next_token)
        replays = await self.store.read(
            lambda tx: store_archives.list_replays(tx, account, region, prefix or "", state, archive_arn, after)
        )
        return paging.page(replays, limit, limits.DEFAULT_PAGE, lambda replay: replay.name)

    def replay_step(self, tx: Tx, replay_id: int) -> None:
        """One step of a replay, inside the transaction that claimed its row: up to REPLAY_BATCH archived events
        put on the destination bus again, then the next step enqueued (or the replay ended)."""
        tx.lock("events replay", str(replay_id))  # a cancellation committed meanwhile is seen, never overwritten
        replay = store_archives.get_replay_by_id(tx, replay_id)
        if replay is None or replay.state not in ("STARTING", "RUNNING", "CANCELLING"):
            return
        now = self.now_ms()
        if replay.state == "CANCELLING":
            replay.state, replay.ended_at = "CANCELLED", now
            store_archives.save_replay_progress(tx, replay)
            return
        archive_parts = parse_arn(replay.archive_arn)
        archive = (
            store_archives.get_archive(tx, replay.account, replay.region, archive_parts[2].split("/", 1)[1])
            if archive_parts
            else None
        )
        bus_parts = parse_arn(replay.destination["Arn"])
        if archive is None or bus_parts is None:
            replay.state, replay.ended_at = "FAILED", now
            replay.state_reason = "The archive or the destination no longer exists."
            store_archives.save_replay_progress(tx, replay)
            return
        bus = bus_parts[2][len("event-bus/") :]
        only = set(replay.destination.get("FilterArns") or []) or None
        rows = store_archives.archived_after(
            tx, archive.id, replay.event_start, replay.event_end, replay.cursor_at, replay.cursor_id,
            limits.REPLAY_BATCH,
        )  # fmt: skip
        fanout = self.fanout(tx)
        for row_id, received_at, text in rows:
            event = timers.with_replay_name(json.loads(text), replay.name)
            account, region = bus_parts[1] or replay.account, bus_parts[0] or replay.region
            fanout.put(account, region, bus, event, size=event_size(event), only_rules=only)
            replay.cursor_at, replay.cursor_id, replay.last_replayed = received_at, row_id, received_at
        replay.state = "RUNNING"
        if len(rows) < limits.REPLAY_BATCH:
            replay.state, replay.ended_at = "COMPLETED", now
        else:
            timers.enqueue_replay_step(self.delivery, tx, replay.id, replay.arn)
        store_archives.save_replay_progress(tx, replay)

    # --- retention (leader only) ---------------------------------------------------------------------

    async def expire_archived_events(self) -> int:
        """Drop archived events past their archive's retention; how many went."""
        now = self.now_ms()
        return await self.store.write(lambda tx: store_archives.expire_archived(tx, now))

    async def run_retention(self) -> None:
        """The retention sweep, every minute, on the one node that leads "events" (a background task)."""
        while True:
            try:
                if await self.store.is_leader("events"):
                    removed = await self.expire_archived_events()
                    if removed:
                        log.info("archive retention: %d events expired", removed)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("EventBridge archive retention sweep failed")
            await asyncio.sleep(_SWEEP_SECONDS)
