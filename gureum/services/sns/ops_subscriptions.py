"""Subscription operations: Subscribe (with the HTTP/S and e-mail confirmation handshake), ConfirmSubscription,
Unsubscribe, attributes and listings."""

from __future__ import annotations

import re
import secrets
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, arns, limits, store, store_mobile, subscriptions
from .backend import SnsBackend, backend
from .errors import AuthorizationError, InvalidParameter, NotFound, invalid, no_subscription, no_topic
from .fanout import send_confirmation
from .ops_topics import in_topic, page_token, read_page_token
from .store import Subscription, Topic

PENDING = "pending confirmation"  # what Subscribe answers until the endpoint confirms
_SMS_SEPARATORS = re.compile(r"[./-]")


def _check_endpoint(tx: Tx, topic: Topic, protocol: str, endpoint: str | None, attributes: dict[str, Any]) -> str:
    if protocol not in limits.PROTOCOLS:
        raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
    if topic.fifo and protocol != "sqs":
        raise invalid(f"Invalid protocol type: {protocol}")
    if not endpoint:
        raise invalid("Endpoint")
    if protocol in ("http", "https"):
        if not endpoint.startswith(f"{protocol}://"):
            raise invalid("Endpoint must match the specified protocol")
    elif protocol in ("email", "email-json"):
        if not limits.EMAIL.match(endpoint):
            raise invalid("Email address")
    elif protocol == "sms":
        # AWS accepts '.', '-' and '/' between digits ("+1-555-0100"), never two in a row or at an end
        if re.search(r"[./-]{2,}|^[./-]|[./-]$", endpoint) or not limits.E164.match(_SMS_SEPARATORS.sub("", endpoint)):
            raise InvalidParameter(f"Invalid SMS endpoint: {endpoint}")
    elif protocol == "sqs":
        if arns.queue(endpoint) is None:
            raise invalid("SQS endpoint ARN")
        if endpoint.endswith(".fifo") and not topic.fifo:
            raise invalid("Invalid parameter: Endpoint", "FIFO SQS Queues can not be subscribed to standard SNS topics")
    elif protocol == "lambda":
        arn = arns.split(endpoint)
        if arn is None or arn.service != "lambda" or not arn.resource.startswith("function:"):
            raise invalid("Lambda endpoint ARN")
    elif protocol == "firehose":
        arn = arns.split(endpoint)
        if arn is None or arn.service != "firehose" or not arn.resource.startswith("deliverystream/"):
            raise invalid("Firehose endpoint ARN")
        if not attributes.get("SubscriptionRoleArn"):
            raise invalid("Attributes", "SubscriptionRoleArn is required for firehose subscriptions")
    elif protocol == "application":
        if not arns.is_endpoint(endpoint):
            raise invalid("ApplicationEndpoint ARN")
        if store_mobile.get_endpoint(tx, endpoint) is None:
            raise NotFound("Endpoint does not exist")
    return endpoint


def new_token(be: SnsBackend) -> tuple[str, int]:
    """A confirmation token (288 hex characters, as AWS's) and when it stops working."""
    return secrets.token_hex(144), be.now_ms() + limits.TOKEN_VALID_SECONDS * 1000


