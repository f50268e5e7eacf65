"""Subscription operations: Subscribe, ConfirmSubscription, Unsubscribe, attributes and listings (SnsBackend's
Subscriptions part, subscriptions.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend


@SERVICE.op("Subscribe")
async def subscribe(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = await backend(ctx).subscribe(
        caller(ctx),
        ctx.region,
        req["TopicArn"],
        req["Protocol"],
        req.get("Endpoint"),
        req.get("Attributes"),
        bool(req.get("ReturnSubscriptionArn")),
        ctx.request.base_url,
    )
    return {"SubscriptionArn": arn}


@SERVICE.op("ConfirmSubscription")
async def confirm_subscription(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    # the SubscribeURL is opened by anyone with a browser: an unsigned confirmation is not "authenticated"
    arn = await backend(ctx).confirm_subscription(
        req["TopicArn"], req["Token"], bool(ctx.access_key), req.get("AuthenticateOnUnsubscribe")
    )
    return {"SubscriptionArn": arn}


@SERVICE.op("Unsubscribe")
async def unsubscribe(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).unsubscribe(caller(ctx), req["SubscriptionArn"], bool(ctx.access_key), ctx.request.base_url)


@SERVICE.op("GetSubscriptionAttributes")
async def get_subscription_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": await backend(ctx).get_subscription_attributes(caller(ctx), req["SubscriptionArn"])}


@SERVICE.op("SetSubscriptionAttributes")
async def set_subscription_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_subscription_attributes(
        caller(ctx), req["SubscriptionArn"], req["AttributeName"], req.get("AttributeValue")
    )


@SERVICE.op("ListSubscriptions")
async def list_subscriptions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    page = await backend(ctx).list_subscriptions(ctx.account, ctx.region, req.get("NextToken"))
    return page.shape("Subscriptions", page.items)


@SERVICE.op("ListSubscriptionsByTopic")
async def list_subscriptions_by_topic(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    page = await backend(ctx).list_subscriptions_by_topic(
        caller(ctx), ctx.region, req["TopicArn"], req.get("NextToken")
    )
    return page.shape("Subscriptions", page.items)
