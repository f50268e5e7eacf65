"""SNS under IAM enforcement (gureum.aws.authorize): topic policies and tags offered to the authorizer (cached on
every node, dropped when a topic changes: store.py notifies RESOURCE_POLICY_CHANNEL), and other services' deliveries
into a topic (EventBridge rules, S3 bucket notifications) checked against its policy as AWS checks them: the service
principal with aws:SourceArn and aws:SourceAccount. A refused delivery fails without retries and is logged."""

from __future__ import annotations

from typing import Any

from ... import safejson
from ...aws.authorize import Origin, ResourceFacts, authorizer, checks_deliveries, delivery_refusal
from ...delivery import DeliveryError
from ...runtime import Runtime
from ...store.base import Tx
from . import store

S3_SUBJECT = "Amazon S3 Notification"  # the subject S3 gives the notifications it publishes to a topic


def register(runtime: Runtime) -> None:
    async def topic_facts(arn: str) -> ResourceFacts:
        topic = await runtime.store.read(lambda tx: store.get_topic(tx, arn))
        if topic is None:
            return ResourceFacts()
        return ResourceFacts(topic.attributes.get("Policy") or None, dict(topic.tags))

    authorizer(runtime).register("sns", topic_facts, notifies=True)


def _origin(payload: dict[str, Any], topic_account: str) -> Origin | None:
    """Who publishes: the origin its producer gave, else an S3 notification's bucket (aws:SourceAccount is then the
    topic's account, the bucket owner's in a notification within an account)."""
    given = Origin.of(payload.get("origin"))
    if given is not None or payload.get("subject") != S3_SUBJECT:
        return given
    try:
        message = safejson.loads(str(payload.get("message") or ""))
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    records = message.get("Records")
    first = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else {}
    bucket = ((first.get("s3") or {}).get("bucket") or {}).get("name") or message.get("Bucket")
    return Origin("s3.amazonaws.com", f"arn:aws:s3:::{bucket}", topic_account) if isinstance(bucket, str) else None


def check_delivery(runtime: Runtime, tx: Tx, topic_arn: str, payload: dict[str, Any]) -> None:
    """Under enforcement, refuse (DeliveryError, not retried) a delivery the topic's policy does not allow."""
    if not checks_deliveries(runtime):
        return
    parts = topic_arn.split(":")
    origin = _origin(payload, parts[4] if len(parts) > 4 else "")
    if origin is None:
        return
    topic = store.get_topic(tx, topic_arn)
    if topic is None:
        return  # the publish answers NotFound
    reason = delivery_refusal(runtime, origin, "sns:Publish", topic_arn, topic.attributes.get("Policy") or None)
    if reason is not None:
        raise DeliveryError(reason, code="AuthorizationError", retryable=False)
