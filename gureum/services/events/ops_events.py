"""PutEvents (and PutPartnerEvents): build AWS's event envelope per entry, route the accepted ones in one transaction.

Per-entry problems are answered in the entry's result slot (AWS's ErrorCode/ErrorMessage); only the total
size fails the request. An entry naming a bus that does not exist is accepted and dropped: AWS answers it
with an EventId and no error (aws/aws-cli#9186, recorded in LocalStack's AWS snapshots).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ...aws.context import RequestContext
from ...ids import unique_id
from ...store.base import Tx
from . import SERVICE, limits, store
from .errors import ValidationException
from .fanout import Fanout, iso_time
from .lookups import now_ms
from .names import resolve_bus

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
        detail = json.loads(entry["Detail"])
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


async def _put(ctx: RequestContext, entries: list[dict[str, Any]], partner: bool) -> dict[str, Any]:
    if sum(entry_size(entry) for entry in entries) > limits.PUT_EVENTS_MAX_BYTES:
        raise ValidationException("Total size of the entries in the request is over the limit.")
    now = now_ms(ctx)
    results: list[dict[str, Any]] = []
    accepted: list[_Accepted] = []
    for entry in entries:
        if not partner and (entry.get("Source") or "").startswith("aws."):
            results.append(_failure("NotAuthorizedForSourceException", "Not authorized for the source."))
            continue
        built = build_event(entry, ctx.account, ctx.region, now)
        if "ErrorCode" in built:
            results.append(built)
            continue
        if partner:
            account, region, bus = ctx.account, ctx.region, entry["Source"]  # a partner source's events land on its bus
        else:
            account, region, bus = resolve_bus(ctx.account, ctx.region, entry.get("EventBusName"))
        accepted.append((account, region, bus, built, _archive_size(built, entry)))
        results.append({"EventId": built["id"]})
    if accepted:
        runtime = ctx.runtime

        def run(tx: Tx) -> None:
            fanout = Fanout(runtime, tx)
            known: dict[tuple[str, str, str], bool] = {}
            for account, region, bus, event, size in accepted:
                if (account, region, bus) not in known:
                    known[(account, region, bus)] = store.get_bus(tx, account, region, bus) is not None
                if known[(account, region, bus)]:
                    fanout.put(account, region, bus, event, size=size)

        await runtime.store.write(run)
    return {"FailedEntryCount": sum(1 for r in results if "ErrorCode" in r), "Entries": results}


@SERVICE.op("PutEvents")
async def put_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _put(ctx, req["Entries"], partner=False)


@SERVICE.op("PutPartnerEvents")
async def put_partner_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _put(ctx, req["Entries"], partner=True)
