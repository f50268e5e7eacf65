"""Publishing: Publish and PublishBatch to a topic (fan-out in the publishing transaction), to a mobile endpoint
(TargetArn) or to a phone number (SMS, subject to opt-outs and the SMS sandbox), and the "sns" delivery target's
publish.  Every publish to a topic goes through publish_to_topic.  The Publishing part of SnsBackend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ... import tracing
from ...aws.errors import ServiceError
from ...ids import unique_id
from ...policy import Caller
from ...store.base import Tx
from . import arns, limits, messages, store, store_mobile
from .access import Access
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
from .fanout import Published, deliver_push, deliver_sms, fan_out
from .messages import Attributes, Message
from .node import SnsNode
from .store import Topic

_GROUP_REQUIRED = "The MessageGroupId parameter is required for FIFO topics"
_DEDUP_REQUIRED = (
    "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
)
_NO_ENDPOINT = "No endpoint found for the target arn specified"
_UNVERIFIED = (
    "Phone number {} is not verified. While your account is in the SMS sandbox, you can send SMS messages "
    "only to verified destination phone numbers."
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


def _check_fifo(topic: Topic, msg: Message) -> None:
    """What a FIFO topic requires of a message (a standard topic ignores a deduplication id)."""
    if not topic.fifo:
        msg.dedup_id = None
        return
    if not msg.group_id:
        raise invalid(_GROUP_REQUIRED)
    if msg.dedup_id is None and not topic.flag("ContentBasedDeduplication"):
        raise invalid(_DEDUP_REQUIRED)


def _topic(tx: Tx, arn: str, access: Access | None = None) -> Topic:
    """The topic ``arn`` names; with ``access``, another account's caller needs SNS:Publish from its policy."""
    topic = store.get_topic(tx, arn)
    if access is not None:
        access.check(arn, topic.attributes.get("Policy") if topic is not None else None)
    if topic is None:
        raise no_topic()
    return topic


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


@dataclass(slots=True)
class _Entry:
    id: str
    msg: Message | None
    error: ServiceError | None


