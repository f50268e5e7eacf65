"""AWS::Events::Rule, AWS::Events::EventBus, AWS::Events::Archive and AWS::Scheduler::Schedule(Group) through
EventBridge's and EventBridge Scheduler's operations."""

from __future__ import annotations

import json
from typing import Any

from .base import Context, Created, Provider, required, tag_changes, tags_list

_RULE_FIELDS = ("ScheduleExpression", "State", "Description", "RoleArn", "EventBusName")


def _rule_params(name: str, props: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"Name": name}
    for key in _RULE_FIELDS:
        if props.get(key) is not None:
            params[key] = props[key]
    if props.get("EventPattern") is not None:
        pattern = props["EventPattern"]
        params["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
    return params


def _targets(props: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for target in props.get("Targets") or []:
        entry = dict(target)
        if isinstance(entry.get("Input"), dict):
            entry["Input"] = json.dumps(entry["Input"])
        out.append(entry)
    return out


class Rule(Provider):
    type = "AWS::Events::Rule"
    tags_in_place = True
    replace = frozenset({"Name", "EventBusName"})
    name_property = "Name"

    drift = frozenset({"ScheduleExpression", "EventPattern", "State", "Description", "RoleArn"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        bus, _, name = physical_id.rpartition("|")
        params = {"Name": name, **({"EventBusName": bus} if bus else {})}
        rule = await ctx.aws("events", "DescribeRule", params)
        live = {k: v for k, v in rule.items() if k in self.drift}
        if isinstance(live.get("EventPattern"), str):
            live["EventPattern"] = json.loads(live["EventPattern"])
        return live

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("Name") or ctx.name(64)
        params = _rule_params(name, props)
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        arn = (await ctx.aws("events", "PutRule", params))["RuleArn"]
        targets = _targets(props)
        if targets:
            await ctx.aws("events", "PutTargets", {"Rule": name, "EventBusName": _bus(props), "Targets": targets})
        bus = props.get("EventBusName")
        physical = f"{bus}|{name}" if bus and bus != "default" else name
        return Created(physical, {"Arn": arn})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        name = physical_id.split("|")[-1]
        await ctx.aws("events", "PutRule", _rule_params(name, new))
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("events", "UntagResource", {"ResourceARN": attributes["Arn"], "TagKeys": gone})
        if changed:
            await ctx.aws(
                "events",
                "TagResource",
                {"ResourceARN": attributes["Arn"], "Tags": [{"Key": k, "Value": v} for k, v in changed.items()]},
            )
        keep = {t["Id"] for t in new.get("Targets") or []}
        gone = [t["Id"] for t in old.get("Targets") or [] if t["Id"] not in keep]
        if gone:
            await ctx.aws("events", "RemoveTargets", {"Rule": name, "EventBusName": _bus(new), "Ids": gone})
        if _targets(new):
            await ctx.aws("events", "PutTargets", {"Rule": name, "EventBusName": _bus(new), "Targets": _targets(new)})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        name = physical_id.split("|")[-1]
        ids = [t["Id"] for t in props.get("Targets") or []]
        if ids:
            await ctx.aws("events", "RemoveTargets", {"Rule": name, "EventBusName": _bus(props), "Ids": ids})
        await ctx.aws("events", "DeleteRule", {"Name": name, "EventBusName": _bus(props)})


def _bus(props: dict[str, Any]) -> str:
    return str(props.get("EventBusName") or "default")


class EventBus(Provider):
    type = "AWS::Events::EventBus"
    tags_in_place = True
    replace = frozenset({"Name", "EventSourceName"})
    name_property = "Name"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = str(required(props, "Name"))
        params: dict[str, Any] = {"Name": name}
        for key in ("EventSourceName", "Description", "KmsKeyIdentifier", "DeadLetterConfig"):
            if props.get(key) is not None:
                params[key] = props[key]
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        arn = (await ctx.aws("events", "CreateEventBus", params))["EventBusArn"]
        if props.get("Policy") is not None:
            policy = props["Policy"]
            await ctx.aws(
                "events",
                "PutPermission",
                {"EventBusName": name, "Policy": policy if isinstance(policy, str) else json.dumps(policy)},
            )
        return Created(name, {"Arn": arn, "Name": name})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"Name": physical_id}
        for key in ("Description", "KmsKeyIdentifier", "DeadLetterConfig"):
            if new.get(key) is not None:
                params[key] = new[key]
        await ctx.aws("events", "UpdateEventBus", params)
        if new.get("Policy") != old.get("Policy") and new.get("Policy") is not None:
            policy = new["Policy"]
            await ctx.aws(
                "events",
                "PutPermission",
                {"EventBusName": physical_id, "Policy": policy if isinstance(policy, str) else json.dumps(policy)},
            )
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("events", "UntagResource", {"ResourceARN": attributes["Arn"], "TagKeys": gone})
        if changed:
            tags = [{"Key": k, "Value": v} for k, v in changed.items()]
            await ctx.aws("events", "TagResource", {"ResourceARN": attributes["Arn"], "Tags": tags})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("events", "DeleteEventBus", {"Name": physical_id})


class Archive(Provider):
    type = "AWS::Events::Archive"
    replace = frozenset({"ArchiveName", "SourceArn"})
    name_property = "ArchiveName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("ArchiveName") or ctx.name(48)
        params: dict[str, Any] = {"ArchiveName": name, "EventSourceArn": required(props, "SourceArn")}
        if props.get("Description") is not None:
            params["Description"] = props["Description"]
        if props.get("EventPattern") is not None:
            pattern = props["EventPattern"]
            params["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if props.get("RetentionDays") is not None:
            params["RetentionDays"] = int(props["RetentionDays"])
        arn = (await ctx.aws("events", "CreateArchive", params))["ArchiveArn"]
        return Created(name, {"Arn": arn, "ArchiveName": name})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"ArchiveName": physical_id}
        if new.get("Description") is not None:
            params["Description"] = new["Description"]
        if new.get("EventPattern") is not None:
            pattern = new["EventPattern"]
            params["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if new.get("RetentionDays") is not None:
            params["RetentionDays"] = int(new["RetentionDays"])
        await ctx.aws("events", "UpdateArchive", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("events", "DeleteArchive", {"ArchiveName": physical_id})


_SCHEDULE_FIELDS = (
    "GroupName",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "StartDate",
    "EndDate",
    "Description",
    "State",
    "KmsKeyArn",
    "FlexibleTimeWindow",
    "Target",
    "ActionAfterCompletion",
)


def _schedule(name: str, props: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"Name": name}
    for key in _SCHEDULE_FIELDS:
        if props.get(key) is not None:
            params[key] = props[key]
    window = params.get("FlexibleTimeWindow")
    if isinstance(window, dict) and "MaximumWindowInMinutes" in window:
        params["FlexibleTimeWindow"] = {**window, "MaximumWindowInMinutes": int(window["MaximumWindowInMinutes"])}
    return params


class Schedule(Provider):
    type = "AWS::Scheduler::Schedule"
    replace = frozenset({"Name", "GroupName"})
    name_property = "Name"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("Name") or ctx.name(64)
        arn = (await ctx.aws("scheduler", "CreateSchedule", _schedule(name, props)))["ScheduleArn"]
        return Created(name, {"Arn": arn})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws("scheduler", "UpdateSchedule", _schedule(physical_id, new))
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        params: dict[str, Any] = {"Name": physical_id}
        if props.get("GroupName"):
            params["GroupName"] = props["GroupName"]
        await ctx.aws("scheduler", "DeleteSchedule", params)


class ScheduleGroup(Provider):
    type = "AWS::Scheduler::ScheduleGroup"
    tags_in_place = True
    replace = frozenset({"Name"})
    name_property = "Name"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("Name") or ctx.name(64)
        params: dict[str, Any] = {"Name": name}
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        arn = (await ctx.aws("scheduler", "CreateScheduleGroup", params))["ScheduleGroupArn"]
        return Created(name, {"Arn": arn})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        old_tags, new_tags = tags_list(old, ctx.old_tags), tags_list(new, ctx.tags)
        gone = [t["Key"] for t in old_tags if t["Key"] not in {n["Key"] for n in new_tags}]
        if gone:
            await ctx.aws("scheduler", "UntagResource", {"ResourceArn": attributes["Arn"], "TagKeys": gone})
        if new_tags:
            await ctx.aws("scheduler", "TagResource", {"ResourceArn": attributes["Arn"], "Tags": new_tags})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("scheduler", "DeleteScheduleGroup", {"Name": physical_id})


PROVIDERS = [Rule(), EventBus(), Archive(), Schedule(), ScheduleGroup()]
