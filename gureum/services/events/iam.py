"""EventBridge under IAM enforcement (gureum.aws.authorize): event bus policies offered to the authorizer (cached on
every node, dropped when a bus changes: store.py notifies RESOURCE_POLICY_CHANNEL). A bus's policy speaks for the
bus and the rules on it (arn:aws:events:<region>:<account>:event-bus/<bus>, …:rule/<bus>/<rule>)."""

from __future__ import annotations

import json

from ...aws.authorize import ResourceFacts, authorizer
from ...runtime import Runtime
from . import store
from .names import DEFAULT_BUS


def bus_of(arn: str) -> tuple[str, str, str] | None:
    """(account, region, bus name) of a bus or rule ARN; None for any other resource."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "events":
        return None
    kind, _, rest = parts[5].partition("/")
    if kind == "event-bus" and rest:
        return parts[4], parts[3], rest
    if kind == "rule" and rest:
        bus, _, rule = rest.rpartition("/")
        return parts[4], parts[3], bus or DEFAULT_BUS
    return None


def register(runtime: Runtime) -> None:
    async def bus_facts(arn: str) -> ResourceFacts:
        where = bus_of(arn)
        if where is None:
            return ResourceFacts()
        found = await runtime.store.read(lambda tx: store.get_bus(tx, *where))
        if found is None:
            return ResourceFacts()
        tags = dict(found.tags) if arn.split(":", 5)[-1].startswith("event-bus/") else {}  # a rule's are its own
        return ResourceFacts(json.dumps(found.policy) if found.policy else None, tags)

    authorizer(runtime).register("events", bus_facts, notifies=True)
