"""Bucket notifications: which configurations an event matches (event names with wildcards, prefix/suffix key
filters), and the messages AWS sends — the S3 event message structure (version 2.1) to SQS, SNS and Lambda, the
"Object Created" / "Object Deleted" / "Object Tags …" / "Object Restore …" events to EventBridge's default bus,
and the s3:TestEvent a new configuration sends to its queues and topics. Enqueued through the outbox in the
write's transaction."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from ...aws.protocols.base import format_timestamp
from ...delivery import Delivery
from ...store.base import Tx
from .errors import InvalidArgument

EVENT_NAMES = frozenset(
    {
        "s3:ObjectCreated:*",
        "s3:ObjectCreated:Put",
        "s3:ObjectCreated:Post",
        "s3:ObjectCreated:Copy",
        "s3:ObjectCreated:CompleteMultipartUpload",
        "s3:ObjectRemoved:*",
        "s3:ObjectRemoved:Delete",
        "s3:ObjectRemoved:DeleteMarkerCreated",
        "s3:ObjectRestore:*",
        "s3:ObjectRestore:Post",
        "s3:ObjectRestore:Completed",
        "s3:ObjectRestore:Delete",
        "s3:ObjectTagging:*",
        "s3:ObjectTagging:Put",
        "s3:ObjectTagging:Delete",
        "s3:ObjectAcl:Put",
        "s3:LifecycleExpiration:*",
        "s3:LifecycleExpiration:Delete",
        "s3:LifecycleExpiration:DeleteMarkerCreated",
        "s3:Replication:*",
        "s3:IntelligentTiering",
        "s3:LifecycleTransition",
        "s3:ReducedRedundancyLostObject",
    }
)
_KINDS = (
    ("QueueConfigurations", "QueueArn", "sqs"),
    ("TopicConfigurations", "TopicArn", "sns"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"),
)
# EventBridge detail-types and reasons per S3 event (the S3 user guide's "EventBridge event message structure")
_BRIDGE = {
    "ObjectCreated:Put": ("Object Created", "PutObject"),
    "ObjectCreated:Post": ("Object Created", "POST Object"),
    "ObjectCreated:Copy": ("Object Created", "CopyObject"),
    "ObjectCreated:CompleteMultipartUpload": ("Object Created", "CompleteMultipartUpload"),
    "ObjectRemoved:Delete": ("Object Deleted", "DeleteObject"),
    "ObjectRemoved:DeleteMarkerCreated": ("Object Deleted", "DeleteObject"),
    "ObjectTagging:Put": ("Object Tags Added", None),
    "ObjectTagging:Delete": ("Object Tags Deleted", None),
    "LifecycleExpiration:Delete": ("Object Deleted", "Lifecycle Expiration"),
    "LifecycleExpiration:DeleteMarkerCreated": ("Object Deleted", "Lifecycle Expiration"),
    "ObjectRestore:Post": ("Object Restore Initiated", None),
    "ObjectRestore:Completed": ("Object Restore Completed", None),
    "ObjectRestore:Delete": ("Object Restore Expired", None),
}


@dataclass(frozen=True, slots=True)
class Requester:
    """Who made the request that caused an event (userIdentity, sourceIPAddress, x-amz-request-id)."""

    account: str
    principal: str
    source_ip: str
    request_id: str
    host_id: str
    by_s3: bool = False  # S3's own change (a lifecycle expiration), not a request's


@dataclass(frozen=True, slots=True)
class ObjectEvent:
    name: str  # "ObjectCreated:Put", without "s3:"
    key: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None  # None: the bucket was never versioned (no versionId in the message)
    delete_marker: bool = False
    storage_class: str | None = None  # the archived object's class (restore events)
    restore_expiry: float | None = None  # when a restored copy expires (ObjectRestore:Completed)


def checked_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """A PutBucketNotificationConfiguration document as S3 keeps it: known events, prefix/suffix filters, an Id
    for each configuration."""
    out: dict[str, Any] = {}
    for member, _, _ in _KINDS:
        items = []
        for item in config.get(member) or []:
            events = item.get("Events") or []
            for event in events:
                if event not in EVENT_NAMES:
                    raise InvalidArgument(
                        "The event is not supported for notifications",
                        fields={"ArgumentName": "Event", "ArgumentValue": event},
                    )
            for rule in ((item.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []:
                if str(rule.get("Name", "")).lower() not in ("prefix", "suffix"):
                    raise InvalidArgument(
                        "filter rule name must be either prefix or suffix",
                        fields={"ArgumentName": "FilterRule.Name", "ArgumentValue": str(rule.get("Name"))},
                    )
            items.append({**item, "Id": item.get("Id") or secrets.token_hex(16)})
        if items:
            out[member] = items
    if config.get("EventBridgeConfiguration") is not None:
        out["EventBridgeConfiguration"] = {}
    return out


def _matches(item: dict[str, Any], event: ObjectEvent) -> bool:
    name = f"s3:{event.name}"
    family = name.rsplit(":", 1)[0] + ":*"
    if not any(wanted in (name, family) for wanted in item.get("Events") or []):
        return False
    for rule in ((item.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []:
        kind, value = str(rule.get("Name", "")).lower(), str(rule.get("Value", ""))
        if kind == "prefix" and not event.key.startswith(value):
            return False
        if kind == "suffix" and not event.key.endswith(value):
            return False
    return True


def _record(
    bucket: str, region: str, owner_id: str, config_id: str, event: ObjectEvent, who: Requester, now: float, seq: str
) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": quote_plus(event.key, safe="/")}
    if event.size is not None:
        obj["size"] = event.size
    if event.etag is not None:
        obj["eTag"] = event.etag.strip('"')
    if event.version_id is not None:
        obj["versionId"] = event.version_id
    obj["sequencer"] = seq
    record: dict[str, Any] = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": format_timestamp(now, "iso8601"),
        "eventName": event.name,
        "userIdentity": {"principalId": who.principal},
        "requestParameters": {"sourceIPAddress": who.source_ip},
        "responseElements": {"x-amz-request-id": who.request_id, "x-amz-id-2": who.host_id},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": config_id,
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": owner_id}, "arn": f"arn:aws:s3:::{bucket}"},
            "object": obj,
        },
    }
    if event.restore_expiry is not None:
        record["glacierEventData"] = {
            "restoreEventData": {
                "lifecycleRestorationExpiryTime": format_timestamp(event.restore_expiry, "iso8601"),
                "lifecycleRestoreStorageClass": event.storage_class,
            }
        }
    return record


def _bridge_event(
    bucket: str, region: str, account: str, event: ObjectEvent, who: Requester, now: float, seq: str
) -> dict[str, Any] | None:
    """The EventBridge event: ``account`` is the bucket owner's; the requester the caller's account, or
    "s3.amazonaws.com" (without a source address) for S3's own changes (lifecycle expiration)."""
    kind = _BRIDGE.get(event.name)
    if kind is None:
        return None
    detail_type, reason = kind
    obj: dict[str, Any] = {"key": event.key}
    if event.size is not None:
        obj["size"] = event.size
    if event.etag is not None:
        obj["etag"] = event.etag.strip('"')
    if event.version_id is not None:
        obj["version-id"] = event.version_id
    obj["sequencer"] = seq
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": obj,
        "request-id": who.request_id,
        "requester": "s3.amazonaws.com" if who.by_s3 else who.account,
    }
    if not who.by_s3:
        detail["source-ip-address"] = who.source_ip
    if event.restore_expiry is not None:
        detail["restore-expiry-time"] = format_timestamp(event.restore_expiry, "iso8601").split(".")[0] + "Z"
    if event.storage_class is not None:
        detail["source-storage-class"] = event.storage_class
    if reason is not None:
        detail["reason"] = reason
    if detail_type == "Object Deleted":
        detail["deletion-type"] = "Delete Marker Created" if event.delete_marker else "Permanently Deleted"
    return {
        "version": "0",
        "id": secrets.token_hex(16)[:8]
        + "-"
        + secrets.token_hex(2)
        + "-"
        + secrets.token_hex(2)
        + "-"
        + secrets.token_hex(2)
        + "-"
        + secrets.token_hex(6),
        "detail-type": detail_type,
        "source": "aws.s3",
        "account": account,
        "time": format_timestamp(now, "iso8601").split(".")[0] + "Z",
        "region": region,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": detail,
    }


