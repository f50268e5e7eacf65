"""Lambda under IAM enforcement (gureum.aws.authorize): a function's resource policy offered to the authorizer (the
same-account union, the cross-account intersection), and other services' deliveries to a function (SNS,
EventBridge, S3) checked against it as AWS checks them: the service principal with aws:SourceArn and
aws:SourceAccount. A refused delivery fails without retries (its dead-letter queue gets it) and is logged."""

from __future__ import annotations

import json
from typing import Any

from ...aws.authorize import ORIGIN, Origin, ResourceFacts, authorizer, checks_deliveries, delivery_refusal
from ...aws.errors import ServiceError
from ...delivery import DeliveryError
from ...runtime import Runtime
from ...store.base import Tx
from . import policy, store
from .functions import parse_function_name


def policy_in_tx(tx: Tx, arn: str) -> str | None:
    """The policy document of the function, version or alias ``arn`` names; None without one."""
    try:
        ref = parse_function_name(arn)
    except ServiceError:
        return None
    if not ref.account or not ref.region:
        return None
    found = policy.statements(tx, ref.account, ref.region, ref.name, ref.qualifier)
    if found is None or not found[1]:
        return None
    return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": found[1]})


def facts_in_tx(tx: Tx, arn: str) -> ResourceFacts:
    """A function's policy and tags (aws:ResourceTag/…; a version or an alias has its function's)."""
    try:
        ref = parse_function_name(arn)
    except ServiceError:
        return ResourceFacts()
    tags = store.get_tags(tx, ref.account, ref.region, ref.name) if ref.account and ref.region else None
    return ResourceFacts(policy_in_tx(tx, arn), tags or {})


def register(runtime: Runtime) -> None:
    """Offer function policies and tags to IAM enforcement (cached on every node: store.py notifies every change of
    a function's, version's or alias's row)."""

    async def function_facts(arn: str) -> ResourceFacts:
        return await runtime.store.read(lambda tx: facts_in_tx(tx, arn))

    authorizer(runtime).register("lambda", function_facts, notifies=True)


def _origin(payload: dict[str, Any], function_account: str) -> Origin | None:
    """Who delivers: the origin its producer gave, else an S3 event notification's bucket (its Records say so;
    aws:SourceAccount is then the function's account, the bucket owner's in a notification within an account)."""
    given = Origin.of(payload.get(ORIGIN))
    if given is not None:
        return given
    records = payload.get("Records")
    first = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else {}
    if first.get("eventSource") == "aws:s3":
        bucket = (first.get("s3") or {}).get("bucket") or {}
        if isinstance(bucket.get("arn"), str):
            return Origin("s3.amazonaws.com", bucket["arn"], function_account)
    return None


def checked_delivery(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The event to invoke the function ``address`` with (without its origin); under enforcement, refused
    (DeliveryError, not retried) unless the function's policy lets the origin's service invoke it."""
    event = {k: v for k, v in payload.items() if k != ORIGIN} if ORIGIN in payload else payload
    if not checks_deliveries(runtime):
        return event
    parts = address.split(":")
    origin = _origin(payload, parts[4] if len(parts) > 4 else "")
    if origin is None:
        return event
    reason = delivery_refusal(runtime, origin, "lambda:InvokeFunction", address, policy_in_tx(tx, address))
    if reason is not None:
        raise DeliveryError(reason, code="AccessDeniedException", retryable=False)
    return event
