"""A publish, inside the publishing transaction: FIFO deduplication and sequencing, filter policies, and one
delivery per matching subscription through the delivery path (SQS messages commit with the publish; HTTP/S,
Lambda and Firehose deliveries become outbox rows; e-mail, SMS and mobile push are captured for inspection).
Also the confirmation messages of HTTP/S and e-mail subscriptions.  Runs on the store's thread: no awaits."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from ...aws.authorize import ORIGIN
from ...delivery import DeadLetter, attributes_to_payload
from ...ids import unique_id
from ...store.base import Tx
from . import limits, messages, policies, store, store_mobile
from .messages import Message
from .node import SnsNode
from .signing import CERT_PATH
from .store import Subscription, Topic
from .subscription_attributes import matches

SNS_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"  # the SenderId AWS's SQS shows for messages SNS delivered
HTTP_KIND = "sns-http"


@dataclass(slots=True, frozen=True)
class Published:
    message_id: str
    sequence: str | None


_URL_SLOT = "\x00UnsubscribeURL\x00"
_URL_SLOT_JSON = json.dumps(_URL_SLOT)


class _Render:
    """Per-publish rendering: one signature and one envelope per distinct message text, shared by every
    subscription (only the UnsubscribeURL differs between them)."""

    def __init__(self, be: SnsNode, topic: Topic, msg: Message, base_url: str) -> None:
        self.be = be
        self.topic = topic
        self.msg = msg
        self.base_url = base_url
        self.version = topic.attributes.get("SignatureVersion") or "1"
        self.cert_url = base_url + CERT_PATH
        self._signatures: dict[str, tuple[str, str, str]] = {}
        self._envelopes: dict[str, tuple[str, str]] = {}

    def signature(self, text: str) -> tuple[str, str, str]:
        found = self._signatures.get(text)
        if found is None:
            fields: dict[str, str | None] = {
                "Message": text, "MessageId": self.msg.message_id, "Subject": self.msg.subject,
                "Timestamp": self.msg.timestamp, "TopicArn": self.topic.arn, "Type": "Notification",
            }  # fmt: skip
            found = self._signatures[text] = (
                self.version,
                self.be.signer.sign_notification(fields, self.version),
                self.cert_url,
            )
        return found

    def unsubscribe_url(self, sub: Subscription) -> str:
        return f"{self.base_url}/?Action=Unsubscribe&SubscriptionArn={sub.arn}"

    def envelope(self, sub: Subscription, text: str) -> str:
        parts = self._envelopes.get(text)
        if parts is None:
            signature = None if self.topic.fifo else self.signature(text)
            whole = messages.envelope(
                messages.notification_fields(self.msg, self.topic.arn, text, _URL_SLOT, signature)
            )
            head, _, tail = whole.partition(_URL_SLOT_JSON)
            parts = self._envelopes[text] = (head, tail)
        return parts[0] + json.dumps(self.unsubscribe_url(sub), ensure_ascii=False) + parts[1]


def content_dedup_id(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def fan_out(be: SnsNode, tx: Tx, topic: Topic, msg: Message, base_url: str) -> Published:
    """Deliver ``msg`` to every matching subscription of ``topic``; a FIFO duplicate returns the first copy's ids."""
    now_ms = be.now_ms()
    if topic.fifo:
        if msg.dedup_id is None:
            msg.dedup_id = content_dedup_id(msg.message)
        msg.sequence = f"{store.next_sequence(tx, topic.id):020d}"
        earlier = store.claim_dedup(
            tx,
            topic.arn,
            msg.dedup_id,
            msg.message_id,
            msg.sequence,
            now_ms,
            now_ms + limits.DEDUP_WINDOW_SECONDS * 1000,
        )
        if earlier is not None:
            return Published(*earlier)  # a duplicate within five minutes: accepted, not delivered again
    render = _Render(be, topic, msg, base_url)
    for sub in store.deliverable(tx, topic.arn):
        _deliver(render, tx, sub, now_ms)
    return Published(msg.message_id, msg.sequence)


def _dead_letter(sub: Subscription, payload: dict[str, Any]) -> DeadLetter | None:
    target = policies.dead_letter_arn(sub.redrive_policy)
    return DeadLetter("sqs", target, payload) if target else None


