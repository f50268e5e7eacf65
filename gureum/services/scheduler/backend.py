"""EventBridge Scheduler's backend object: every operation on schedule groups and schedules, with plain
arguments, each in one store transaction (firing.py arms a schedule's invocations in the same one). Kept with
runtime.keep at start; ``backend`` reaches it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...aws.context import RequestContext
from ...runtime import Runtime
from ...store.base import Tx
from . import firing, store
from .errors import ConflictException, ValidationException, no_group, no_schedule
from .model import (
    DEFAULT_GROUP,
    PAGE,
    Group,
    Schedule,
    check_name,
    check_schedule,
    group_of_arn,
    new_schedule,
    tag_dict,
)


class SchedulerBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock

    # --- schedule groups ------------------------------------------------------------------------------

    async def create_schedule_group(
        self, account: str, region: str, name: str, tags: list[dict[str, str]] | None
    ) -> Group:
        check_name(name)
        now = self.clock.now_ms()
        group = Group(account, region, name, tag_dict(tags), now, now)

        def run(tx: Tx) -> None:
            if group.name == DEFAULT_GROUP or not store.insert_group(tx, group):
                raise ConflictException(f"Schedule group {group.name} already exists.")

        await self.store.write(run)
        return group

    async def get_schedule_group(self, account: str, region: str, name: str) -> Group:
        check_name(name)
        return await self.store.read(lambda tx: _require_group(tx, account, region, name))

    async def delete_schedule_group(self, account: str, region: str, name: str) -> None:
        check_name(name)
        if name == DEFAULT_GROUP:
            raise ValidationException("The default schedule group cannot be deleted.")
        await self.store.write(lambda tx: store.delete_group(tx, _require_group(tx, account, region, name)))

    async def list_schedule_groups(
        self, account: str, region: str, name_prefix: str | None, next_token: str | None, max_results: int | None
    ) -> tuple[list[Group], str | None]:
        """A page of groups and the token of the next one."""
        check_name(name_prefix, "namePrefix")
        groups = await self.store.read(
            lambda tx: store.list_groups(tx, account, region, name_prefix or "", next_token or "")
        )
        limit = max_results or PAGE
        token = groups[limit - 1].name if len(groups) > limit else None
        return groups[:limit], token

    # --- tags (kept on schedule groups only) -----------------------------------------------------------

    async def list_tags_for_resource(self, arn: str) -> dict[str, str]:
        return (await self.store.read(lambda tx: _tagged(tx, arn))).tags

    async def tag_resource(self, arn: str, tags: list[dict[str, str]]) -> None:
        def run(tx: Tx) -> None:
            tx.lock("scheduler", arn)  # the group's tags are one document: its writers take turns
            group = _tagged(tx, arn)
            if group.name == DEFAULT_GROUP:
                raise ValidationException("The default schedule group cannot be tagged.")
            group.tags.update(tag_dict(tags))
            store.save_group_tags(tx, group)

        await self.store.write(run)

    async def untag_resource(self, arn: str, keys: list[str]) -> None:
        def run(tx: Tx) -> None:
            tx.lock("scheduler", arn)
            group = _tagged(tx, arn)
            group.tags = {k: v for k, v in group.tags.items() if k not in set(keys)}
            store.save_group_tags(tx, group)

        await self.store.write(run)

    # --- schedules ------------------------------------------------------------------------------------

    async def create_schedule(self, account: str, region: str, members: Mapping[str, Any]) -> str:
        """CreateSchedule's members as given; the schedule's ARN (also when a ClientToken retry finds it)."""
        now = self.clock.now_ms()
        check_schedule(members, now)
        schedule = new_schedule(account, region, members, now, now)
        runtime = self.runtime

        def run(tx: Tx) -> str:
            _require_group(tx, account, region, schedule.group_name)
            new_id = store.insert_schedule(tx, schedule)
            if new_id is None:
                existing = store.get_schedule(tx, account, region, schedule.group_name, schedule.name)
                if existing is not None and schedule.client_token and existing.client_token == schedule.client_token:
                    return existing.arn  # a retried request (same ClientToken): the schedule it made
                raise ConflictException(f"Schedule {schedule.name} already exists.")
            schedule.id = new_id
            firing.arm(runtime, tx, schedule, now)
            store.save_schedule(tx, schedule)
            return schedule.arn

        return await self.store.write(run)

    async def get_schedule(self, account: str, region: str, name: str, group: str | None) -> Schedule:
        check_name(name)
        return await self.store.read(lambda tx: _require_schedule(tx, account, region, name, group))

    async def update_schedule(self, account: str, region: str, members: Mapping[str, Any]) -> str:
        """UpdateSchedule replaces every setting with the members given; the schedule's ARN."""
        now = self.clock.now_ms()
        check_schedule(members, now)
        runtime = self.runtime

        def run(tx: Tx) -> str:
            current = _require_schedule(tx, account, region, members["Name"], members.get("GroupName"))
            updated = new_schedule(account, region, members, now, current.created_at)
            updated.id = current.id
            firing.arm(runtime, tx, updated, now)  # a new chain; the old pending firing no longer matches
            store.save_schedule(tx, updated)
            return updated.arn

        return await self.store.write(run)

    async def delete_schedule(self, account: str, region: str, name: str, group: str | None) -> None:
        check_name(name)
        await self.store.write(
            lambda tx: store.delete_schedule(tx, _require_schedule(tx, account, region, name, group).id)
        )

    async def list_schedules(
        self,
        account: str,
        region: str,
        group: str | None,
        name_prefix: str | None,
        state: str | None,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[list[Schedule], str | None]:
        """A page of schedules and the token of the next one."""
        check_name(name_prefix, "namePrefix")

        def run(tx: Tx) -> list[Schedule]:
            if group is not None:
                _require_group(tx, account, region, group)
            return store.list_schedules(tx, account, region, group, name_prefix or "", state, next_token or "")

        found = await self.store.read(run)
        limit = max_results or PAGE
        token = f"{found[limit - 1].group_name}/{found[limit - 1].name}" if len(found) > limit else None
        return found[:limit], token


def backend(ctx: RequestContext) -> SchedulerBackend:
    return ctx.runtime.state(SchedulerBackend)


def _require_group(tx: Tx, account: str, region: str, name: str | None) -> Group:
    group = store.get_group(tx, account, region, name or DEFAULT_GROUP)
    if group is None:
        raise no_group(name or DEFAULT_GROUP)
    return group


def _require_schedule(tx: Tx, account: str, region: str, name: str, group: str | None) -> Schedule:
    _require_group(tx, account, region, group)
    schedule = store.get_schedule(tx, account, region, group or DEFAULT_GROUP, name)
    if schedule is None:
        raise no_schedule(name)
    return schedule


def _tagged(tx: Tx, arn: str) -> Group:
    account, region, name = group_of_arn(arn)
    group = store.get_group(tx, account, region, name)
    if group is None:
        raise no_group(name)
    return group
