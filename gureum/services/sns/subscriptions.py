"""Subscriptions: Subscribe (endpoint checks per protocol, and the HTTP/S and e-mail confirmation handshake),
ConfirmSubscription, Unsubscribe (an unauthenticated one tells an HTTP/S endpoint how to restore it), attributes
and listings.  The Subscriptions part of SnsBackend."""

from __future__ import annotations

import re
import secrets
from typing import Any

from ...policy import Caller
from ...store.base import Tx
from . import arns, limits, store, store_mobile
from . import subscription_attributes as attrs
from .access import SUBSCRIPTION_DENIED
from .errors import AuthorizationError, InvalidParameter, NotFound, invalid, no_subscription, no_topic
from .fanout import send_confirmation
from .node import SnsNode
from .paging import Page, page, page_token, read_page_token
from .store import Subscription, Topic

PENDING = "pending confirmation"  # what Subscribe answers until the endpoint confirms
_SMS_SEPARATORS = re.compile(r"[./-]")
_SMS_BAD_SEPARATORS = re.compile(r"[./-]{2,}|^[./-]|[./-]$")
_AUTHENTICATED_UNSUBSCRIBE = (
    "Unsubscribe of this subscription requires authentication (it was confirmed with AuthenticateOnUnsubscribe)."
)


def check_endpoint(tx: Tx, topic: Topic, protocol: str, endpoint: str | None, attributes: dict[str, Any]) -> str:
    """The endpoint, after the checks AWS makes for its protocol."""
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
        if _SMS_BAD_SEPARATORS.search(endpoint) or not limits.E164.match(_SMS_SEPARATORS.sub("", endpoint)):
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