def _deliver(delivery: Delivery, tx: Tx, kind: str, address: str, bucket: str, message: dict[str, Any]) -> None:
    text = json.dumps(message, separators=(",", ":"))
    source = f"arn:aws:s3:::{bucket}"
    if kind == "sqs":
        payload: dict[str, Any] = {"body": text, "origin": {"service": "s3.amazonaws.com", "arn": source}}
    elif kind == "sns":
        payload = {"message": text, "subject": "Amazon S3 Notification"}
    else:
        payload = message
    delivery.enqueue(tx, kind, address, payload, source=source)


def notify(
    delivery: Delivery,
    tx: Tx,
    config: dict[str, Any] | None,
    bucket: str,
    region: str,
    account: str,
    owner_id: str,
    events: list[ObjectEvent],
    who: Requester,
    now: float,
) -> None:
    """Enqueue what ``events`` send under the bucket's notification configuration (inside the write's transaction:
    an acknowledged write never loses its notification)."""
    if not config or not events:
        return
    for index, event in enumerate(events):
        seq = f"{int(now * 1_000_000):016X}{index:04X}"
        for member, arn_member, kind in _KINDS:
            for item in config.get(member) or []:
                if _matches(item, event):
                    record = _record(bucket, region, owner_id, item["Id"], event, who, now, seq)
                    _deliver(delivery, tx, kind, item[arn_member], bucket, {"Records": [record]})
        if "EventBridgeConfiguration" in config:
            bridge = _bridge_event(bucket, region, account, event, who, now, seq)
            if bridge is not None:
                bus = f"arn:aws:events:{region}:{account}:event-bus/default"
                delivery.enqueue(tx, "events", bus, {"event": bridge, "hops": 1}, source=f"arn:aws:s3:::{bucket}")


def send_test_events(
    delivery: Delivery, tx: Tx, config: dict[str, Any], bucket: str, who: Requester, now: float
) -> None:
    """The s3:TestEvent S3 sends to each queue and topic of a new configuration."""
    message = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": format_timestamp(now, "iso8601"),
        "Bucket": bucket,
        "RequestId": who.request_id,
        "HostId": who.host_id,
    }
    for member, arn_member, kind in _KINDS[:2]:
        for item in config.get(member) or []:
            _deliver(delivery, tx, kind, item[arn_member], bucket, message)