@SERVICE.op("Subscribe")
async def subscribe(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    topic_arn = arns.topic(req["TopicArn"], ctx.region).text
    protocol, endpoint = req["Protocol"], req.get("Endpoint")
    attributes: dict[str, Any] = dict(req.get("Attributes") or {})
    return_arn = bool(req.get("ReturnSubscriptionArn"))
    be = backend(ctx)
    base_url = ctx.request.base_url
    now = be.now()

    def new(topic: Topic, where: str) -> Subscription:
        needs_confirmation = protocol in limits.CONFIRMED_BY_ENDPOINT
        sub = Subscription(
            0, arns.new_subscription(topic_arn), topic_arn, topic.account, topic.region, ctx.account, protocol, where,
            confirmed=not needs_confirmation, authenticated=not needs_confirmation, created_at=now,
        )  # fmt: skip
        subscriptions.apply_all(sub, topic, attributes)
        if needs_confirmation:
            sub.token, sub.token_expires = new_token(be)
        return sub

    def run(tx: Tx) -> str:
        topic = store.get_topic(tx, topic_arn)
        if topic is None:
            raise no_topic()
        where = _check_endpoint(tx, topic, protocol, endpoint, attributes)
        existing = store.find_subscription(tx, topic_arn, protocol, where)
        if existing is None:
            sub = new(topic, where)
            if store.insert_subscription(tx, sub):
                if not sub.confirmed:
                    send_confirmation(be, tx, topic, sub, base_url)
                return sub.arn if sub.confirmed or return_arn else PENDING
            existing = store.find_subscription(tx, topic_arn, protocol, where)  # a concurrent Subscribe won
            assert existing is not None
        if attributes and not subscriptions.same_settings(existing, topic, attributes):
            raise invalid("Attributes", "Subscription already exists with different attributes")
        if not existing.confirmed:
            send_confirmation(be, tx, topic, existing, base_url)  # each Subscribe sends the confirmation again
        return existing.arn if existing.confirmed or return_arn else PENDING

    return {"SubscriptionArn": await ctx.runtime.store.write(run)}


@SERVICE.op("ConfirmSubscription")
async def confirm_subscription(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    topic_text, token = req["TopicArn"], req["Token"]
    topic_arn = arns.split(topic_text)
    if topic_arn is None or topic_arn.service != "sns":
        raise invalid("Topic")
    if not limits.HEX_TOKEN.match(token):
        raise InvalidParameter("Invalid token")
    # the SubscribeURL is opened by anyone with a browser: an unsigned confirmation is not "authenticated"
    authenticated = bool(ctx.access_key)
    only_owner = str(req.get("AuthenticateOnUnsubscribe") or "").lower() == "true"
    be = backend(ctx)
    now_ms = be.now_ms()

    def run(tx: Tx) -> str:
        sub = store.subscription_by_token(tx, token)
        if sub is None or (sub.token_expires or 0) < now_ms:
            raise invalid("Token")
        if sub.topic_arn != topic_text:  # a real token with another topic (or Region) in the ARN
            raise invalid("Topic")
        if sub.deleted_at is None and sub.confirmed:
            return sub.arn  # confirming twice is harmless
        if sub.deleted_at is not None:
            twin = store.find_subscription(tx, sub.topic_arn, sub.protocol, sub.endpoint)
            if twin is not None:  # the endpoint subscribed again meanwhile: that subscription stands
                store.delete_subscription(tx, sub.id)
                return twin.arn
        sub.deleted_at = None
        sub.confirmed = True
        sub.authenticated = authenticated
        sub.auth_unsubscribe = only_owner and authenticated
        store.update_subscription(tx, sub)
        return sub.arn

    return {"SubscriptionArn": await ctx.runtime.store.write(run)}


@SERVICE.op("Unsubscribe")
async def unsubscribe(ctx: RequestContext, req: dict[str, Any]) -> None:
    arn = arns.subscription(req["SubscriptionArn"]).text
    authenticated = bool(ctx.access_key)
    be = backend(ctx)
    base_url = ctx.request.base_url

    def run(tx: Tx) -> None:
        sub = store.get_subscription(tx, arn)
        if sub is None:
            return  # unsubscribing twice is harmless
        if sub.auth_unsubscribe and not authenticated:
            raise AuthorizationError(
                "Unsubscribe of this subscription requires authentication (it was confirmed with AuthenticateOnUnsubscribe)."
            )
        store.count_deleted(tx, sub.topic_arn)
        topic = store.get_topic(tx, sub.topic_arn)
        if not authenticated and topic is not None and sub.protocol in ("http", "https"):
            # an unauthenticated unsubscribe (the UnsubscribeURL) tells the endpoint, whose SubscribeURL restores it
            sub.deleted_at = be.now_ms()
            sub.token, sub.token_expires = new_token(be)
            store.update_subscription(tx, sub)
            send_confirmation(be, tx, topic, sub, base_url, kind="UnsubscribeConfirmation")
            return
        store.delete_subscription(tx, sub.id)

    await ctx.runtime.store.write(run)


@SERVICE.op("GetSubscriptionAttributes")
async def get_subscription_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = arns.subscription(req["SubscriptionArn"]).text

    def run(tx: Tx) -> dict[str, str]:
        sub = store.get_subscription(tx, arn)
        if sub is None:
            raise no_subscription()
        topic = store.get_topic(tx, sub.topic_arn)
        return subscriptions.view(sub, topic.attributes.get("DeliveryPolicy") if topic else None)

    return {"Attributes": await ctx.runtime.store.read(run)}


@SERVICE.op("SetSubscriptionAttributes")
async def set_subscription_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    arn = arns.subscription(req["SubscriptionArn"]).text

    def run(tx: Tx) -> None:
        sub = store.get_subscription(tx, arn)
        topic = store.get_topic(tx, sub.topic_arn) if sub is not None else None
        if sub is None or topic is None:
            raise no_subscription()
        subscriptions.apply(sub, topic, req["AttributeName"], req.get("AttributeValue"), subscribe=False)
        store.update_subscription(tx, sub)

    await ctx.runtime.store.write(run)


def _listing(subs: list[Subscription]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Subscriptions": [
            {
                "SubscriptionArn": s.arn if s.confirmed else "PendingConfirmation",
                "Owner": s.owner,
                "Protocol": s.protocol,
                "Endpoint": s.endpoint,
                "TopicArn": s.topic_arn,
            }
            for s in subs[: limits.PAGE_SIZE]
        ]
    }
    if len(subs) > limits.PAGE_SIZE:
        out["NextToken"] = page_token(subs[limits.PAGE_SIZE - 1].id)
    return out


@SERVICE.op("ListSubscriptions")
async def list_subscriptions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = read_page_token(req.get("NextToken"))
    subs = await ctx.runtime.store.read(
        lambda tx: store.list_subscriptions(
            tx, topic_arn=None, owner=ctx.account, region=ctx.region, after=after, limit=limits.PAGE_SIZE + 1
        )
    )
    return _listing(subs)


@SERVICE.op("ListSubscriptionsByTopic")
async def list_subscriptions_by_topic(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = read_page_token(req.get("NextToken"))

    def run(tx: Tx, topic: Topic) -> list[Subscription]:
        return store.list_subscriptions(
            tx, topic_arn=topic.arn, owner=ctx.account, region=ctx.region, after=after, limit=limits.PAGE_SIZE + 1
        )

    return _listing(await in_topic(ctx, req["TopicArn"], run, write=False))
