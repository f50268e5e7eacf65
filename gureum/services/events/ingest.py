"""The backend's events in and out of buses: PutEvents and PutPartnerEvents (AWS's envelope per entry, the
accepted ones routed in one transaction), an event a rule forwards to another bus, and the dead letter of an
event a target never received.

Per-entry problems are answered in the entry's result slot (AWS's ErrorCode/ErrorMessage); only the total
size fails the request. An entry naming a bus that does not exist is accepted and dropped: AWS answers it
with an EventId and no error (aws/aws-cli#9186, recorded in LocalStack's AWS snapshots).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ... import safejson
from ...delivery import DeliveryError
from ...ids import unique_id
from ...store.base import Tx
from . import limits, routing, store
from .base import BackendBase
from .errors import ValidationException
from .fanout import event_size, iso_time
from .names import parse_arn, resolve_bus

_Accepted = tuple[str, str, str, dict[str, Any], int]  # account, region, bus, event, size


def entry_size(entry: dict[str, Any]) -> int:
    """AWS's PutEventsRequestEntry size (eb-putevent-size.html)."""
    size = limits.PUT_EVENTS_TIME_BYTES if entry.get("Time") is not None else 0
    for member in ("Source", "DetailType", "Detail"):
        size += len((entry.get(member) or "").encode())
    return size + sum(len(resource.encode()) for resource in entry.get("Resources") or [] if resource)


def _failure(code: str, message: str) -> dict[str, str]:
    return {"ErrorCode": code, "ErrorMessage": message}


def _required(entry: dict[str, Any]) -> dict[str, str] | None:
    for member in ("Source", "DetailType", "Detail"):
        if not entry.get(member):
            return _failure(
                "InvalidArgument", f"Parameter {member} is not valid. Reason: {member} is a required argument."
            )
    return None


def build_event(entry: dict[str, Any], account: str, region: str, now: int) -> dict[str, Any] | dict[str, str]:
    """The event envelope for a valid entry, or the entry's failure (ErrorCode/ErrorMessage)."""
    missing = _required(entry)
    if missing is not None:
        return missing
    try:
        detail = safejson.loads(entry["Detail"])
    except ValueError:
        detail = None
    if not isinstance(detail, dict):  # a JSON string, array or number is not a detail either
        return _failure("MalformedDetail", "Detail is malformed.")
    when = entry.get("Time")
    time_ms = int(when.timestamp() * 1000) if isinstance(when, datetime) else now
    return {
        "version": "0",
        "id": unique_id(),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account,
        "time": iso_time(time_ms),
        "region": region,
        "resources": list(entry.get("Resources") or []),
        "detail": detail,
    }


def _archive_size(event: dict[str, Any], entry: dict[str, Any]) -> int:
    parts = [event["source"], event["detail-type"], entry["Detail"], event["time"], *event["resources"]]
    return sum(len(part.encode()) for part in parts)


class Ingest(BackendBase):
    async def put_events(
        self, account: str, region: str, entries: list[dict[str, Any]], partner: bool
    ) -> dict[str, Any]:
        """PutEvents (``partner``: PutPartnerEvents, whose events land on the bus named for their source)."""
        if sum(entry_size(entry) for entry in entries) > limits.PUT_EVENTS_MAX_BYTES:
            raise ValidationException("Total size of the entries in the request is over the limit.")
        now = self.now_ms()
        results: list[dict[str, Any]] = []
        accepted: list[_Accepted] = []
        for entry in entries:
            if not partner and (entry.get("Source") or "").startswith("aws."):
                results.append(_failure("NotAuthorizedForSourceException", "Not authorized for the source."))
                continue
            built = build_event(entry, account, region, now)
            if "ErrorCode" in built:
                results.append(built)
                continue
            if partner:
                target = (account, region, entry["Source"])  # a partner source's events land on its bus
            else:
                target = resolve_bus(account, region, entry.get("EventBusName"))
            accepted.append((*target, built, _archive_size(built, entry)))
            results.append({"EventId": built["id"]})
        if accepted:
            await self.store.write(lambda tx: self._route_accepted(tx, accepted))
        return {"FailedEntryCount": sum(1 for r in results if "ErrorCode" in r), "Entries": results}

    def _route_accepted(self, tx: Tx, accepted: list[_Accepted]) -> None:
        fanout = self.fanout(tx)
        known: dict[tuple[str, str, str], bool] = {}
        for bus_account, bus_region, bus, event, size in accepted:
            key = (bus_account, bus_region, bus)
            if key not in known:
                known[key] = store.get_bus(tx, bus_account, bus_region, bus) is not None
            if known[key]:
                fanout.put(bus_account, bus_region, bus, event, size=size)

    def forward_to_bus(self, tx: Tx, bus_arn: str, event: dict[str, Any], hops: int) -> None:
        """A rule's target is another event bus: the event arrives there unchanged (delivery kind "events")."""
        parts = parse_arn(bus_arn)
        name = parts[2][len("event-bus/") :] if parts and parts[2].startswith("event-bus/") else None
        if parts is None or name is None or store.get_bus(tx, parts[1], parts[0], name) is None:
            raise DeliveryError(
                f"Event bus {name or bus_arn} does not exist.", code="ResourceNotFoundException", retryable=False
            )
        if hops > limits.BUS_HOPS_MAX:
            raise DeliveryError(
                f"Event forwarded across more than {limits.BUS_HOPS_MAX} event buses (a rule loop?).",
                code="LoopDetected",
                retryable=False,
            )
        self.fanout(tx).put(parts[1], parts[0], name, event, size=event_size(event), hops=hops)

    def send_dead_letter(
        self,
        tx: Tx,
        queue_arn: str,
        body: str,
        rule_arn: str,
        target_arn: str,
        max_attempts: int,
        error_attributes: dict[str, dict[str, Any]],
    ) -> None:
        """The event a target never received goes to the target's SQS dead-letter queue with AWS's message
        attributes (delivery kind "events-dlq", eb-rule-dlq.html)."""
        attributes = routing.dead_letter_attributes(error_attributes, rule_arn, target_arn, max_attempts)
        payload = {
            "body": body,
            "message_attributes": attributes,
            "origin": {"service": "events.amazonaws.com", "arn": rule_arn},
        }
        self.delivery.enqueue(tx, "sqs", queue_arn, payload, source=rule_arn)
