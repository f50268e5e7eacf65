"""The "sqs" delivery target other services deliver to (SNS subscriptions, EventBridge rules, DLQs).

Delivers inside the producer's transaction: the message commits with the publish that caused it.
Payload: {"body", "message_attributes"?, "group_id"?, "dedup_id"?, "sender"?}; address: the queue ARN.
Binary attribute values travel base64-encoded (payloads are JSON).
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import ServiceError
from ...delivery import DeliveryError, Target, attributes_from_payload
from ...runtime import Runtime
from ...store.base import Tx
from . import store
from .backend import SqsBackend
from .ops_messages import _fit_to_queue, _prepare

DEFAULT_SENDER = "AIDAGUREUMDELIVERY000"


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    queue = store.get_queue_by_arn(tx, address)
    if queue is None:
        raise DeliveryError(
            f"The queue {address} does not exist.", code="AWS.SimpleQueueService.NonExistentQueue", retryable=False
        )
    entry = {
        "MessageBody": payload["body"],
        "MessageAttributes": attributes_from_payload(payload.get("message_attributes")),
        "MessageGroupId": payload.get("group_id"),  # FIFO queues need it; standard (fair) queues keep it
        "MessageDeduplicationId": payload.get("dedup_id") if queue.fifo else None,
    }
    try:
        prepared = _prepare(entry)
        _fit_to_queue(prepared, queue)
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error
    backend = runtime.state(SqsBackend)
    backend.send_in_tx(tx, queue, [prepared.message], payload.get("sender") or DEFAULT_SENDER, backend.now_ms())


TARGET = Target("sqs", in_tx=deliver_in_tx)