def _deliver(render: _Render, tx: Tx, sub: Subscription, now_ms: int) -> None:
    msg, topic, protocol = render.msg, render.topic, sub.protocol
    if protocol == "application":
        _push(render, tx, sub, now_ms)
        return
    text = msg.text_for(protocol)
    if not matches(sub, msg.attributes, text):
        return
    enqueue = render.be.runtime.delivery.enqueue
    if protocol == "sqs":
        payload: dict[str, Any] = {
            "body": text if sub.raw else render.envelope(sub, text),
            "sender": SNS_SENDER_ID,
            "origin": {"service": "sns.amazonaws.com", "arn": topic.arn},  # another account's queue checks it
        }
        if sub.raw and msg.attributes:
            payload["message_attributes"] = attributes_to_payload(msg.attributes)
        if topic.fifo:
            payload["group_id"], payload["dedup_id"] = msg.group_id, msg.dedup_id
        if msg.trace_header:
            payload["trace_header"] = msg.trace_header  # the queue's AWSTraceHeader
        enqueue(
            tx,
            "sqs",
            sub.endpoint,
            payload,
            policy=policies.MANAGED_RETRY,
            dead_letter=_dead_letter(sub, payload),
            source=sub.arn,
        )
    elif protocol in ("http", "https"):
        how = policies.http_delivery(topic.attributes.get("DeliveryPolicy"), sub.delivery_policy)
        body = text if sub.raw else render.envelope(sub, text)
        headers = {
            "x-amz-sns-message-type": "Notification",
            "x-amz-sns-message-id": msg.message_id,
            "x-amz-sns-topic-arn": topic.arn,
            "x-amz-sns-subscription-arn": sub.arn,
            "Content-Type": how.content_type,
        }
        if sub.raw:
            headers["x-amz-sns-rawdelivery"] = "true"
        payload = {"body": body, "headers": headers, "subscription": sub.arn, "kind": "Notification", **how.header()}
        dead: dict[str, Any] = {"body": body, "sender": SNS_SENDER_ID}
        if sub.raw and msg.attributes:
            dead["message_attributes"] = attributes_to_payload(msg.attributes)
        enqueue(
            tx, HTTP_KIND, sub.endpoint, payload, policy=how.retry, dead_letter=_dead_letter(sub, dead), source=sub.arn
        )
    elif protocol == "lambda":
        event = messages.lambda_event(
            msg, topic.arn, sub.arn, text, render.unsubscribe_url(sub), render.signature(text)
        )
        dead = {"body": render.envelope(sub, text), "sender": SNS_SENDER_ID}  # a Lambda DLQ gets the SQS-style envelope
        enqueue(
            tx,
            "lambda",
            sub.endpoint,
            {**event, ORIGIN: {"service": "sns.amazonaws.com", "arn": topic.arn}},  # the function's policy is checked
            policy=policies.LAMBDA_RETRY,
            dead_letter=_dead_letter(sub, dead),
            source=sub.arn,
        )
    elif protocol == "firehose":
        # Firehose records hold compact, unsigned notifications (firehose-delivered-message-format-http.html)
        fields = messages.notification_fields(msg, topic.arn, text, render.unsubscribe_url(sub), None)
        body = text if sub.raw else json.dumps(dict(fields), separators=(",", ":"), ensure_ascii=False)
        payload = {"data": body, "role_arn": sub.role_arn}
        enqueue(
            tx,
            "firehose",
            sub.endpoint,
            payload,
            policy=policies.MANAGED_RETRY,
            dead_letter=_dead_letter(sub, {"body": body}),
            source=sub.arn,
        )
    elif protocol in ("email", "email-json"):
        unsubscribe = render.unsubscribe_url(sub)
        body = messages.email_text(text, unsubscribe) if protocol == "email" else render.envelope(sub, text)
        display = topic.attributes.get("DisplayName") or "AWS Notifications"
        store.capture(
            tx, topic.account, topic.region, protocol, sub.endpoint, "Notification", msg.message_id, body, now_ms,
            topic_arn=topic.arn, subscription_arn=sub.arn, subject=msg.subject or limits.DEFAULT_EMAIL_SUBJECT,
            extra={"from": f"{display} <no-reply@sns.amazonaws.com>", "unsubscribeUrl": unsubscribe},
        )  # fmt: skip
    elif protocol == "sms":
        deliver_sms(
            tx, topic.account, topic.region, sub.endpoint, msg, now_ms, topic_arn=topic.arn, subscription_arn=sub.arn
        )


def deliver_sms(
    tx: Tx,
    account: str,
    region: str,
    number: str,
    msg: Message,
    now_ms: int,
    *,
    topic_arn: str | None = None,
    subscription_arn: str | None = None,
) -> None:
    """Capture an SMS, or its failure as AWS's delivery status logs report it (opted out, or unverified while
    the account is in the SMS sandbox)."""
    digits = re.sub(r"[./-]", "", number)  # a subscription may write "+1-555-0100"
    digits = digits if digits.startswith("+") else f"+{digits}"
    reason = None
    if store_mobile.opt_out_state(tx, account, region, digits)[0]:
        reason = "Phone number is opted out"
    else:
        _, in_sandbox = store_mobile.sms_settings(tx, account, region)
        verified = store_mobile.sandbox_number(tx, account, region, digits)
        if in_sandbox and (verified is None or verified.status != "Verified"):
            reason = "Phone number is not verified in the SMS sandbox"
    extra = {"status": "FAILURE", "providerResponse": reason} if reason else {"status": "SUCCESS"}
    sms_type = (msg.attributes.get("AWS.SNS.SMS.SMSType") or {}).get("StringValue")
    if sms_type:
        extra["smsType"] = sms_type
    store.capture(
        tx, account, region, "sms", digits, "Notification", msg.message_id, msg.text_for("sms"), now_ms,
        topic_arn=topic_arn, subscription_arn=subscription_arn,
        attributes=messages.notification_attributes(msg.attributes) or None, extra=extra,
    )  # fmt: skip


