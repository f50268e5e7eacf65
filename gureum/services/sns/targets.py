"""Delivery targets SNS offers: "sns" (publish into a topic inside the producer's transaction: EventBridge
targets, S3/CloudWatch-style producers) and "sns-http" (POST to a subscribed HTTP/S endpoint, after commit).

"sns" payload: {"message": str, "subject"?, "message_attributes"? {name: {"DataType", "StringValue" |
"BinaryValue" (base64)}}, "group_id"?, "dedup_id"?}; address: the topic ARN.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import ServiceError
from ...delivery import DeliveryError, Target, attributes_from_payload
from ...ids import unique_id
from ...runtime import Runtime
from ...store.base import Tx
from . import limits, messages, store
from .backend import backend
from .fanout import HTTP_KIND, publish_in_tx
from .messages import Message


def publish_in_tx_target(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    be = backend(runtime)
    topic = store.get_topic(tx, address)
    if topic is None:
        raise DeliveryError("Topic does not exist", code="NotFound", retryable=False)
    try:
        text = messages.check_message(payload.get("message"))
        subject = payload.get("subject")
        messages.check_subject(subject)
        attributes = attributes_from_payload(payload.get("message_attributes"))
        messages.check_size(text, messages.check_attributes(attributes))
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error
    group_id, dedup_id = payload.get("group_id"), payload.get("dedup_id")
    if topic.fifo:
        if not group_id:
            raise DeliveryError(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
                code="InvalidParameter",
                retryable=False,
            )
        if not dedup_id and not topic.flag("ContentBasedDeduplication"):
            raise DeliveryError(
                "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                code="InvalidParameter",
                retryable=False,
            )
    else:
        dedup_id = None
    msg = Message(unique_id(), text, None, subject, attributes, group_id, dedup_id, messages.timestamp(be.now()))
    publish_in_tx(be, tx, topic, msg, be.default_base_url())


async def post_to_endpoint(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    """One delivery attempt (plus the policy's immediate retries).  2xx is delivered; 4xx other than 429 is a
    client error (not retried: straight to the dead-letter queue); anything else, or no answer, is retried."""
    import httpx  # imported on first use: it costs start-up time

    be = backend(runtime)
    kind, arn = payload["kind"], payload["subscription"]
    if kind != "UnsubscribeConfirmation":
        live = await runtime.store.read(lambda tx: store.get_subscription(tx, arn))
        if live is None or live.confirmed != (kind == "Notification"):
            return  # unsubscribed (or already confirmed) since the delivery was queued: nothing to send
    headers = {"User-Agent": limits.HTTP_USER_AGENT, "Accept-Encoding": "gzip,deflate", **payload["headers"]}
    body = payload["body"].encode()
    error = DeliveryError("not attempted")
    for _ in range(1 + int(payload.get("immediate") or 0)):
        await be.throttle(arn, payload.get("max_per_second"))
        try:
            response = await be.http.post(address, content=body, headers=headers)
        except httpx.HTTPError as exc:
            error = DeliveryError(f"{type(exc).__name__}: {exc}", code="EndpointUnreachable")
            continue
        if 200 <= response.status_code < 300:
            return
        client_error = 400 <= response.status_code < 500 and response.status_code != 429
        error = DeliveryError(
            f"The endpoint answered HTTP {response.status_code}",
            code=str(response.status_code),
            retryable=not client_error,
        )
        if client_error:
            break
    raise error


SNS_TARGET = Target("sns", in_tx=publish_in_tx_target)
HTTP_TARGET = Target(HTTP_KIND, call=post_to_endpoint, timeout=20.0)
