"""Topic operations: create, delete, list, attributes, tags, permissions, data protection policy."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, arns, limits, policies, store
from .backend import backend
from .errors import InvalidParameter, ResourceNotFound, TagLimitExceeded, invalid, no_topic
from .store import Topic

T = TypeVar("T")
_BOOLEAN = ("true", "false")
_DIFFERENT_ATTRIBUTES = "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
_FIFO_NAME = (
    "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, "
    "underscores, and hyphens, and must be between 1 and 256 characters long."
)


async def in_topic(
    ctx: RequestContext, arn: str | None, fn: Callable[[Tx, Topic], T], *, write: bool = True, member: str = "TopicArn"
) -> T:
    """Run fn(tx, topic) in one transaction with the topic the ARN names (in the caller's region)."""
    topic_arn = arns.topic(arn, ctx.region, member=member).text

    def run(tx: Tx) -> T:
        topic = store.get_topic(tx, topic_arn)
        if topic is None:
            raise no_topic()
        return fn(tx, topic)

    return await (ctx.runtime.store.write(run) if write else ctx.runtime.store.read(run))


def check_attribute(name: str, value: str, fifo: bool, *, creating: bool) -> str | None:
    """A settable topic attribute after AWS's checks; None means "remove it"."""
    if name not in limits.TOPIC_ATTRIBUTES or (name == "FifoTopic" and not creating):
        raise invalid("AttributeName")
    if name in ("FifoTopic", "ContentBasedDeduplication") and value.lower() not in _BOOLEAN:
        raise invalid(name, f"Invalid value [{value}]. Must be true or false.")
    if name in limits.FIFO_ONLY_TOPIC_ATTRIBUTES and not fifo:
        if value in ("", "false"):
            return None
        if name == "ContentBasedDeduplication":
            raise invalid("ContentBasedDeduplication", "Content based deduplication can only be set for FIFO topics")
        raise invalid(name, f"{name} can only be set for FIFO topics")
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise invalid("SignatureVersion")
    if name == "TracingConfig" and value not in ("PassThrough", "Active"):
        raise invalid("TracingConfig")
    if name == "FifoThroughputScope" and value not in ("Topic", "MessageGroup"):
        raise invalid("FifoThroughputScope")
    if name == "DisplayName" and len(value) > 100:
        raise invalid("DisplayName")
    if name.endswith("SampleRate") and value and not (value.isdigit() and 0 <= int(value) <= 100):
        raise invalid(name)
    if name == "DeliveryPolicy":
        return policies.check_topic_delivery_policy(value) if value else None
    if name in ("Policy", "ArchivePolicy", "DataProtectionPolicy") and value:
        policies.parse_json(value, name)
    if name in ("FifoTopic", "ContentBasedDeduplication"):
        return value.lower()
    if value == "" and name not in ("DisplayName", "Policy"):
        return None
    return value


def check_tags(tags: list[dict[str, str]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in tags or []:
        if tag["Key"] in out:
            raise InvalidParameter("Invalid parameter: Duplicated keys are not allowed.")
        out[tag["Key"]] = tag.get("Value") or ""
    if len(out) > limits.MAX_TAGS:
        raise TagLimitExceeded("Could not complete request: tag quota of per resource exceeded")
    return out


@SERVICE.op("CreateTopic")
async def create_topic(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["Name"]
    given = {k: "" if v is None else str(v) for k, v in (req.get("Attributes") or {}).items()}
    fifo = given.get("FifoTopic", "false").lower() == "true"
    if fifo and not limits.FIFO_TOPIC_NAME.match(name):
        raise InvalidParameter(_FIFO_NAME)
    if not fifo and not limits.TOPIC_NAME.match(name):
        raise invalid("Topic Name")
    changes = {k: check_attribute(k, v, fifo, creating=True) for k, v in given.items()}
    if not fifo:
        changes.pop("FifoTopic", None)  # AWS keeps no explicit FifoTopic=false
    settings = {k: v for k, v in changes.items() if v is not None}
    tags = check_tags(req.get("Tags"))
    protection = req.get("DataProtectionPolicy") or None
    if protection:
        policies.parse_json(protection, "DataProtectionPolicy")
    arn = arns.topic_arn(ctx.region, ctx.account, name)
    now = backend(ctx).now()

    def run(tx: Tx) -> str:
        existing = store.get_topic(tx, arn)
        if existing is None:
            attributes = {"Policy": policies.default_policy(arn, ctx.account), "DisplayName": "", **settings}
            if fifo:
                attributes.setdefault("ContentBasedDeduplication", "false")
            created = Topic(0, arn, ctx.account, ctx.region, name, fifo, attributes, tags, protection, 0, now)
            if store.insert_topic(tx, created):
                return arn
            existing = store.get_topic(tx, arn)  # a concurrent CreateTopic won the name
            assert existing is not None
        if any(existing.attributes.get(k, "") != v for k, v in settings.items()):
            raise InvalidParameter(_DIFFERENT_ATTRIBUTES)
        if any(existing.tags.get(k) != v for k, v in tags.items()):
            raise InvalidParameter("Invalid parameter: Tags Reason: Topic already exists with different tags")
        return arn

    return {"TopicArn": await ctx.runtime.store.write(run)}


@SERVICE.op("DeleteTopic")
async def delete_topic(ctx: RequestContext, req: dict[str, Any]) -> None:
    arn = arns.topic(req["TopicArn"], ctx.region).text
    await ctx.runtime.store.write(lambda tx: store.delete_topic(tx, arn))  # deleting a missing topic succeeds


def page_token(after: int) -> str:
    return base64.b64encode(json.dumps({"after": after}).encode()).decode()


def read_page_token(token: str | None, member: str = "NextToken") -> int:
    if not token:
        return 0
    try:
        after = json.loads(base64.b64decode(token, validate=True))["after"]
    except (ValueError, KeyError, TypeError):
        raise invalid(member) from None
    if not isinstance(after, int):
        raise invalid(member)
    return after


@SERVICE.op("ListTopics")
async def list_topics(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = read_page_token(req.get("NextToken"))
    rows = await ctx.runtime.store.read(
        lambda tx: store.list_topics(tx, ctx.account, ctx.region, after, limits.PAGE_SIZE + 1)
    )
    out: dict[str, Any] = {"Topics": [{"TopicArn": arn} for _, arn in rows[: limits.PAGE_SIZE]]}
    if len(rows) > limits.PAGE_SIZE:
        out["NextToken"] = page_token(rows[limits.PAGE_SIZE - 1][0])
    return out


@SERVICE.op("GetTopicAttributes")
async def get_topic_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx, topic: Topic) -> dict[str, str]:
        confirmed, pending = store.subscription_counts(tx, topic.arn)
        attributes = dict(topic.attributes)
        attributes.update(
            {
                "EffectiveDeliveryPolicy": policies.dumps(
                    policies.topic_effective(topic.attributes.get("DeliveryPolicy"))
                ),
                "Owner": topic.account,
                "SubscriptionsConfirmed": str(confirmed),
                "SubscriptionsDeleted": str(topic.subscriptions_deleted),
                "SubscriptionsPending": str(pending),
                "TopicArn": topic.arn,
            }
        )
        return dict(sorted(attributes.items()))

    return {"Attributes": await in_topic(ctx, req["TopicArn"], run, write=False)}


@SERVICE.op("SetTopicAttributes")
async def set_topic_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    name, raw = req["AttributeName"], req.get("AttributeValue")

    def run(tx: Tx, topic: Topic) -> None:
        value = check_attribute(name, "" if raw is None else raw, topic.fifo, creating=False)
        if value is None:
            topic.attributes.pop(name, None)
        else:
            topic.attributes[name] = value
        if name == "Policy" and not value:
            topic.attributes["Policy"] = policies.default_policy(topic.arn, topic.account)
        store.update_topic(tx, topic)

    await in_topic(ctx, req["TopicArn"], run)


# --- tags -----------------------------------------------------------------------------------------------


async def _tagged(ctx: RequestContext, arn: str, fn: Callable[[Topic], None] | None) -> dict[str, str]:
    parsed = arns.split(arn)

    def run(tx: Tx) -> dict[str, str]:
        topic = (
            store.get_topic(tx, arn)
            if parsed is not None and parsed.service == "sns" and parsed.region == ctx.region
            else None
        )
        if topic is None:
            raise ResourceNotFound("Resource does not exist")
        if fn is not None:
            fn(topic)
            store.update_topic(tx, topic)
        return topic.tags

    return await (ctx.runtime.store.write(run) if fn is not None else ctx.runtime.store.read(run))


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = check_tags(req.get("Tags"))

    def change(topic: Topic) -> None:
        merged = {**topic.tags, **tags}
        if len(merged) > limits.MAX_TAGS:
            raise TagLimitExceeded("Could not complete request: tag quota of per resource exceeded")
        topic.tags = merged

    await _tagged(ctx, req["ResourceArn"], change)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    keys = req.get("TagKeys") or []

    def change(topic: Topic) -> None:
        topic.tags = {k: v for k, v in topic.tags.items() if k not in keys}

    await _tagged(ctx, req["ResourceArn"], change)
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await _tagged(ctx, req["ResourceArn"], None)
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


# --- permissions and data protection --------------------------------------------------------------------


@SERVICE.op("AddPermission")
async def add_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    def run(tx: Tx, topic: Topic) -> None:
        policy = topic.attributes.get("Policy") or policies.default_policy(topic.arn, topic.account)
        topic.attributes["Policy"] = policies.add_statement(
            policy, topic.arn, req["Label"], req["AWSAccountId"], req["ActionName"]
        )
        store.update_topic(tx, topic)

    await in_topic(ctx, req["TopicArn"], run)


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    def run(tx: Tx, topic: Topic) -> None:
        policy = topic.attributes.get("Policy") or policies.default_policy(topic.arn, topic.account)
        topic.attributes["Policy"] = policies.remove_statement(policy, req["Label"])
        store.update_topic(tx, topic)

    await in_topic(ctx, req["TopicArn"], run)


@SERVICE.op("GetDataProtectionPolicy")
async def get_data_protection_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    policy = await in_topic(
        ctx, req["ResourceArn"], lambda tx, topic: topic.data_protection_policy, write=False, member="ResourceArn"
    )
    return {"DataProtectionPolicy": policy or ""}


@SERVICE.op("PutDataProtectionPolicy")
async def put_data_protection_policy(ctx: RequestContext, req: dict[str, Any]) -> None:
    text = req["DataProtectionPolicy"]
    if text:
        policies.parse_json(text, "DataProtectionPolicy")

    def run(tx: Tx, topic: Topic) -> None:
        topic.data_protection_policy = text or None
        store.update_topic(tx, topic)

    await in_topic(ctx, req["ResourceArn"], run, member="ResourceArn")
