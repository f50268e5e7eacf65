"""AWS::SNS::Topic, AWS::SNS::Subscription, AWS::SNS::TopicPolicy through SNS's operations."""

from __future__ import annotations

import json
from typing import Any

from .base import Context, Created, Provider, required, tags_list, text_map

_TOPIC_ATTRIBUTES = (
    "DisplayName",
    "KmsMasterKeyId",
    "ContentBasedDeduplication",
    "SignatureVersion",
    "TracingConfig",
    "ArchivePolicy",
    "DeliveryStatusLogging",
)
_SUB_ATTRIBUTES = (
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "DeliveryPolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
)


class Topic(Provider):
    type = "AWS::SNS::Topic"
    tags_in_place = True
    replace = frozenset({"TopicName", "FifoTopic"})
    name_property = "TopicName"

    drift = frozenset({"DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId", "TracingConfig"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        found = await ctx.aws("sns", "GetTopicAttributes", {"TopicArn": physical_id})
        return {k: v for k, v in (found.get("Attributes") or {}).items() if k in self.drift}

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        fifo = str(props.get("FifoTopic", "")).lower() == "true"
        name = props.get("TopicName") or (ctx.name(251) + ".fifo" if fifo else ctx.name(256))
        attributes = text_map({k: props[k] for k in _TOPIC_ATTRIBUTES if k in props and k != "DeliveryStatusLogging"})
        if fifo:
            attributes["FifoTopic"] = "true"
        params: dict[str, Any] = {"Name": name, "Attributes": attributes}
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        arn = (await ctx.aws("sns", "CreateTopic", params))["TopicArn"]
        for sub in props.get("Subscription") or []:
            await ctx.aws(
                "sns", "Subscribe", {"TopicArn": arn, "Protocol": sub["Protocol"], "Endpoint": sub["Endpoint"]}
            )
        return Created(arn, {"TopicArn": arn, "TopicName": name})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        for key in _TOPIC_ATTRIBUTES:
            if key != "DeliveryStatusLogging" and old.get(key) != new.get(key):
                value = text_map({key: new[key]})[key] if key in new else ""
                await ctx.aws(
                    "sns",
                    "SetTopicAttributes",
                    {"TopicArn": physical_id, "AttributeName": key, "AttributeValue": value},
                )
        before = {(s["Protocol"], s["Endpoint"]) for s in old.get("Subscription") or []}
        after = {(s["Protocol"], s["Endpoint"]) for s in new.get("Subscription") or []}
        for protocol, endpoint in after - before:
            await ctx.aws("sns", "Subscribe", {"TopicArn": physical_id, "Protocol": protocol, "Endpoint": endpoint})
        if before - after:
            subs = (await ctx.aws("sns", "ListSubscriptionsByTopic", {"TopicArn": physical_id}))["Subscriptions"]
            for sub in subs:
                if (sub["Protocol"], sub["Endpoint"]) in before - after and sub["SubscriptionArn"].startswith("arn:"):
                    await ctx.aws("sns", "Unsubscribe", {"SubscriptionArn": sub["SubscriptionArn"]})
        old_tags, new_tags = tags_list(old, ctx.old_tags), tags_list(new, ctx.tags)
        if old_tags != new_tags:
            gone = [t["Key"] for t in old_tags if t["Key"] not in {n["Key"] for n in new_tags}]
            if gone:
                await ctx.aws("sns", "UntagResource", {"ResourceArn": physical_id, "TagKeys": gone})
            if new_tags:
                await ctx.aws("sns", "TagResource", {"ResourceArn": physical_id, "Tags": new_tags})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("sns", "DeleteTopic", {"TopicArn": physical_id})


class Subscription(Provider):
    type = "AWS::SNS::Subscription"
    replace = frozenset({"TopicArn", "Protocol", "Endpoint", "Region"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        attributes = text_map({k: props[k] for k in _SUB_ATTRIBUTES if k in props})
        params: dict[str, Any] = {
            "TopicArn": required(props, "TopicArn"),
            "Protocol": required(props, "Protocol"),
            "ReturnSubscriptionArn": True,
        }
        if props.get("Endpoint") is not None:
            params["Endpoint"] = props["Endpoint"]
        if attributes:
            params["Attributes"] = attributes
        arn = (await ctx.aws("sns", "Subscribe", params))["SubscriptionArn"]
        return Created(arn, {"Arn": arn})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        for key in _SUB_ATTRIBUTES:
            if old.get(key) != new.get(key):
                value = text_map({key: new[key]})[key] if key in new else ""
                await ctx.aws(
                    "sns",
                    "SetSubscriptionAttributes",
                    {"SubscriptionArn": physical_id, "AttributeName": key, "AttributeValue": value},
                )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        if physical_id.startswith("arn:"):
            await ctx.aws("sns", "Unsubscribe", {"SubscriptionArn": physical_id})


def _default_policy(ctx: Context, topic: str) -> str:
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "SNS:GetTopicAttributes",
                        "SNS:SetTopicAttributes",
                        "SNS:AddPermission",
                        "SNS:RemovePermission",
                        "SNS:DeleteTopic",
                        "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish",
                    ],
                    "Resource": topic,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": ctx.account}},
                }
            ],
        }
    )


class TopicPolicy(Provider):
    type = "AWS::SNS::TopicPolicy"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        await self._apply(ctx, props)
        return Created(ctx.name(), {"Id": ctx.name()})

    async def _apply(self, ctx: Context, props: dict[str, Any]) -> None:
        document = required(props, "PolicyDocument")
        policy = document if isinstance(document, str) else json.dumps(document)
        for arn in required(props, "Topics"):
            await ctx.aws(
                "sns", "SetTopicAttributes", {"TopicArn": arn, "AttributeName": "Policy", "AttributeValue": policy}
            )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._apply(ctx, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        for arn in props.get("Topics") or []:
            try:
                await ctx.aws(
                    "sns",
                    "SetTopicAttributes",
                    {"TopicArn": arn, "AttributeName": "Policy", "AttributeValue": _default_policy(ctx, arn)},
                )
            except Exception as error:
                if getattr(error, "code", "") != "NotFound":
                    raise


PROVIDERS = [Topic(), Subscription(), TopicPolicy()]


class TopicInlinePolicy(Provider):
    type = "AWS::SNS::TopicInlinePolicy"
    replace = frozenset({"TopicArn"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        await self._put(ctx, props)
        return Created(str(props["TopicArn"]), {})

    async def _put(self, ctx: Context, props: dict[str, Any]) -> None:
        document = required(props, "PolicyDocument")
        policy = document if isinstance(document, str) else json.dumps(document)
        await ctx.aws(
            "sns",
            "SetTopicAttributes",
            {"TopicArn": required(props, "TopicArn"), "AttributeName": "Policy", "AttributeValue": policy},
        )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(ctx, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws(
            "sns",
            "SetTopicAttributes",
            {"TopicArn": physical_id, "AttributeName": "Policy", "AttributeValue": _default_policy(ctx, physical_id)},
        )


PROVIDERS.append(TopicInlinePolicy())
