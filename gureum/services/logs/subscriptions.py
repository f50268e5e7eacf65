"""Subscription delivery: where a subscription sends (Kinesis stream, Firehose stream, Lambda function, or another
account's destination in front of a Kinesis or Firehose stream), AWS's payload (gzip-compressed JSON: DATA_MESSAGE
with owner, logGroup, logStream, subscriptionFilters, logEvents and, for account policies, policyLevel; the
CONTROL_MESSAGE sent when a subscription is made), and the fan-out inside the PutLogEvents transaction through the
delivery outbox ("kinesis", "firehose", "lambda"). No SQL here (store_subscriptions.py); no other service imported.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ... import safejson
from ...delivery import DeliveryError
from ...runtime import Runtime
from ...store.base import Tx
from . import limits, store
from . import store_subscriptions as sstore
from .errors import InvalidParameterException
from .filter_patterns import FilterPattern, PatternError, compile_pattern

_TARGET_ARN = re.compile(
    r"^arn:aws[\w-]*:(kinesis|firehose|lambda|logs):([a-z0-9-]+):(\d{12}):"
    r"(stream/[^/]+|deliverystream/[^/]+|function:[^:]+(?::[^:]+)?|destination:[^:*]+)$"
)
_KINDS = {"kinesis": "stream/", "firehose": "deliverystream/", "lambda": "function:", "logs": "destination:"}
# "CWL CONTROL MESSAGE: Checking health of destination …" (SubscriptionFilters.html, "Example 1")
_CONTROL_WORDS = {"kinesis": "Kinesis stream", "firehose": "Firehose", "lambda": "Lambda function"}
# AWS's InvalidParameterException when the test message cannot be delivered at PutSubscriptionFilter
_UNREACHABLE = {
    "kinesis": "Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in "
    "ACTIVE state.",
    "firehose": "Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is "
    "in ACTIVE state.",
    "lambda": "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute "
    "your function.",
}
ACCOUNT_LEVEL = "ACCOUNT_LEVEL_POLICY"
_PATTERN_CACHE = 256


@dataclass(frozen=True, slots=True)
class Target:
    """A destination ARN taken apart: kind "kinesis" | "firehose" | "lambda" | "logs" (a logical destination)."""

    kind: str
    region: str
    account: str
    arn: str

    @property
    def name(self) -> str:
        return self.arn.split(_KINDS[self.kind], 1)[1]


def parse_target(arn: str) -> Target | None:
    match = _TARGET_ARN.match(arn)
    if match is None or not match.group(4).startswith(_KINDS[match.group(1)]):
        return None
    return Target(match.group(1), match.group(2), match.group(3), arn)


@dataclass(frozen=True, slots=True)
class Route:
    """One subscription that applies to a log group: its name, pattern, where it delivers and how."""

    name: str
    pattern: str
    kind: str  # the delivery kind: "kinesis", "firehose", "lambda"
    address: str
    distribution: str
    policy_level: str | None  # ACCOUNT_LEVEL_POLICY for an account policy, None for a log group's filter


def encode(document: dict[str, Any]) -> bytes:
    """AWS's payload: the JSON document, gzip-compressed."""
    return gzip.compress(json.dumps(document, separators=(",", ":")).encode(), compresslevel=6, mtime=0)


def control_document(kind: str, now_ms: int) -> dict[str, Any]:
    return {
        "messageType": "CONTROL_MESSAGE",
        "owner": "CloudwatchLogs",
        "logGroup": "",
        "logStream": "",
        "subscriptionFilters": [],
        "logEvents": [
            {
                "id": "",
                "timestamp": now_ms,
                "message": f"CWL CONTROL MESSAGE: Checking health of destination {_CONTROL_WORDS[kind]}.",
            }
        ],
    }


