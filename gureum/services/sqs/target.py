"""The "sqs" delivery target other services deliver to (SNS subscriptions, EventBridge rules, DLQs).

Delivers inside the producer's transaction through SqsBackend.deliver_in_tx: the message commits with the publish
that caused it, after the checks SendMessage makes. Payload: {"body", "message_attributes"?, "group_id"?,
"dedup_id"?, "trace_header"? (AWSTraceHeader), "sender"?, "origin"?: {"service", "arn"} (checked against the
queue's Policy across accounts)};
address: the queue ARN. Binary attribute values travel base64-encoded (payloads are JSON).
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import ServiceError
from ...delivery import DeliveryError, Target, attributes_from_payload
from ...runtime import Runtime
from ...store.base import Tx
from .access import Origin
from .backend import SqsBackend
from .errors import QueueDoesNotExist
from .sending import Outgoing

DEFAULT_SENDER = "AIDAGUREUMDELIVERY000"


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    message = Outgoing(
        payload["body"],
        attributes_from_payload(payload.get("message_attributes")),
        group_id=payload.get("group_id"),  # FIFO queues need it; standard (fair) queues keep it
        dedup_id=payload.get("dedup_id"),  # a standard queue ignores it
        trace_header=payload.get("trace_header"),  # X-Ray's trace of the producer (gureum.tracing)
    )
    try:
        runtime.state(SqsBackend).deliver_in_tx(
            tx, address, message, payload.get("sender") or DEFAULT_SENDER, Origin.of(payload.get("origin"))
        )
    except QueueDoesNotExist:
        raise DeliveryError(
            f"The queue {address} does not exist.", code="AWS.SimpleQueueService.NonExistentQueue", retryable=False
        ) from None
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error


TARGET = Target("sqs", in_tx=deliver_in_tx)
