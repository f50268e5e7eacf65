"""Subscription attributes: AWS's checks for Subscribe and SetSubscriptionAttributes (the same rules, worded
"Invalid parameter: Attributes Reason: ..." for Subscribe), GetSubscriptionAttributes' view, the listings' summary,
and compiled filter policies (compiled once per policy text and cached, so a publish never re-parses them)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from ...patterns import SCOPES, FilterPolicy, FilterPolicyError, compile_filter_policy
from . import arns, limits, policies
from .errors import InvalidParameter
from .messages import Attributes
from .store import Subscription, Topic


@functools.lru_cache(maxsize=4096)
def compiled_filter(policy: str, scope: str) -> FilterPolicy:
    return compile_filter_policy(policy, scope)


def _filter(policy: str, scope: str, operation: str) -> None:
    try:
        compiled_filter(policy, scope)
    except FilterPolicyError as error:
        raise InvalidParameter(error.message_for(operation)) from None


def matches(sub: Subscription, attributes: Attributes, body: str) -> bool:
    if not sub.filter_policy:
        return True
    try:
        policy = compiled_filter(sub.filter_policy, sub.filter_scope or "MessageAttributes")
    except FilterPolicyError:
        return False  # stored before a stricter check; AWS would not have accepted it
    return policy.matches(attributes, body)


def apply(sub: Subscription, topic: Topic, name: str, value: str | None, *, subscribe: bool) -> None:
    """Set one attribute on ``sub`` after AWS's checks (raises InvalidParameter)."""
    prefix = "Invalid parameter: Attributes Reason: " if subscribe else "Invalid parameter: "
    operation = "Subscribe" if subscribe else "SetSubscriptionAttributes"
    value = "" if value is None else value
    if name not in limits.SUBSCRIPTION_ATTRIBUTES:
        raise InvalidParameter(f"{prefix}AttributeName")
    if name == "RawMessageDelivery":
        flag = value.lower()
        if flag not in ("true", "false"):
            raise InvalidParameter(f"{prefix}RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
        if flag == "true" and sub.protocol not in limits.RAW_PROTOCOLS:
            raise InvalidParameter(f"{prefix}Delivery protocol [{sub.protocol}] does not support raw message delivery.")
        sub.raw = flag == "true"
    elif name == "FilterPolicy":
        if not value:
            sub.filter_policy = sub.filter_scope = None
            return
        scope = sub.filter_scope or "MessageAttributes"
        _filter(value, scope, operation)
        sub.filter_policy, sub.filter_scope = value, scope
    elif name == "FilterPolicyScope":
        if value not in SCOPES:
            raise InvalidParameter(
                f"{prefix}FilterPolicyScope: Invalid value [{value}]. "
                "Please use either MessageBody or MessageAttributes"
            )
        if sub.filter_policy:
            _filter(sub.filter_policy, value, operation)
        sub.filter_scope = value
    elif name == "RedrivePolicy":
        sub.redrive_policy = (
            policies.check_redrive_policy(
                value, prefix, fifo_topic=topic.fifo, fifo_endpoint=sub.endpoint.endswith(".fifo")
            )
            if value
            else None
        )
    elif name == "DeliveryPolicy":
        sub.delivery_policy = policies.check_subscription_delivery_policy(value, prefix) if value else None
    elif name == "SubscriptionRoleArn":
        sub.role_arn = value or None
    elif name == "ReplayPolicy":
        if value and not topic.fifo:
            raise InvalidParameter(f"{prefix}ReplayPolicy: Message replay is only supported for FIFO topics")
        if value:
            policies.parse_json(value, "ReplayPolicy", prefix)
        sub.replay_policy = value or None


def apply_all(sub: Subscription, topic: Topic, attributes: dict[str, str | None]) -> None:
    """Subscribe's Attributes: the scope first, so a MessageBody policy is checked as one."""
    order = sorted(attributes, key=lambda name: name != "FilterPolicyScope")
    for name in order:
        apply(sub, topic, name, attributes[name], subscribe=True)


_COMPARED = ("raw", "filter_policy", "filter_scope", "redrive_policy", "delivery_policy", "role_arn", "replay_policy")


def same_settings(existing: Subscription, topic: Topic, attributes: dict[str, str | None]) -> bool:
    """Whether Subscribe's Attributes would leave an existing subscription unchanged (Subscribe is idempotent)."""
    candidate = dataclasses.replace(existing)
    apply_all(candidate, topic, attributes)
    return all(getattr(candidate, f) == getattr(existing, f) for f in _COMPARED)


def _tf(flag: bool) -> str:
    return "true" if flag else "false"


def summary(sub: Subscription) -> dict[str, str]:
    """A subscription as ListSubscriptions(ByTopic) lists it (a pending one without its ARN)."""
    return {
        "SubscriptionArn": sub.arn if sub.confirmed else "PendingConfirmation",
        "Owner": sub.owner,
        "Protocol": sub.protocol,
        "Endpoint": sub.endpoint,
        "TopicArn": sub.topic_arn,
    }


def view(sub: Subscription, topic_delivery_policy: str | None) -> dict[str, str]:
    """GetSubscriptionAttributes."""
    out: dict[str, Any] = {
        "ConfirmationWasAuthenticated": _tf(sub.authenticated),
        "Endpoint": sub.endpoint,
        "Owner": sub.owner,
        "PendingConfirmation": _tf(not sub.confirmed),
        "Protocol": sub.protocol,
        "RawMessageDelivery": _tf(sub.raw),
        "SubscriptionArn": sub.arn,
        "SubscriptionPrincipal": sub.principal or arns.root(sub.owner),
        "TopicArn": sub.topic_arn,
    }
    if sub.filter_policy:
        out["FilterPolicy"] = sub.filter_policy
        out["FilterPolicyScope"] = sub.filter_scope or "MessageAttributes"
    if sub.redrive_policy:
        out["RedrivePolicy"] = sub.redrive_policy
    if sub.delivery_policy:
        out["DeliveryPolicy"] = sub.delivery_policy
    if sub.protocol in ("http", "https"):
        out["EffectiveDeliveryPolicy"] = policies.dumps(
            policies.subscription_effective(topic_delivery_policy, sub.delivery_policy)
        )
    if sub.role_arn:
        out["SubscriptionRoleArn"] = sub.role_arn
    if sub.replay_policy:
        out["ReplayPolicy"] = sub.replay_policy
    return out