class Subscriptions(SnsNode):
    def new_token(self) -> tuple[str, int]:
        """A confirmation token (288 hex characters, as AWS's) and when it stops working."""
        return secrets.token_hex(144), self.now_ms() + limits.TOKEN_VALID_SECONDS * 1000

    async def subscribe(
        self,
        who: Caller,
        region: str,
        topic_arn: str,
        protocol: str,
        endpoint: str | None,
        attributes: dict[str, Any] | None,
        return_arn: bool,
        base_url: str,
    ) -> str:
        """The subscription's ARN, or PENDING while the endpoint has to confirm it (unless return_arn). The
        caller's access key names the SubscriptionPrincipal; another account's caller needs SNS:Subscribe from
        the topic's policy (sns:Endpoint and sns:Protocol are its condition keys)."""
        arn = arns.topic(topic_arn, region).text
        account = who.account
        wanted: dict[str, Any] = dict(attributes or {})
        now = self.now()
        principal = await self.principal(account, who.access_key)
        keys = {"sns:Protocol": protocol, **({"sns:Endpoint": endpoint} if endpoint is not None else {})}
        access = await self.access(who, arn, "Subscribe", keys)

        def new(topic: Topic, where: str) -> Subscription:
            needs_confirmation = protocol in limits.CONFIRMED_BY_ENDPOINT
            sub = Subscription(
                0, arns.new_subscription(arn), arn, topic.account, topic.region, account, protocol, where,
                confirmed=not needs_confirmation, authenticated=not needs_confirmation, created_at=now,
                principal=principal,
            )  # fmt: skip
            attrs.apply_all(sub, topic, wanted)
            if needs_confirmation:
                sub.token, sub.token_expires = self.new_token()
            return sub

        def answer(sub: Subscription) -> str:
            return sub.arn if sub.confirmed or return_arn else PENDING

        def run(tx: Tx) -> str:
            topic = store.get_topic(tx, arn)
            if access is not None:
                access.check(arn, topic.attributes.get("Policy") if topic is not None else None)
            if topic is None:
                raise no_topic()
            where = check_endpoint(tx, topic, protocol, endpoint, wanted)
            existing = store.find_subscription(tx, arn, protocol, where)
            if existing is None:
                sub = new(topic, where)
                if store.insert_subscription(tx, sub):
                    if not sub.confirmed:
                        send_confirmation(self, tx, topic, sub, base_url)
                    return answer(sub)
                existing = store.find_subscription(tx, arn, protocol, where)  # a concurrent Subscribe won
                assert existing is not None
            if wanted and not attrs.same_settings(existing, topic, wanted):
                raise invalid("Attributes", "Subscription already exists with different attributes")
            if not existing.confirmed:
                send_confirmation(self, tx, topic, existing, base_url)  # each Subscribe sends the confirmation again
            return answer(existing)

        return await self.store.write(run)

    async def confirm_subscription(
        self, topic_arn: str, token: str, authenticated: bool, authenticate_on_unsubscribe: str | None
    ) -> str:
        """``authenticated``: the call was signed (the SubscribeURL, opened by anyone with a browser, is not)."""
        parsed = arns.split(topic_arn)
        if parsed is None or parsed.service != "sns":
            raise invalid("Topic")
        if not limits.HEX_TOKEN.match(token):
            raise InvalidParameter("Invalid token")
        only_owner = str(authenticate_on_unsubscribe or "").lower() == "true"
        now_ms = self.now_ms()

        def run(tx: Tx) -> str:
            tx.lock("sns", topic_arn)  # a subscription's writers take turns per topic
            sub = store.subscription_by_token(tx, token)
            if sub is None or (sub.token_expires or 0) < now_ms:
                raise invalid("Token")
            if sub.topic_arn != topic_arn:  # a real token with another topic (or Region) in the ARN
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

        return await self.store.write(run)

    async def unsubscribe(self, who: Caller, subscription_arn: str, authenticated: bool, base_url: str) -> None:
        """Unsubscribing twice is harmless. A subscription confirmed with AuthenticateOnUnsubscribe is removed only
        by a signed call of its owner or of the topic's owner (Unsubscribe API reference)."""
        arn = arns.subscription(subscription_arn).text

        def run(tx: Tx) -> None:
            tx.lock("sns", arn.rpartition(":")[0])  # the subscription's topic
            sub = store.get_subscription(tx, arn)
            if sub is None:
                return
            if sub.auth_unsubscribe and (not authenticated or who.account not in (sub.owner, sub.account)):
                raise AuthorizationError(_AUTHENTICATED_UNSUBSCRIBE)
            store.count_deleted(tx, sub.topic_arn)
            topic = store.get_topic(tx, sub.topic_arn)
            if not authenticated and topic is not None and sub.protocol in ("http", "https"):
                # an unauthenticated unsubscribe (the UnsubscribeURL) tells the endpoint, whose SubscribeURL
                # restores it
                sub.deleted_at = self.now_ms()
                sub.token, sub.token_expires = self.new_token()
                store.update_subscription(tx, sub)
                send_confirmation(self, tx, topic, sub, base_url, kind="UnsubscribeConfirmation")
                return
            store.delete_subscription(tx, sub.id)

        await self.store.write(run)

    async def get_subscription_attributes(self, who: Caller, subscription_arn: str) -> dict[str, str]:
        """Only the account that subscribed reads a subscription (not even the topic's owner, when another account
        subscribed: "Not authorized to access this subscription")."""
        arn = arns.subscription(subscription_arn).text

        def run(tx: Tx) -> dict[str, str]:
            sub = store.get_subscription(tx, arn)
            if sub is None:
                raise no_subscription()
            if sub.owner != who.account:
                raise AuthorizationError(SUBSCRIPTION_DENIED)
            topic = store.get_topic(tx, sub.topic_arn)
            return attrs.view(sub, topic.attributes.get("DeliveryPolicy") if topic else None)

        return await self.store.read(run)

    async def set_subscription_attributes(
        self, who: Caller, subscription_arn: str, name: str, value: str | None
    ) -> None:
        arn = arns.subscription(subscription_arn).text

        def run(tx: Tx) -> None:
            tx.lock("sns", arn.rpartition(":")[0])  # the subscription's topic
            sub = store.get_subscription(tx, arn)
            topic = store.get_topic(tx, sub.topic_arn) if sub is not None else None
            if sub is None or topic is None:
                raise no_subscription()
            if sub.owner != who.account:
                raise AuthorizationError(SUBSCRIPTION_DENIED)
            attrs.apply(sub, topic, name, value, subscribe=False)
            store.update_subscription(tx, sub)

        await self.store.write(run)

    async def list_subscriptions(self, account: str, region: str, next_token: str | None) -> Page[dict[str, str]]:
        """The subscriptions ``account`` created in ``region``."""
        after = read_page_token(next_token)
        subs = await self.store.read(
            lambda tx: store.list_subscriptions(
                tx, topic_arn=None, owner=account, region=region, after=after, limit=limits.PAGE_SIZE + 1
            )
        )
        return _summaries(subs)

    async def list_subscriptions_by_topic(
        self, who: Caller, region: str, topic_arn: str, next_token: str | None
    ) -> Page[dict[str, str]]:
        after = read_page_token(next_token)

        def run(tx: Tx, topic: Topic) -> list[Subscription]:
            return store.list_subscriptions(
                tx, topic_arn=topic.arn, owner=who.account, region=region, after=after, limit=limits.PAGE_SIZE + 1
            )

        return _summaries(
            await self.in_topic(region, topic_arn, run, write=False, who=who, action="ListSubscriptionsByTopic")
        )


def _summaries(subs: list[Subscription]) -> Page[dict[str, str]]:
    found = page(subs, lambda sub: page_token(sub.id))
    return Page([attrs.summary(sub) for sub in found.items], found.next_token)
