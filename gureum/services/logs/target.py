"""The "logs" delivery target other services write logs through (Lambda's function logs).

Delivers inside the producer's transaction. Address: the log group ARN
"arn:aws:logs:{region}:{account}:log-group:{name}" (a trailing ":*" is accepted too).
Payload: {"stream": "<stream name>", "events": [{"timestamp": <ms>, "message": "<text>"}, …],
"create_group"?: false}. The group and the stream are created when missing (as Lambda's execution role does with
logs:CreateLogGroup / CreateLogStream) unless "create_group" is false (EventBridge's log targets: a missing group
is a failed delivery, not retried); events are appended with none of PutLogEvents' batch limits,
except that a message longer than AWS's largest event is split into several events. The group's subscriptions get
them as they get PutLogEvents' events. A payload with an "origin" ({"service", "arn"}: EventBridge's rule) is a
service's delivery: under IAM enforcement the account's and the group's resource policies must let that service
principal logs:CreateLogStream and logs:PutLogEvents (aws:SourceArn, aws:SourceAccount), as AWS checks them.
"""

from __future__ import annotations

import re
from typing import Any

from ...aws.authorize import Origin, checks_deliveries, delivery_refusal
from ...delivery import DeliveryError, Target
from ...runtime import Runtime
from ...store.base import Tx
from . import limits, store
from .events import append
from .resource_policies import delivery_policy
from .subscriptions import Subscriber

_ARN = re.compile(r"^arn:aws[\w-]*:logs:([^:]+):(\d{12}):log-group:([^:]+)(?::\*)?$")


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    match = _ARN.match(address)
    if match is None:
        raise DeliveryError(f"{address} is not a log group ARN.", code="InvalidParameterException", retryable=False)
    region, account, group_name = match.groups()
    stream_name = payload.get("stream")
    if not stream_name or not limits.STREAM_NAME.fullmatch(stream_name) or not limits.GROUP_NAME.fullmatch(group_name):
        raise DeliveryError(
            f"Invalid log group or stream name: {group_name!r} / {stream_name!r}.",
            code="InvalidParameterException",
            retryable=False,
        )
    origin = Origin.of(payload.get("origin"))
    if origin is not None and checks_deliveries(runtime):
        _check_delivery(runtime, tx, origin, account, region, group_name, stream_name)
    events = [(int(event["timestamp"]), str(event["message"])) for event in payload.get("events") or []]
    created = payload.get("create_group", True)
    subscriber = runtime.state_or_none(Subscriber)  # None before Logs started
    now = runtime.clock.now_ms()
    if not append(
        tx, account, region, group_name, stream_name, events, now, create_group=created, subscriber=subscriber
    ):
        raise DeliveryError(
            f"The specified log group does not exist: {group_name}", code="ResourceNotFoundException", retryable=False
        )


def _check_delivery(
    runtime: Runtime, tx: Tx, origin: Origin, account: str, region: str, group_name: str, stream_name: str
) -> None:
    group = store.get_group(tx, account, region, group_name)
    if group is None:
        return  # the delivery fails as ResourceNotFound
    policy = delivery_policy(tx, account, region, group.id)
    group_arn = f"arn:aws:logs:{region}:{account}:log-group:{group_name}:log-stream:"  # as the action table has it
    for action, resource in (("logs:CreateLogStream", group_arn), ("logs:PutLogEvents", group_arn + stream_name)):
        reason = delivery_refusal(runtime, origin, action, resource, policy)
        if reason is not None:
            raise DeliveryError(reason, code="AccessDeniedException", retryable=False)


TARGET = Target("logs", in_tx=deliver_in_tx)