class Publishing(SnsNode):
    def publish_to_topic(self, tx: Tx, topic: Topic, msg: Message, base_url: str) -> Published:
        """Publish ``msg`` to ``topic`` inside ``tx``: Publish, PublishBatch and the "sns" delivery target."""
        _check_fifo(topic, msg)
        active = topic.attributes.get("TracingConfig") == "Active"  # starts a trace when the caller did not decide
        with tracing.active_resource(
            self.runtime,
            active,
            name=topic.name,
            origin="AWS::SNS::Topic",
            account=topic.account,
            region=topic.region,
            resource_arn=topic.arn,
        ) as trace:
            if active and trace is not None and msg.trace_header is None:
                msg.trace_header = trace.format()
            return fan_out(self, tx, topic, msg, base_url)

    async def publish(
        self,
        who: Caller,
        region: str,
        *,
        topic_arn: str | None,
        target_arn: str | None,
        phone_number: str | None,
        message: str | None,
        subject: str | None,
        attributes: Attributes | None,
        structure: str | None,
        group_id: str | None,
        dedup_id: str | None,
        base_url: str,
    ) -> Published:
        messages.check_subject(subject)
        text = messages.check_message(message)
        chosen = [v for v in (topic_arn, target_arn, phone_number) if v is not None]
        if not chosen:
            raise invalid("TopicArn or TargetArn", "no value for required parameter")
        if len(chosen) > 1:
            raise invalid(
                "TopicArn, TargetArn, PhoneNumber", "Only one of TopicArn, TargetArn or PhoneNumber may be specified"
            )
        if phone_number is not None and not limits.E164.match(phone_number):
            raise invalid("PhoneNumber", f"{phone_number} is not valid to publish to")
        attributes = attributes or {}
        messages.check_size(text, messages.check_attributes(attributes))
        target = topic_arn if topic_arn is not None else target_arn
        endpoint_arn = target_arn if target_arn and arns.is_endpoint(target_arn) else None
        if target is not None and endpoint_arn is None:
            _fifo_ids(target.endswith(".fifo"), group_id, dedup_id)
        per_protocol = messages.parse_structure(text, structure, require_default=endpoint_arn is None)
        when = messages.timestamp(self.now())
        msg = Message(unique_id(), text, per_protocol, subject, attributes, group_id, dedup_id, when)
        if phone_number is not None:
            await self._publish_sms(who.account, region, phone_number, msg)
            return Published(msg.message_id, None)
        if endpoint_arn is not None:
            await self.refuse_other_account(who, endpoint_arn, "Publish")
            await self._publish_endpoint(endpoint_arn, msg)
            return Published(msg.message_id, None)
        arn = arns.topic(target, region, member="TopicArn" if topic_arn is not None else "TargetArn").text
        access = await self.access(who, arn, "Publish")
        msg.trace_header = tracing.current_text()
        return await self.store.write(lambda tx: self.publish_to_topic(tx, _topic(tx, arn, access), msg, base_url))

    async def _publish_sms(self, account: str, region: str, phone: str, msg: Message) -> None:
        number = phone if phone.startswith("+") else f"+{phone}"
        now_ms = self.now_ms()

        def run(tx: Tx) -> None:
            _, in_sandbox = store_mobile.sms_settings(tx, account, region)
            verified = store_mobile.sandbox_number(tx, account, region, number)
            if in_sandbox and (verified is None or verified.status != "Verified"):
                raise AuthorizationError(_UNVERIFIED.format(number))
            deliver_sms(tx, account, region, number, msg, now_ms)

        await self.store.write(run)

    async def _publish_endpoint(self, arn: str, msg: Message) -> None:
        now_ms = self.now_ms()

        def run(tx: Tx) -> None:
            endpoint = store_mobile.get_endpoint(tx, arn)
            if endpoint is None:
                raise invalid("TargetArn", _NO_ENDPOINT)
            if endpoint.attributes.get("Enabled", "true").lower() != "true":
                raise EndpointDisabled("Endpoint is disabled")
            app = store_mobile.get_application(tx, endpoint.application_arn)
            if app is None:
                raise invalid("TargetArn", _NO_ENDPOINT)
            if app.attributes.get("Enabled", "true").lower() != "true":
                raise PlatformApplicationDisabled("Platform application is disabled")
            if msg.per_protocol:
                text = msg.per_protocol.get(app.platform, msg.per_protocol.get("default"))
            else:
                text = msg.message
            if text is None:
                raise invalid("Message Structure - No default entry in JSON message body")
            deliver_push(tx, app.account, app.region, endpoint, app, msg, text, now_ms)

        await self.store.write(run)

    async def publish_batch(
        self, who: Caller, region: str, topic_arn: str, entries: list[dict[str, Any]] | None, base_url: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """PublishBatch's (Successful, Failed) entries, as AWS lists them."""
        entries = entries or []
        if not entries:
            raise EmptyBatchRequest("The batch request doesn't contain any entries.")
        if len(entries) > limits.MAX_BATCH_ENTRIES:
            raise TooManyEntriesInBatchRequest("The batch request contains more entries than permissible.")
        arn = arns.topic(topic_arn, region).text
        access = await self.access(who, arn, "Publish")  # PublishBatch is granted by SNS:Publish
        _batch_ids(entries)
        fifo = arn.endswith(".fifo")
        when = messages.timestamp(self.now())
        total = 0
        prepared: list[_Entry] = []
        for entry in entries:
            text = entry.get("Message") or ""
            attributes = entry.get("MessageAttributes") or {}
            total += len(text.encode()) + messages.check_attributes(attributes)  # these fail the whole batch
            group, dedup = entry.get("MessageGroupId"), entry.get("MessageDeduplicationId")
            _fifo_ids(fifo, group, dedup)
            per_protocol = messages.parse_structure(text, entry.get("MessageStructure")) if text else None
            try:  # these fail only their entry
                messages.check_subject(entry.get("Subject"))
                messages.check_message(text)
            except ServiceError as error:
                prepared.append(_Entry(entry["Id"], None, error))
                continue
            msg = Message(unique_id(), text, per_protocol, entry.get("Subject"), attributes, group, dedup, when)
            prepared.append(_Entry(entry["Id"], msg, None))
        if total > limits.MAX_MESSAGE_BYTES:
            raise BatchRequestTooLong("The length of all the messages put together is more than the limit.")

        trace_header = tracing.current_text()
        for item in prepared:
            if item.msg is not None:
                item.msg.trace_header = trace_header

        def run(tx: Tx) -> list[Published | None]:
            topic = _topic(tx, arn, access)
            for item in prepared:  # one entry a FIFO topic refuses fails the whole batch, before any fan-out
                if item.msg is not None:
                    _check_fifo(topic, item.msg)
            return [
                self.publish_to_topic(tx, topic, item.msg, base_url) if item.msg is not None else None
                for item in prepared
            ]

        results = await self.store.write(run)
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for item, result in zip(prepared, results):
            if result is None:
                assert item.error is not None
                refused = item.error
                failed.append(
                    {
                        "Id": item.id,
                        "Code": refused.code,
                        "Message": refused.message,
                        "SenderFault": refused.sender_fault,
                    }
                )
                continue
            success = {"Id": item.id, "MessageId": result.message_id}
            if result.sequence is not None:
                success["SequenceNumber"] = result.sequence
            successful.append(success)
        return successful, failed

    def publish_delivery(
        self,
        tx: Tx,
        topic_arn: str,
        message: str | None,
        subject: str | None,
        attributes: Attributes,
        group_id: str | None,
        dedup_id: str | None,
    ) -> Published:
        """The "sns" delivery target: publish inside the producer's transaction (EventBridge, Scheduler, Lambda
        destinations), with the checks of Publish; the topic is looked up first."""
        topic = _topic(tx, topic_arn)
        text = messages.check_message(message)
        messages.check_subject(subject)
        messages.check_size(text, messages.check_attributes(attributes))
        msg = Message(unique_id(), text, None, subject, attributes, group_id, dedup_id, messages.timestamp(self.now()))
        return self.publish_to_topic(tx, topic, msg, self.default_base_url())
