"""Delivery targets SNS offers: "sns" (publish into a topic inside the producer's transaction: EventBridge
targets, S3/CloudWatch-style producers) and "sns-http" (POST to a subscribed HTTP/S endpoint, after commit).

"sns" payload: {"message": str, "subject"?, "message_attributes"? {name: {"DataType", "StringValue" |
"BinaryValue" (base64)}}, "group_id"?, "dedup_id"?}; address: the topic ARN.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import ServiceError
from ...delivery import DeliveryError, Target, attributes_from_payload
from ...runtime import Runtime
from ...store.base import Tx
from . import iam
from .backend import backend
from .fanout import HTTP_KIND


def publish_in_tx_target(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    """Publish into the topic ``address`` inside the producer's transaction (SnsBackend.publish_delivery)."""
    iam.check_delivery(runtime, tx, address, payload)  # IAM enforcement: the topic's policy must let it publish
    try:
        backend(runtime).publish_delivery(
            tx,
            address,
            payload.get("message"),
            payload.get("subject"),
            attributes_from_payload(payload.get("message_attributes")),
            payload.get("group_id"),
            payload.get("dedup_id"),
        )
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error


async def post_to_endpoint(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    """POST a notification or confirmation to a subscribed endpoint (SnsBackend.post_to_endpoint)."""
    await backend(runtime).post_to_endpoint(address, payload)


SNS_TARGET = Target("sns", in_tx=publish_in_tx_target)
HTTP_TARGET = Target(HTTP_KIND, call=post_to_endpoint, timeout=20.0)
