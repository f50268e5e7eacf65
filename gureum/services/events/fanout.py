"""An event arriving on a bus: match the bus's rules, enqueue their targets' deliveries, archive it.

Everything happens inside the caller's transaction (PutEvents, a scheduled firing, a replay step, a rule
forwarding to another bus), so an event is routed exactly when its arrival commits. Also the two delivery
kinds that route events: "events" (put the event on another bus) and "events-dlq" (AWS's dead-letter message).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...delivery import DeliveryError, Target
from ...delivery import guarded as delivery_guarded
from ...delivery.targets import InTx
from ...patterns import EventPattern, compile_event_pattern
from . import limits, routing, store, store_archives
from .names import bus_arn, parse_arn
from .transform import dumps

if TYPE_CHECKING:
    from ...runtime import Runtime
    from ...store.base import Tx

log = logging.getLogger("gureum.events")
_PATTERNS: OrderedDict[str, EventPattern] = OrderedDict()  # compiled once per node, by pattern text
_PATTERN_CACHE_SIZE = 4096


def compiled(pattern: str) -> EventPattern:
    """The compiled rule pattern (PutRule validated it; the quota was checked there, not here)."""
    found = _PATTERNS.get(pattern)
    if found is None:
        found = _PATTERNS[pattern] = compile_event_pattern(pattern, max_length=None)
        if len(_PATTERNS) > _PATTERN_CACHE_SIZE:
            _PATTERNS.popitem(last=False)
    return found


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

    def __init__(self, runtime: Runtime, tx: Tx) -> None:
        self.runtime = runtime
        self.tx = tx
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
        now = self.runtime.delivery.now_ms()
        ingestion = iso_time(now)
        event_time = _event_time_ms(event, now)
        for routed in self._rules[key]:
            rule = routed.rule
            if only_rules is not None and rule.arn not in only_rules:
                continue
            assert rule.pattern is not None
            if compiled(rule.pattern).matches(event):
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
            self.runtime.delivery.enqueue(
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
            if pattern is None or compiled(pattern).matches(event):
                text = text or dumps(event)
                store_archives.insert_archived(self.tx, archive_id, now, size, text)


def _event_time_ms(event: dict[str, Any], default: int) -> int:
    try:
        return int(datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp() * 1000)
    except (KeyError, TypeError, ValueError):
        return default


# --- delivery kinds offered by this package ----------------------------------------------------------


def guarded(fn: InTx) -> InTx:
    return delivery_guarded(fn, "EventBridge")


def _to_bus(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    """Kind "events": a rule's target is another event bus; the event arrives there unchanged."""
    parts = parse_arn(address)
    name = parts[2][len("event-bus/") :] if parts and parts[2].startswith("event-bus/") else None
    if parts is None or name is None or store.get_bus(tx, parts[1], parts[0], name) is None:
        raise DeliveryError(
            f"Event bus {name or address} does not exist.", code="ResourceNotFoundException", retryable=False
        )
    hops = int(payload.get("hops", 1))
    if hops > limits.BUS_HOPS_MAX:
        raise DeliveryError(
            f"Event forwarded across more than {limits.BUS_HOPS_MAX} event buses (a rule loop?).",
            code="LoopDetected",
            retryable=False,
        )
    event = payload["event"]
    Fanout(runtime, tx).put(parts[1], parts[0], name, event, size=event_size(event), hops=hops)


_ERROR_CODES = {
    "AWS.SimpleQueueService.NonExistentQueue": "RESOURCE_NOT_FOUND",
    "ResourceNotFoundException": "RESOURCE_NOT_FOUND",
    "Timeout": "TIMEOUT",
}


def _dead_letter(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    """Kind "events-dlq": the event a target never received goes to the target's SQS dead-letter queue with
    AWS's message attributes (eb-rule-dlq.html)."""
    given = payload.get("message_attributes") or {}
    text = {name: value.get("StringValue", "") for name, value in given.items()}
    attempts = int(text.get("RETRY_ATTEMPTS") or 1)
    exhausted = (
        "MaximumRetryAttempts" if attempts >= int(payload.get("max_attempts", 1)) else "MaximumEventAgeInSeconds"
    )
    attributes = {
        "RULE_ARN": payload["rule_arn"],
        "TARGET_ARN": payload["target_arn"],
        "ERROR_CODE": _ERROR_CODES.get(text.get("ERROR_CODE", ""), text.get("ERROR_CODE") or "UNKNOWN"),
        "ERROR_MESSAGE": text.get("ERROR_MESSAGE") or "",
        "EXHAUSTED_RETRY_CONDITION": exhausted,
        "RETRY_ATTEMPTS": str(attempts - 1),
    }
    message_attributes = {
        name: {"DataType": "String", "StringValue": value} for name, value in attributes.items() if value
    }
    runtime.delivery.enqueue(
        tx,
        "sqs",
        address,
        {"body": payload["body"], "message_attributes": message_attributes},
        source=payload["rule_arn"],
    )


TARGETS = [
    Target(routing.BUS_KIND, in_tx=guarded(_to_bus)),
    Target(routing.DEAD_LETTER_KIND, in_tx=guarded(_dead_letter)),
]