def delivery_payload(route: Route, data: bytes, group: str, stream: str) -> dict[str, Any]:
    """What the outbox target of ``route.kind`` takes for one gzip payload."""
    encoded = base64.b64encode(data).decode()
    if route.kind == "lambda":
        return {"awslogs": {"data": encoded}}
    if route.kind == "firehose":
        return {"data_base64": encoded}
    if route.distribution == "Random":
        key = secrets.token_hex(16)
    else:  # ByLogStream: a stream's records share a partition key, so one shard keeps them in order
        key = hashlib.md5(f"{group}\n{stream}".encode()).hexdigest()
    return {"data_base64": encoded, "partition_key": key}


def _fits(route: Route, data: bytes) -> bool:
    size = len(data) * 4 // 3 + 64 if route.kind == "lambda" else len(data)
    return size <= limits.SUBSCRIPTION_PAYLOAD_BYTES[route.kind]


def parse_selection(text: str | None) -> list[str]:
    """selectionCriteria: 'LogGroupName NOT IN ["a", "b"]' (the only form AWS supports) → the excluded names."""
    if text is None or not text.strip():
        return []
    if len(text.encode()) > limits.SELECTION_CRITERIA_BYTES:
        raise InvalidParameterException(
            f"selectionCriteria must be at most {limits.SELECTION_CRITERIA_BYTES} bytes long."
        )
    head, _, rest = text.strip().partition("[")
    if " ".join(head.split()) != "LogGroupName NOT IN":
        raise InvalidParameterException(
            'Invalid selectionCriteria: the only supported criterion is LogGroupName NOT IN ["name", ...].'
        )
    try:
        names = safejson.loads("[" + rest)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidParameterException(
            'Invalid selectionCriteria: LogGroupName NOT IN takes a JSON list of log group names, e.g. ["a", "b"].'
        )
    return names


def policy_settings(document: str) -> dict[str, Any]:
    """A SUBSCRIPTION_FILTER_POLICY's document: {"DestinationArn", "RoleArn"?, "FilterPattern"?, "Distribution"?}."""
    try:
        doc = safejson.loads(document)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("DestinationArn"), str):
        raise InvalidParameterException(
            "Invalid policy document: a subscription filter policy is a JSON object with DestinationArn and, as "
            "needed, RoleArn, FilterPattern and Distribution."
        )
    unknown = set(doc) - {"DestinationArn", "RoleArn", "FilterPattern", "Distribution"}
    if unknown:
        raise InvalidParameterException(f"Invalid policy document: unknown field(s) {', '.join(sorted(unknown))}.")
    distribution = doc.get("Distribution", "ByLogStream")
    if distribution not in ("Random", "ByLogStream"):
        raise InvalidParameterException("Invalid policy document: Distribution must be Random or ByLogStream.")
    pattern = doc.get("FilterPattern", "")
    role = doc.get("RoleArn")
    if not isinstance(pattern, str) or not (role is None or isinstance(role, str)):
        raise InvalidParameterException("Invalid policy document: FilterPattern and RoleArn are strings.")
    return {"DestinationArn": doc["DestinationArn"], "RoleArn": role, "FilterPattern": pattern,
            "Distribution": distribution}  # fmt: skip


