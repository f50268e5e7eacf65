"""Topic operations: create, delete, list, attributes, tags, permissions, data protection policy (SnsBackend's
Topics part, topics.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend


@SERVICE.op("CreateTopic")
async def create_topic(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = await backend(ctx).create_topic(
        ctx.account, ctx.region, req["Name"], req.get("Attributes"), req.get("Tags"), req.get("DataProtectionPolicy")
    )
    return {"TopicArn": arn}


@SERVICE.op("DeleteTopic")
async def delete_topic(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_topic(caller(ctx), ctx.region, req["TopicArn"])


@SERVICE.op("ListTopics")
async def list_topics(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    page = await backend(ctx).list_topics(ctx.account, ctx.region, req.get("NextToken"))
    return page.shape("Topics", [{"TopicArn": arn} for arn in page.items])


@SERVICE.op("GetTopicAttributes")
async def get_topic_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": await backend(ctx).get_topic_attributes(caller(ctx), ctx.region, req["TopicArn"])}


@SERVICE.op("SetTopicAttributes")
async def set_topic_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_topic_attributes(
        caller(ctx), ctx.region, req["TopicArn"], req["AttributeName"], req.get("AttributeValue")
    )


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(caller(ctx), ctx.region, req["ResourceArn"], req.get("Tags"))
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(caller(ctx), ctx.region, req["ResourceArn"], req.get("TagKeys") or [])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await backend(ctx).list_tags_for_resource(caller(ctx), ctx.region, req["ResourceArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


@SERVICE.op("AddPermission")
async def add_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).add_permission(
        caller(ctx), ctx.region, req["TopicArn"], req["Label"], req["AWSAccountId"], req["ActionName"]
    )


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).remove_permission(caller(ctx), ctx.region, req["TopicArn"], req["Label"])


@SERVICE.op("GetDataProtectionPolicy")
async def get_data_protection_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "DataProtectionPolicy": await backend(ctx).get_data_protection_policy(
            caller(ctx), ctx.region, req["ResourceArn"]
        )
    }


@SERVICE.op("PutDataProtectionPolicy")
async def put_data_protection_policy(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_data_protection_policy(
        caller(ctx), ctx.region, req["ResourceArn"], req["DataProtectionPolicy"]
    )
