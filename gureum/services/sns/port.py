"""The SnsTopics port (gureum.ports) over SNS's store: what another service reads of a topic before it publishes to
it (its existence and access policy)."""

from __future__ import annotations

from ...store.base import Store
from . import store


class SnsTopicsPort:
    def __init__(self, store_: Store) -> None:
        self.store = store_

    async def topic_policy(self, topic_arn: str) -> str | None:
        topic = await self.store.read(lambda tx: store.get_topic(tx, topic_arn))
        if topic is None:
            raise LookupError(f"Topic does not exist: {topic_arn}")
        return topic.attributes.get("Policy") or None
