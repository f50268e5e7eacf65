"""AWS::SQS::Queue and AWS::SQS::QueuePolicy through SQS's operations."""

from __future__ import annotations

import json
from typing import Any

from .base import Context, Created, Provider, required, tags_map, text_map

_NOT_ATTRIBUTES = ("QueueName", "Tags")


def _attributes(props: dict[str, Any]) -> dict[str, str]:
    return text_map({k: v for k, v in props.items() if k not in _NOT_ATTRIBUTES})


class Queue(Provider):
    type = "AWS::SQS::Queue"
    tags_in_place = True
    replace = frozenset({"QueueName", "FifoQueue"})
    name_property = "QueueName"

    drift = frozenset(
        {
            "DelaySeconds",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds",
            "VisibilityTimeout",
            "RedrivePolicy",
            "RedriveAllowPolicy",
            "ContentBasedDeduplication",
            "FifoQueue",
            "KmsMasterKeyId",
            "SqsManagedSseEnabled",
        }
    )

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        found = await ctx.aws("sqs", "GetQueueAttributes", {"QueueUrl": physical_id, "AttributeNames": ["All"]})
        live: dict[str, Any] = {k: v for k, v in (found.get("Attributes") or {}).items() if k in self.drift}
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            if key in live:
                live[key] = json.loads(live[key])
        return live

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        fifo = str(props.get("FifoQueue", "")).lower() == "true"
        name = props.get("QueueName") or (ctx.name(75) + ".fifo" if fifo else ctx.name(80))
        params: dict[str, Any] = {"QueueName": name, "Attributes": _attributes(props)}
        tags = tags_map(props, ctx.tags)
        if tags:
            params["tags"] = tags
        url = (await ctx.aws("sqs", "CreateQueue", params))["QueueUrl"]
        arn = ctx.arn("sqs", name)
        return Created(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        changed = _attributes(new)
        for key in _attributes(old):
            if key not in changed:
                changed[key] = {"RedrivePolicy": "", "RedriveAllowPolicy": "", "Policy": ""}.get(key, "")
        changed = {k: v for k, v in changed.items() if v != "" or k in ("RedrivePolicy", "Policy")}
        if changed:
            await ctx.aws("sqs", "SetQueueAttributes", {"QueueUrl": physical_id, "Attributes": changed})
        old_tags, new_tags = tags_map(old, ctx.old_tags), tags_map(new, ctx.tags)
        gone = [k for k in old_tags if k not in new_tags]
        if gone:
            await ctx.aws("sqs", "UntagQueue", {"QueueUrl": physical_id, "TagKeys": gone})
        if new_tags and new_tags != old_tags:
            await ctx.aws("sqs", "TagQueue", {"QueueUrl": physical_id, "Tags": new_tags})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("sqs", "DeleteQueue", {"QueueUrl": physical_id})


class QueuePolicy(Provider):
    type = "AWS::SQS::QueuePolicy"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        await self._apply(ctx, props)
        return Created(ctx.name(), {})

    async def _apply(self, ctx: Context, props: dict[str, Any]) -> None:
        document = required(props, "PolicyDocument")
        policy = document if isinstance(document, str) else json.dumps(document)
        for url in required(props, "Queues"):
            await ctx.aws("sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"Policy": policy}})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        for url in set(old.get("Queues") or []) - set(new.get("Queues") or []):
            await ctx.aws("sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"Policy": ""}})
        await self._apply(ctx, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        for url in props.get("Queues") or []:
            try:
                await ctx.aws("sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"Policy": ""}})
            except Exception as error:  # the queue went first: nothing left to clear
                if "NonExistentQueue" not in str(getattr(error, "code", "")):
                    raise


PROVIDERS = [Queue(), QueuePolicy()]


class QueueInlinePolicy(Provider):
    type = "AWS::SQS::QueueInlinePolicy"
    replace = frozenset({"Queue"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        await self._put(ctx, props)
        return Created(str(props["Queue"]), {})

    async def _put(self, ctx: Context, props: dict[str, Any]) -> None:
        document = required(props, "PolicyDocument")
        policy = document if isinstance(document, str) else json.dumps(document)
        await ctx.aws(
            "sqs", "SetQueueAttributes", {"QueueUrl": required(props, "Queue"), "Attributes": {"Policy": policy}}
        )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(ctx, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("sqs", "SetQueueAttributes", {"QueueUrl": physical_id, "Attributes": {"Policy": ""}})


PROVIDERS.append(QueueInlinePolicy())
