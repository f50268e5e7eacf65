"""Publish and PublishBatch: to a topic (fan-out in the publishing transaction), to a mobile endpoint
(TargetArn) or to a phone number (SMS, subject to opt-outs and the SMS sandbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from ...ids import unique_id
from ...store.base import Tx
from . import SERVICE, arns, limits, messages, store, store_mobile
from .backend import SnsBackend, backend
from .errors import (
    AuthorizationError,
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    EndpointDisabled,
    InvalidBatchEntryId,
    PlatformApplicationDisabled,
    TooManyEntriesInBatchRequest,
    invalid,
    no_topic,
)
from .fanout import Published, deliver_push, deliver_sms, publish_in_tx
from .messages import Message
from .store import Topic

_GROUP_REQUIRED = "The MessageGroupId parameter is required for FIFO topics"
_DEDUP_REQUIRED = (
    "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
)


def _fifo_ids(fifo: bool, group: str | None, dedup: str | None) -> None:
    if fifo and not group:
        raise invalid(_GROUP_REQUIRED)
    if not fifo and dedup:
        raise invalid(
            "MessageDeduplicationId",
            "The request includes MessageDeduplicationId parameter that is not valid for this topic type",
        )
    for name, value in (("MessageGroupId", group), ("MessageDeduplicationId", dedup)):
        if value is not None and not limits.FIFO_TOKEN.match(value):
            raise invalid(name, f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length.")


def _check_dedup(topic: Topic, msg: Message) -> None:
    if topic.fifo and msg.dedup_id is None and not topic.flag("ContentBasedDeduplication"):
        raise invalid(_DEDUP_REQUIRED)


def _topic_in(tx: Tx, arn: str) -> Topic:
    topic = store.get_topic(tx, arn)
    if topic is None:
        raise no_topic()
    return topic


@SERVICE.op("Publish")
async def publish(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    subject = req.get("Subject")
    messages.check_subject(subject)
    text = messages.check_message(req.get("Message"))
    topic_arn, target_arn, phone = req.get("TopicArn"), req.get("TargetArn"), req.get("PhoneNumber")
    chosen = [v for v in (topic_arn, target_arn, phone) if v is not None]
    if not chosen:
        raise invalid("TopicArn or TargetArn", "no value for required parameter")
    if len(chosen) > 1:
        raise invalid(
            "TopicArn, TargetArn, PhoneNumber", "Only one of TopicArn, TargetArn or PhoneNumber may be specified"
        )
    if phone is not None and not limits.E164.match(phone):
        raise invalid("PhoneNumber", f"{phone} is not valid to publish to")
    attributes = req.get("MessageAttributes") or {}
    messages.check_size(text, messages.check_attributes(attributes))
    target = topic_arn if topic_arn is not None else target_arn
    to_endpoint = bool(target_arn and arns.is_endpoint(target_arn))
    group, dedup = req.get("MessageGroupId"), req.get("MessageDeduplicationId")
    if target is not None and not to_endpoint:
        _fifo_ids(target.endswith(".fifo"), group, dedup)
    per_protocol = messages.parse_structure(text, req.get("MessageStructure"), require_default=not to_endpoint)
    be = backend(ctx)
    msg = Message(unique_id(), text, per_protocol, subject, attributes, group, dedup, messages.timestamp(be.now()))
    if phone is not None:
        await _publish_sms(ctx, be, phone, msg)
        return {"MessageId": msg.message_id}
    if to_endpoint:
        await _publish_endpoint(ctx, be, target_arn, msg)  # type: ignore[arg-type]
        return {"MessageId": msg.message_id}
    arn = arns.topic(target, ctx.region, member="TopicArn" if topic_arn is not None else "TargetArn").text
    base_url = ctx.request.base_url

    def run(tx: Tx) -> Published:
        topic = _topic_in(tx, arn)
        _check_dedup(topic, msg)
        return publish_in_tx(be, tx, topic, msg, base_url)

    published = await ctx.runtime.store.write(run)
    out = {"MessageId": published.message_id}
    if published.sequence is not None:
        out["SequenceNumber"] = published.sequence
    return out


async def _publish_sms(ctx: RequestContext, be: SnsBackend, phone: str, msg: Message) -> None:
    number = phone if phone.startswith("+") else f"+{phone}"
    now_ms = be.now_ms()

    def run(tx: Tx) -> None:
        _, in_sandbox = store_mobile.sms_settings(tx, ctx.account, ctx.region)
        verified = store_mobile.sandbox_number(tx, ctx.account, ctx.region, number)
        if in_sandbox and (verified is None or verified.status != "Verified"):
            raise AuthorizationError(
                f"Phone number {number} is not verified. While your account is in the SMS sandbox, you can send SMS messages "
                "only to verified destination phone numbers."
            )
        deliver_sms(tx, ctx.account, ctx.region, number, msg, now_ms)

    await ctx.runtime.store.write(run)


async def _publish_endpoint(ctx: RequestContext, be: SnsBackend, arn: str, msg: Message) -> None:
    now_ms = be.now_ms()

    def run(tx: Tx) -> None:
        endpoint = store_mobile.get_endpoint(tx, arn)
        if endpoint is None:
            raise invalid("TargetArn", "No endpoint found for the target arn specified")
        if endpoint.attributes.get("Enabled", "true").lower() != "true":
            raise EndpointDisabled("Endpoint is disabled")
        app = store_mobile.get_application(tx, endpoint.application_arn)
        if app is None:
            raise invalid("TargetArn", "No endpoint found for the target arn specified")
        if app.attributes.get("Enabled", "true").lower() != "true":
            raise PlatformApplicationDisabled("Platform application is disabled")
        text = msg.per_protocol.get(app.platform, msg.per_protocol.get("default")) if msg.per_protocol else msg.message
        if text is None:
            raise invalid("Message Structure - No default entry in JSON message body")
        deliver_push(tx, app.account, app.region, endpoint, app, msg, text, now_ms)

    await ctx.runtime.store.write(run)


@dataclass(slots=True)
class _Entry:
    id: str
    msg: Message | None
    error: ServiceError | None


def _batch_ids(entries: list[dict[str, Any]]) -> None:
    ids = [entry["Id"] for entry in entries]
    if len(set(ids)) != len(ids):
        raise BatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id.")
    for entry_id in ids:
        if len(entry_id) > 80:
            raise InvalidBatchEntryId(f"The Id of a batch entry in the batch request is too long: {entry_id}")
        if not limits.BATCH_ENTRY_ID.match(entry_id):
            raise InvalidBatchEntryId(
                f"The Id of a batch entry in the batch request contains an impermissible character: {entry_id}"
            )


@SERVICE.op("PublishBatch")
async def publish_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    entries = req.get("PublishBatchRequestEntries") or []
    if not entries:
        raise EmptyBatchRequest("The batch request doesn't contain any entries.")
    if len(entries) > limits.MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest("The batch request contains more entries than permissible.")
    arn = arns.topic(req["TopicArn"], ctx.region).text
    _batch_ids(entries)
    fifo = arn.endswith(".fifo")
    be = backend(ctx)
    when = messages.timestamp(be.now())
    total = 0
    prepared: list[_Entry] = []
    for entry in entries:
        text = entry.get("Message") or ""
        attributes = entry.get("MessageAttributes") or {}
        total += len(text.encode()) + messages.check_attributes(attributes)  # malformed attributes fail the whole batch
        _fifo_ids(fifo, entry.get("MessageGroupId"), entry.get("MessageDeduplicationId"))
        per_protocol = messages.parse_structure(text, entry.get("MessageStructure")) if text else None
        try:  # these fail only their entry
            messages.check_subject(entry.get("Subject"))
            messages.check_message(text)
        except ServiceError as error:
            prepared.append(_Entry(entry["Id"], None, error))
            continue
        msg = Message(
            unique_id(),
            text,
            per_protocol,
            entry.get("Subject"),
            attributes,
            entry.get("MessageGroupId"),
            entry.get("MessageDeduplicationId"),
            when,
        )
        prepared.append(_Entry(entry["Id"], msg, None))
    if total > limits.MAX_MESSAGE_BYTES:
        raise BatchRequestTooLong("The length of all the messages put together is more than the limit.")
    base_url = ctx.request.base_url

    def run(tx: Tx) -> list[Published | None]:
        topic = _topic_in(tx, arn)
        for item in prepared:
            if item.msg is not None:
                _check_dedup(topic, item.msg)
        return [publish_in_tx(be, tx, topic, item.msg, base_url) if item.msg is not None else None for item in prepared]

    results = await ctx.runtime.store.write(run)
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for item, result in zip(prepared, results):
        if result is None:
            assert item.error is not None
            failed.append(
                {
                    "Id": item.id,
                    "Code": item.error.code,
                    "Message": item.error.message,
                    "SenderFault": item.error.sender_fault,
                }
            )
            continue
        success = {"Id": item.id, "MessageId": result.message_id}
        if result.sequence is not None:
            success["SequenceNumber"] = result.sequence
        successful.append(success)
    return {"Successful": successful, "Failed": failed}