def _push(render: _Render, tx: Tx, sub: Subscription, now_ms: int) -> None:
    endpoint = store_mobile.get_endpoint(tx, sub.endpoint)
    if endpoint is None or endpoint.attributes.get("Enabled", "true").lower() != "true":
        return  # AWS does not deliver to deleted or disabled endpoints
    app = store_mobile.get_application(tx, endpoint.application_arn)
    if app is None or app.attributes.get("Enabled", "true").lower() != "true":
        return
    text = render.msg.text_for(app.platform)
    if matches(sub, render.msg.attributes, text):
        deliver_push(
            tx,
            render.topic.account,
            render.topic.region,
            endpoint,
            app,
            render.msg,
            text,
            now_ms,
            topic_arn=render.topic.arn,
            subscription_arn=sub.arn,
        )


def deliver_push(
    tx: Tx, account: str, region: str, endpoint: store_mobile.Endpoint, app: store_mobile.Application, msg: Message,
    text: str, now_ms: int, *, topic_arn: str | None = None, subscription_arn: str | None = None,
) -> None:  # fmt: skip
    """Capture a mobile push notification (nothing is sent to the platform)."""
    store.capture(
        tx, account, region, "application", endpoint.arn, "Notification", msg.message_id, text, now_ms,
        topic_arn=topic_arn, subscription_arn=subscription_arn, subject=msg.subject,
        attributes=messages.notification_attributes(msg.attributes) or None,
        extra={"platform": app.platform, "token": endpoint.token, "platformApplicationArn": app.arn},
    )  # fmt: skip


# --- confirmations -------------------------------------------------------------------------------------


def send_confirmation(
    be: SnsNode, tx: Tx, topic: Topic, sub: Subscription, base_url: str, kind: str = "SubscriptionConfirmation"
) -> None:
    """The SubscriptionConfirmation (or, after an unauthenticated unsubscribe, UnsubscribeConfirmation) message
    with its SubscribeURL: POSTed to an HTTP/S endpoint, captured for e-mail."""
    assert sub.token is not None
    message_id = unique_id()
    when = messages.timestamp(be.now())
    subscribe_url = f"{base_url}/?Action=ConfirmSubscription&TopicArn={topic.arn}&Token={sub.token}"
    text = (
        messages.subscribe_text(topic.arn) if kind == "SubscriptionConfirmation" else messages.unsubscribe_text(sub.arn)
    )
    version = topic.attributes.get("SignatureVersion") or "1"
    signed = {
        "Message": text,
        "MessageId": message_id,
        "SubscribeURL": subscribe_url,
        "Timestamp": when,
        "Token": sub.token,
        "TopicArn": topic.arn,
        "Type": kind,
    }
    signature = (version, be.signer.sign_confirmation(signed, version), base_url + CERT_PATH)
    body = messages.envelope(
        messages.confirmation_fields(kind, message_id, sub.token, topic.arn, text, subscribe_url, when, signature)
    )
    if sub.protocol in ("http", "https"):
        headers = {
            "x-amz-sns-message-type": kind,
            "x-amz-sns-message-id": message_id,
            "x-amz-sns-topic-arn": topic.arn,
            "Content-Type": limits.DEFAULT_CONTENT_TYPE,
        }
        if kind == "UnsubscribeConfirmation":
            headers["x-amz-sns-subscription-arn"] = sub.arn
        how = policies.http_delivery(topic.attributes.get("DeliveryPolicy"), sub.delivery_policy)
        payload = {
            "body": body,
            "headers": headers,
            "subscription": sub.arn,
            "token": sub.token,
            "kind": kind,
            **how.header(),
        }
        be.runtime.delivery.enqueue(tx, HTTP_KIND, sub.endpoint, payload, policy=how.retry, source=sub.arn)
        return
    if sub.protocol == "email":
        body = messages.email_confirmation_text(topic.arn, subscribe_url)
    store.capture(
        tx, topic.account, topic.region, sub.protocol, sub.endpoint, kind, message_id, body, be.now_ms(),
        topic_arn=topic.arn, subscription_arn=sub.arn, subject="AWS Notification - Subscription Confirmation",
        extra={"subscribeUrl": subscribe_url, "token": sub.token},
    )  # fmt: skip
