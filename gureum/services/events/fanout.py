"""An event arriving on a bus: match the bus's rules, enqueue their targets' deliveries, archive it.

Everything happens inside the caller's transaction (PutEvents, a scheduled firing, a replay step, a rule
forwarding to another bus), so an event is routed exactly when its arrival commits. The backend makes one
Fanout per transaction (EventsBackend.fanout) and keeps the compiled patterns it matches with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...patterns import EventPattern
from . import routing, store, store_archives
from .names import bus_arn
from .transform import dumps

if TYPE_CHECKING:
    from ...delivery import Delivery
    from ...store.base import Tx

log = logging.getLogger("gureum.events")


def iso_time(ms: int) -> str:
    """EventBridge's event time format: second precision, UTC, ``Z``."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_size(event: dict[str, Any], detail_text: str | None = None) -> int:
    """An archived event's size as DescribeArchive counts it: source, detail-type, detail, time, resources."""
    parts = [
        event.get("source") or "",
        event.get("detail-type") or "",
        detail_text if detail_text is not None else dumps(event.get("detail", {})),
        event.get("time") or "",
    ]
    parts += [r for r in event.get("resources") or [] if isinstance(r, str)]
    return sum(len(part.encode()) for part in parts)


class Fanout:
    """Routes events inside one transaction; rules and archives are read once per bus."""

    def __init__(self, delivery: Delivery, tx: Tx, compiled: Callable[[str], EventPattern]) -> None:
        self.delivery = delivery
        self.tx = tx
        self.compiled = compiled
        self._rules: dict[tuple[str, str, str], list[store.Routed]] = {}
        self._archives: dict[str, list[tuple[int, str | None]]] = {}

    def put(
        self,
        account: str,
        region: str,
        bus: str,
        event: dict[str, Any],
        *,
        size: int,
        hops: int = 0,
        only_rules: set[str] | None = None,
    ) -> None:
        """Route one event that arrived on a bus (``only_rules``: a replay's FilterArns)."""
        key = (account, region, bus)
        if key not in self._rules:
            self._rules[key] = store.bus_rules(self.tx, account, region, bus)
        now = self.delivery.now_ms()
        ingestion = iso_time(now)
        event_time = _event_time_ms(event, now)
        for routed in self._rules[key]:
            rule = routed.rule
            if only_rules is not None and rule.arn not in only_rules:
                continue
            assert rule.pattern is not None
            if self.compiled(rule.pattern).matches(event):
                self.deliver(routed.targets, event, rule.arn, rule.name, ingestion, event_time, hops)
        if "replay-name" not in event:  # a replayed event is not archived again
            self._archive(account, region, bus, event, size, now)

    def deliver(
        self,
        targets: list[dict[str, Any]],
        event: dict[str, Any],
        rule_arn: str,
        rule_name: str,
        ingestion: str,
        event_time: int,
        hops: int = 0,
    ) -> None:
        """Enqueue one delivery per target of a rule that matched (or fired)."""
        for target in targets:
            out = routing.outgoing(target, event, rule_arn, rule_name, ingestion, event_time, hops)
            if out is None:
                log.info("rule %s: target %s is a service gureum does not deliver to; skipped", rule_arn, target["Arn"])
                continue
            self.delivery.enqueue(
                self.tx,
                out.kind,
                out.address,
                out.payload,
                policy=out.policy,
                dead_letter=out.dead_letter,
                source=rule_arn,
            )

    def _archive(self, account: str, region: str, bus: str, event: dict[str, Any], size: int, now: int) -> None:
        source = bus_arn(region, account, bus)
        if source not in self._archives:
            self._archives[source] = store_archives.enabled_for_source(self.tx, source)
        text: str | None = None
        for archive_id, pattern in self._archives[source]:
            if pattern is None or self.compiled(pattern).matches(event):
                text = text or dumps(event)
                store_archives.insert_archived(self.tx, archive_id, now, size, text)


def _event_time_ms(event: dict[str, Any], default: int) -> int:
    try:
        return int(datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp() * 1000)
    except (KeyError, TypeError, ValueError):
        return default
