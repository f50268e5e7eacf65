"""AWS::Logs::LogGroup, AWS::Logs::LogStream, AWS::Logs::SubscriptionFilter, AWS::Logs::MetricFilter and
AWS::Logs::ResourcePolicy through CloudWatch Logs' operations."""

from __future__ import annotations

import json
from typing import Any

from ..caller import ServiceCallError
from .base import Context, Created, Provider, required, tags_map


class LogGroup(Provider):
    type = "AWS::Logs::LogGroup"
    tags_in_place = True
    system_tags = False
    replace = frozenset({"LogGroupName", "LogGroupClass"})
    name_property = "LogGroupName"

    drift = frozenset({"RetentionInDays", "KmsKeyId", "LogGroupClass"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        found = await ctx.aws("logs", "DescribeLogGroups", {"logGroupNamePrefix": physical_id})
        group = next((g for g in found.get("logGroups") or [] if g.get("logGroupName") == physical_id), None)
        if group is None:
            raise ServiceCallError("CloudWatch Logs", "ResourceNotFoundException", "The log group does not exist", 400)
        names = {"retentionInDays": "RetentionInDays", "kmsKeyId": "KmsKeyId", "logGroupClass": "LogGroupClass"}
        return {names[k]: v for k, v in group.items() if k in names}

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("LogGroupName") or ctx.name(512)
        params: dict[str, Any] = {"logGroupName": name}
        tags = tags_map(props, ctx.tags)
        if tags:
            params["tags"] = tags
        if props.get("KmsKeyId"):
            params["kmsKeyId"] = props["KmsKeyId"]
        if props.get("LogGroupClass"):
            params["logGroupClass"] = props["LogGroupClass"]
        await ctx.aws("logs", "CreateLogGroup", params)
        if props.get("RetentionInDays") is not None:
            await ctx.aws(
                "logs", "PutRetentionPolicy", {"logGroupName": name, "retentionInDays": int(props["RetentionInDays"])}
            )
        return Created(name, {"Arn": ctx.arn("logs", f"log-group:{name}:*")})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if new.get("RetentionInDays") is not None:
            await ctx.aws(
                "logs",
                "PutRetentionPolicy",
                {"logGroupName": physical_id, "retentionInDays": int(new["RetentionInDays"])},
            )
        elif old.get("RetentionInDays") is not None:
            await ctx.aws("logs", "DeleteRetentionPolicy", {"logGroupName": physical_id})
        tags = tags_map(new, ctx.tags)
        if tags != tags_map(old, ctx.old_tags):
            gone = [k for k in tags_map(old, ctx.old_tags) if k not in tags]
            if gone:
                await ctx.aws("logs", "UntagResource", {"resourceArn": attributes["Arn"][:-2], "tagKeys": gone})
            if tags:
                await ctx.aws("logs", "TagResource", {"resourceArn": attributes["Arn"][:-2], "tags": tags})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("logs", "DeleteLogGroup", {"logGroupName": physical_id})


class LogStream(Provider):
    type = "AWS::Logs::LogStream"
    system_tags = False
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        group = required(props, "LogGroupName")
        name = props.get("LogStreamName") or ctx.name(512)
        await ctx.aws("logs", "CreateLogStream", {"logGroupName": group, "logStreamName": name})
        return Created(name, {"LogGroupName": group})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("logs", "DeleteLogStream", {"logGroupName": props["LogGroupName"], "logStreamName": physical_id})


class SubscriptionFilter(Provider):
    type = "AWS::Logs::SubscriptionFilter"
    system_tags = False
    replace = frozenset({"FilterName", "LogGroupName"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("FilterName") or ctx.name(512)
        await self._put(ctx, name, props)
        return Created(name, {})

    async def _put(self, ctx: Context, name: str, props: dict[str, Any]) -> None:
        params: dict[str, Any] = {
            "logGroupName": required(props, "LogGroupName"),
            "filterName": name,
            "filterPattern": str(props.get("FilterPattern", "")),
            "destinationArn": required(props, "DestinationArn"),
        }
        if props.get("RoleArn"):
            params["roleArn"] = props["RoleArn"]
        if props.get("Distribution"):
            params["distribution"] = props["Distribution"]
        await ctx.aws("logs", "PutSubscriptionFilter", params)

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(ctx, physical_id, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws(
            "logs", "DeleteSubscriptionFilter", {"logGroupName": props["LogGroupName"], "filterName": physical_id}
        )


PROVIDERS = [LogGroup(), LogStream(), SubscriptionFilter()]


class MetricFilter(Provider):
    type = "AWS::Logs::MetricFilter"
    system_tags = False
    replace = frozenset({"FilterName", "LogGroupName"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("FilterName") or ctx.name(512)
        await self._put(ctx, name, props)
        return Created(name, {})

    async def _put(self, ctx: Context, name: str, props: dict[str, Any]) -> None:
        transformations = []
        for item in required(props, "MetricTransformations"):
            entry = dict(item)
            if "MetricValue" in entry:
                entry["MetricValue"] = str(entry["MetricValue"])
            if "DefaultValue" in entry:
                entry["DefaultValue"] = float(entry["DefaultValue"])
            if isinstance(entry.get("Dimensions"), list):  # [{Key, Value}] in the template, a map in the API
                entry["Dimensions"] = {str(d["Key"]): str(d["Value"]) for d in entry["Dimensions"]}
            transformations.append(entry)
        await ctx.aws(
            "logs",
            "PutMetricFilter",
            {
                "logGroupName": required(props, "LogGroupName"),
                "filterName": name,
                "filterPattern": str(props.get("FilterPattern", "")),
                "metricTransformations": [{k[0].lower() + k[1:]: v for k, v in t.items()} for t in transformations],
            },
        )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(ctx, physical_id, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("logs", "DeleteMetricFilter", {"logGroupName": props["LogGroupName"], "filterName": physical_id})


PROVIDERS.append(MetricFilter())


class ResourcePolicy(Provider):
    """The account's resource policy (Ref: its name), replaced in place by PutResourcePolicy."""

    type = "AWS::Logs::ResourcePolicy"
    system_tags = False
    replace = frozenset({"PolicyName"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = required(props, "PolicyName")
        await self._put(ctx, name, props)
        return Created(name, {})

    async def _put(self, ctx: Context, name: str, props: dict[str, Any]) -> None:
        document = required(props, "PolicyDocument")
        document = document if isinstance(document, str) else json.dumps(document)
        await ctx.aws("logs", "PutResourcePolicy", {"policyName": name, "policyDocument": document})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(ctx, physical_id, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("logs", "DeleteResourcePolicy", {"policyName": physical_id})


PROVIDERS.append(ResourcePolicy())