class Subscriber:
    """Finds the subscriptions of a log group and delivers matching events to them (kept by LogsBackend)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._patterns: OrderedDict[str, FilterPattern] = OrderedDict()  # compiled once per pattern text

    def pattern(self, text: str) -> FilterPattern:
        found = self._patterns.get(text)
        if found is None:
            try:
                found = compile_pattern(text)
            except PatternError:  # stored patterns compiled when put; a later matcher change matches nothing
                found = compile_pattern('"\x00never"')
            self._patterns[text] = found
            if len(self._patterns) > _PATTERN_CACHE:
                self._patterns.popitem(last=False)
        else:
            self._patterns.move_to_end(text)
        return found

    # --- where ------------------------------------------------------------------------------------------------

    def resolve(self, tx: Tx, arn: str) -> tuple[str, str] | None:
        """(delivery kind, address) of a destination ARN; a logical destination's target; None when gone."""
        target = parse_target(arn)
        if target is None:
            return None
        if target.kind == "logs":
            found = sstore.get_destination(tx, target.account, target.region, target.name)
            inner = parse_target(found.target_arn) if found is not None else None
            if inner is None or inner.kind not in ("kinesis", "firehose"):
                return None
            return inner.kind, inner.arn
        return target.kind, target.arn

    def routes(self, tx: Tx, group: store.Group) -> list[Route]:
        """The subscriptions that apply to ``group``: its own filters, then its account's filter policies."""
        out: list[Route] = []
        for sf in sstore.list_subscription_filters(tx, group.id):
            where = self.resolve(tx, sf.destination_arn)
            if where is not None:
                out.append(Route(sf.name, sf.pattern, where[0], where[1], sf.distribution, None))
        for policy in sstore.list_account_policies(tx, group.account, group.region, limits.SUBSCRIPTION_POLICY):
            if group.name in parse_selection(policy.selection):
                continue
            settings = policy_settings(policy.document)
            where = self.resolve(tx, settings["DestinationArn"])
            if where is not None:
                out.append(Route(policy.name, settings["FilterPattern"], where[0], where[1],
                                 settings["Distribution"], ACCOUNT_LEVEL))  # fmt: skip
        return out

    # --- delivery ---------------------------------------------------------------------------------------------

    def send_test(self, tx: Tx, kind: str, address: str) -> None:
        """The CONTROL_MESSAGE AWS sends when a subscription is made, delivered at once inside ``tx``; a destination
        that cannot take it refuses the subscription (InvalidParameterException, AWS's words)."""
        target = self.runtime.delivery.targets.get(kind)
        if target is None or target.in_tx is None:
            raise InvalidParameterException(f"{_UNREACHABLE[kind]} ({kind} is not running on this server)")
        data = encode(control_document(kind, self.runtime.clock.now_ms()))
        route = Route("", "", kind, address, "Random", None)
        try:
            target.in_tx(self.runtime, tx, address, delivery_payload(route, data, "", ""))
        except DeliveryError as error:
            raise InvalidParameterException(f"{_UNREACHABLE[kind]} ({error.message})") from None

    def deliver(self, tx: Tx, group: store.Group, stream: str, events: list[store.Event], routes: list[Route]) -> None:
        """One payload (or several, when one would pass the target's size limit) per subscription whose pattern
        matches some of the events, enqueued in the producer's transaction."""
        for route in routes:
            pattern = self.pattern(route.pattern)
            matched: list[dict[str, Any]] = []
            for event in events:
                values = pattern.extract(event.message)
                if values is None:
                    continue
                item: dict[str, Any] = {
                    "id": f"{event.timestamp:020d}{event.id:036d}",
                    "timestamp": event.timestamp,
                    "message": event.message,
                }
                if values:  # a space-delimited pattern's named fields
                    item["extractedFields"] = {k.removeprefix("$"): v for k, v in values.items()}
                matched.append(item)
            if matched:
                self._send(tx, group, stream, route, matched)

    def _send(self, tx: Tx, group: store.Group, stream: str, route: Route, items: list[dict[str, Any]]) -> None:
        document: dict[str, Any] = {
            "messageType": "DATA_MESSAGE",
            "owner": group.account,
            "logGroup": group.name,
            "logStream": stream,
            "subscriptionFilters": [route.name],
            "logEvents": items,
        }
        if route.policy_level is not None:
            document["policyLevel"] = route.policy_level
        data = encode(document)
        if not _fits(route, data) and len(items) > 1:  # halves until each payload fits the target's record size
            half = len(items) // 2
            self._send(tx, group, stream, route, items[:half])
            self._send(tx, group, stream, route, items[half:])
            return
        self.runtime.delivery.enqueue(
            tx, route.kind, route.address, delivery_payload(route, data, group.name, stream), source=group.arn
        )
