"""Topics: creation with AWS's name and attribute checks (idempotent for the same settings), attributes, tags,
permissions (statements of the access policy) and the data protection policy.  The Topics part of SnsBackend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...policy import Caller
from ...store.base import Tx
from . import arns, limits, policies, store
from .errors import InvalidParameter, ResourceNotFound, TagLimitExceeded, invalid
from .node import SnsNode
from .paging import Page, page, page_token, read_page_token
from .store import Topic

_BOOLEAN = ("true", "false")
_DIFFERENT_ATTRIBUTES = "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
_DIFFERENT_TAGS = "Invalid parameter: Tags Reason: Topic already exists with different tags"
_FIFO_NAME = (
    "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, "
    "underscores, and hyphens, and must be between 1 and 256 characters long."
)
_TAG_QUOTA = "Could not complete request: tag quota of per resource exceeded"


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
        raise TagLimitExceeded(_TAG_QUOTA)
    return out


def _view(tx: Tx, topic: Topic) -> dict[str, str]:
    """GetTopicAttributes: the stored attributes and the computed ones, sorted by name."""
    confirmed, pending = store.subscription_counts(tx, topic.arn)
    attributes = dict(topic.attributes)
    attributes.update(
        {
            "EffectiveDeliveryPolicy": policies.dumps(policies.topic_effective(topic.attributes.get("DeliveryPolicy"))),
            "Owner": topic.account,
            "SubscriptionsConfirmed": str(confirmed),
            "SubscriptionsDeleted": str(topic.subscriptions_deleted),
            "SubscriptionsPending": str(pending),
            "TopicArn": topic.arn,
        }
    )
    return dict(sorted(attributes.items()))


class Topics(SnsNode):
    async def create_topic(
        self,
        account: str,
        region: str,
        name: str,
        attributes: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
        data_protection_policy: str | None,
    ) -> str:
        """The new topic's ARN, or the existing one's when it has the same settings."""
        given = {k: "" if v is None else str(v) for k, v in (attributes or {}).items()}
        fifo = given.get("FifoTopic", "false").lower() == "true"
        if fifo and not limits.FIFO_TOPIC_NAME.match(name):
            raise InvalidParameter(_FIFO_NAME)
        if not fifo and not limits.TOPIC_NAME.match(name):
            raise invalid("Topic Name")
        changes = {k: check_attribute(k, v, fifo, creating=True) for k, v in given.items()}
        if not fifo:
            changes.pop("FifoTopic", None)  # AWS keeps no explicit FifoTopic=false
        settings = {k: v for k, v in changes.items() if v is not None}
        wanted_tags = check_tags(tags)
        protection = data_protection_policy or None
        if protection:
            policies.parse_json(protection, "DataProtectionPolicy")
        arn = arns.topic_arn(region, account, name)
        now = self.now()

        def run(tx: Tx) -> str:
            existing = store.get_topic(tx, arn)
            if existing is None:
                kept = {"Policy": policies.default_policy(arn, account), "DisplayName": "", **settings}
                if fifo:
                    kept.setdefault("ContentBasedDeduplication", "false")
                created = Topic(0, arn, account, region, name, fifo, kept, wanted_tags, protection, 0, now)
                if store.insert_topic(tx, created):
                    return arn
                existing = store.get_topic(tx, arn)  # a concurrent CreateTopic won the name
                assert existing is not None
            if any(existing.attributes.get(k, "") != v for k, v in settings.items()):
                raise InvalidParameter(_DIFFERENT_ATTRIBUTES)
            if any(existing.tags.get(k) != v for k, v in wanted_tags.items()):
                raise InvalidParameter(_DIFFERENT_TAGS)
            return arn

        return await self.store.write(run)

    async def delete_topic(self, who: Caller, region: str, topic_arn: str) -> None:
        """Deleting a missing topic of one's own succeeds."""
        arn = arns.topic(topic_arn, region).text
        access = await self.access(who, arn, "DeleteTopic")

        def run(tx: Tx) -> None:
            if access is not None:
                topic = store.get_topic(tx, arn)
                access.check(arn, topic.attributes.get("Policy") if topic is not None else None)
            store.delete_topic(tx, arn)

        await self.store.write(run)

    async def list_topics(self, account: str, region: str, next_token: str | None) -> Page[str]:
        after = read_page_token(next_token)
        rows = await self.store.read(lambda tx: store.list_topics(tx, account, region, after, limits.PAGE_SIZE + 1))
        found = page(rows, lambda row: page_token(row[0]))
        return Page([arn for _, arn in found.items], found.next_token)

    async def get_topic_attributes(self, who: Caller, region: str, topic_arn: str) -> dict[str, str]:
        return await self.in_topic(region, topic_arn, _view, write=False, who=who, action="GetTopicAttributes")

    async def set_topic_attributes(
        self, who: Caller, region: str, topic_arn: str, name: str, value: str | None
    ) -> None:
        def run(tx: Tx, topic: Topic) -> None:
            checked = check_attribute(name, "" if value is None else value, topic.fifo, creating=False)
            if checked is None:
                topic.attributes.pop(name, None)
            else:
                topic.attributes[name] = checked
            if name == "Policy" and not checked:
                topic.attributes["Policy"] = policies.default_policy(topic.arn, topic.account)
            store.update_topic(tx, topic)

        await self.in_topic(region, topic_arn, run, who=who, action="SetTopicAttributes")

    # --- tags -------------------------------------------------------------------------------------------

    async def _tagged(
        self, who: Caller, region: str, arn: str, action: str, change: Callable[[Topic], None] | None
    ) -> dict[str, str]:
        parsed = arns.split(arn)
        ours = parsed is not None and parsed.service == "sns" and parsed.region == region
        access = await self.access(who, arn, action) if ours else None

        def run(tx: Tx) -> dict[str, str]:
            if change is not None:
                tx.lock("sns", arn)
            topic = store.get_topic(tx, arn) if ours else None
            if access is not None:
                access.check(arn, topic.attributes.get("Policy") if topic is not None else None)
            if topic is None:
                raise ResourceNotFound("Resource does not exist")
            if change is not None:
                change(topic)
                store.update_topic(tx, topic)
            return topic.tags

        return await (self.store.write(run) if change is not None else self.store.read(run))

    async def tag_resource(
        self, who: Caller, region: str, resource_arn: str, tags: list[dict[str, str]] | None
    ) -> None:
        added = check_tags(tags)

        def change(topic: Topic) -> None:
            merged = {**topic.tags, **added}
            if len(merged) > limits.MAX_TAGS:
                raise TagLimitExceeded(_TAG_QUOTA)
            topic.tags = merged

        await self._tagged(who, region, resource_arn, "TagResource", change)

    async def untag_resource(self, who: Caller, region: str, resource_arn: str, keys: list[str]) -> None:
        def change(topic: Topic) -> None:
            topic.tags = {k: v for k, v in topic.tags.items() if k not in keys}

        await self._tagged(who, region, resource_arn, "UntagResource", change)

    async def list_tags_for_resource(self, who: Caller, region: str, resource_arn: str) -> dict[str, str]:
        return await self._tagged(who, region, resource_arn, "ListTagsForResource", None)

    # --- permissions and data protection ------------------------------------------------------------------

    async def add_permission(
        self, who: Caller, region: str, topic_arn: str, label: str, accounts: list[str], actions: list[str]
    ) -> None:
        def run(tx: Tx, topic: Topic) -> None:
            policy = topic.attributes.get("Policy") or policies.default_policy(topic.arn, topic.account)
            topic.attributes["Policy"] = policies.add_statement(policy, topic.arn, label, accounts, actions)
            store.update_topic(tx, topic)

        await self.in_topic(region, topic_arn, run, who=who, action="AddPermission")

    async def remove_permission(self, who: Caller, region: str, topic_arn: str, label: str) -> None:
        def run(tx: Tx, topic: Topic) -> None:
            policy = topic.attributes.get("Policy") or policies.default_policy(topic.arn, topic.account)
            topic.attributes["Policy"] = policies.remove_statement(policy, label)
            store.update_topic(tx, topic)

        await self.in_topic(region, topic_arn, run, who=who, action="RemovePermission")

    async def get_data_protection_policy(self, who: Caller, region: str, resource_arn: str) -> str:
        policy = await self.in_topic(
            region,
            resource_arn,
            lambda tx, topic: topic.data_protection_policy,
            write=False,
            member="ResourceArn",
            who=who,
            action="GetDataProtectionPolicy",
        )
        return policy or ""

    async def put_data_protection_policy(self, who: Caller, region: str, resource_arn: str, text: str) -> None:
        if text:
            policies.parse_json(text, "DataProtectionPolicy")

        def run(tx: Tx, topic: Topic) -> None:
            topic.data_protection_policy = text or None
            store.update_topic(tx, topic)

        await self.in_topic(region, resource_arn, run, member="ResourceArn", who=who, action="PutDataProtectionPolicy")
