"""What a publish carries and how SNS renders it: input checks (subject, attributes, sizes, MessageStructure),
the notification JSON exactly as AWS formats it, the Lambda event, the e-mail text.  No HTTP, no SQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from ... import safejson
from . import limits
from .errors import InvalidParameter, ParameterValueInvalid, invalid

Attributes = dict[str, dict[str, Any]]  # API shape: {name: {"DataType", "StringValue" | "BinaryValue" (bytes)}}


def timestamp(epoch: float) -> str:
    when = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass(slots=True)
class Message:
    """One published message, as every subscription of the topic sees it (before per-protocol rendering)."""

    message_id: str
    message: str
    per_protocol: dict[str, str] | None  # MessageStructure=json: protocol (or platform) -> text
    subject: str | None
    attributes: Attributes
    group_id: str | None
    dedup_id: str | None
    timestamp: str
    sequence: str | None = None
    trace_header: str | None = None  # the publish's X-Amzn-Trace-Id (gureum.tracing), passed to SQS deliveries

    def text_for(self, protocol: str) -> str:
        if self.per_protocol is None:
            return self.message
        return self.per_protocol.get(protocol, self.per_protocol["default"])


# --- input checks ------------------------------------------------------------------------------------


def check_subject(subject: str | None) -> None:
    """Subjects are non-empty UTF-8 text without line breaks or control characters, at most 100 characters."""
    if subject is None:
        return
    if (
        not subject
        or len(subject) > limits.MAX_SUBJECT_CHARS
        or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in subject)
    ):
        raise invalid("Subject")


def check_message(message: str | None) -> str:
    if not message:
        raise invalid("Empty message")
    return message


def _attribute_name(name: str) -> None:
    if len(name.encode()) > limits.MAX_ATTRIBUTE_NAME_BYTES:
        raise ParameterValueInvalid("Length of message attribute name must be less than 256 bytes.")
    if limits.ATTRIBUTE_NAME.match(name):
        return
    if name.startswith("."):
        raise ParameterValueInvalid("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise ParameterValueInvalid("Invalid message attribute name ending with character '.' was found.")
    for index, char in enumerate(name):
        if char not in limits.ATTRIBUTE_NAME_CHARS:
            raise ParameterValueInvalid(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message attribute name. "
                "Can only include alphanumeric characters, hyphens, underscores, or dots."
            )
        if char == "." and name[index - 1] == ".":
            raise ParameterValueInvalid("Message attribute name can not have successive '.' character.")


def check_attributes(attributes: Attributes | None) -> int:
    """Validate message attributes in AWS's order of checks; returns their size in bytes (name, type, value)."""
    size = 0
    for name, attr in (attributes or {}).items():
        _attribute_name(name)
        data_type = attr.get("DataType") or ""
        if not limits.ATTRIBUTE_TYPE.match(data_type):
            raise ParameterValueInvalid(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported type "
                "prefixes is Binary, Number, and String."
            )
        binary = data_type.startswith("Binary")
        field, other = ("BinaryValue", "StringValue") if binary else ("StringValue", "BinaryValue")
        value = attr.get(field)
        if value is None and attr.get(other) is not None:
            kind = "Binary" if binary else "String"
            raise ParameterValueInvalid(
                f"The message attribute '{name}' with type '{data_type}' must use field '{kind}'."
            )
        if not value:
            raise ParameterValueInvalid(
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{data_type}'."
            )
        if data_type.split(".")[0] == "Number":
            try:
                float(value)
            except ValueError:
                raise ParameterValueInvalid(f"Could not cast message attribute '{name}' value to number.") from None
        if data_type == "String.Array":
            try:
                parsed = safejson.loads(value)
            except ValueError:
                parsed = None
            if not isinstance(parsed, list):
                raise ParameterValueInvalid(
                    f"The message attribute '{name}' with type 'String.Array' has an invalid value: {value}"
                )
        size += len(name.encode()) + len(data_type.encode()) + len(value if binary else value.encode())
    return size


def parse_structure(message: str, structure: str | None, *, require_default: bool = True) -> dict[str, str] | None:
    """MessageStructure=json: an object of protocol -> text with a "default" entry (non-string values are ignored;
    a publish straight to a mobile endpoint may name only its platform)."""
    if structure is None:
        return None
    if structure != "json":
        raise invalid("MessageStructure")
    try:
        doc = safejson.loads(message)
    except ValueError:
        raise InvalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse") from None
    texts = {k: v for k, v in doc.items() if isinstance(v, str)} if isinstance(doc, dict) else {}
    if require_default and "default" not in texts:
        raise InvalidParameter("Invalid parameter: Message Structure - No default entry in JSON message body")
    return texts


def check_size(message: str, attributes_size: int) -> int:
    size = len(message.encode()) + attributes_size
    if size > limits.MAX_MESSAGE_BYTES:
        raise invalid("Message too long")
    return size


# --- rendering ---------------------------------------------------------------------------------------


def notification_attributes(attributes: Attributes) -> dict[str, dict[str, str]]:
    """MessageAttributes inside a notification: {"Type", "Value"}, binary values base64-encoded."""
    out: dict[str, dict[str, str]] = {}
    for name, attr in attributes.items():
        if attr["DataType"].startswith("Binary"):
            out[name] = {"Type": attr["DataType"], "Value": base64.b64encode(attr["BinaryValue"]).decode()}
        else:
            out[name] = {"Type": attr["DataType"], "Value": attr["StringValue"]}
    return out


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def envelope(fields: list[tuple[str, Any]]) -> str:
    """A notification body as AWS writes it: two-space indent, ' : ' between name and value, each message
    attribute on one compact line."""
    lines = []
    for key, value in fields:
        if key == "MessageAttributes":
            inner = ",\n".join(
                f"    {_q(name)} : {json.dumps(attr, separators=(',', ':'), ensure_ascii=False)}"
                for name, attr in value.items()
            )
            lines.append(f'  "MessageAttributes" : {{\n{inner}\n  }}')
        else:
            lines.append(f"  {_q(key)} : {_q(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def notification_fields(
    msg: Message, topic_arn: str, text: str, unsubscribe_url: str, signature: tuple[str, str, str] | None
) -> list[tuple[str, Any]]:
    """Fields of a Notification in AWS's order; FIFO notifications carry SequenceNumber and no signature."""
    fields: list[tuple[str, Any]] = [("Type", "Notification"), ("MessageId", msg.message_id)]
    if msg.sequence is not None:
        fields.append(("SequenceNumber", msg.sequence))
    fields.append(("TopicArn", topic_arn))
    if msg.subject is not None:
        fields.append(("Subject", msg.subject))
    fields += [("Message", text), ("Timestamp", msg.timestamp)]
    if signature is not None:
        version, value, cert_url = signature
        fields += [("SignatureVersion", version), ("Signature", value), ("SigningCertURL", cert_url)]
    fields.append(("UnsubscribeURL", unsubscribe_url))
    if msg.attributes:
        fields.append(("MessageAttributes", notification_attributes(msg.attributes)))
    return fields


def confirmation_fields(
    kind: str,
    message_id: str,
    token: str,
    topic_arn: str,
    text: str,
    subscribe_url: str,
    when: str,
    signature: tuple[str, str, str],
) -> list[tuple[str, Any]]:
    """SubscriptionConfirmation / UnsubscribeConfirmation fields in AWS's order."""
    version, value, cert_url = signature
    return [
        ("Type", kind),
        ("MessageId", message_id),
        ("Token", token),
        ("TopicArn", topic_arn),
        ("Message", text),
        ("SubscribeURL", subscribe_url),
        ("Timestamp", when),
        ("SignatureVersion", version),
        ("Signature", value),
        ("SigningCertURL", cert_url),
    ]


def lambda_event(
    msg: Message,
    topic_arn: str,
    subscription_arn: str,
    text: str,
    unsubscribe_url: str,
    signature: tuple[str, str, str],
) -> dict[str, Any]:
    """The event AWS Lambda receives from SNS (note SigningCertUrl/UnsubscribeUrl, and Subject null when absent)."""
    version, value, cert_url = signature
    sns = {
        "Type": "Notification",
        "MessageId": msg.message_id,
        "TopicArn": topic_arn,
        "Subject": msg.subject,
        "Message": text,
        "Timestamp": msg.timestamp,
        "SignatureVersion": version,
        "Signature": value,
        "SigningCertUrl": cert_url,
        "UnsubscribeUrl": unsubscribe_url,
        "MessageAttributes": notification_attributes(msg.attributes),
    }
    return {
        "Records": [
            {"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription_arn, "Sns": sns}
        ]
    }


def email_text(text: str, unsubscribe_url: str) -> str:
    return (
        f"{text}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link "
        f"below to unsubscribe:\n{unsubscribe_url}\n\nPlease do not reply directly to this email. If you have any "
        "questions or comments regarding this email, please contact us at https://aws.amazon.com/support"
    )


def subscribe_text(topic_arn: str) -> str:
    return (
        f"You have chosen to subscribe to the topic {topic_arn}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )


def email_confirmation_text(topic_arn: str, subscribe_url: str) -> str:
    """The body of the e-mail that asks an "email" subscriber to confirm."""
    return (
        f"You have chosen to subscribe to the topic: \n{topic_arn}\n\nTo confirm this subscription, click or visit "
        f"the link below (If this was in error no action is necessary): \nConfirm subscription:\n{subscribe_url}"
    )


def unsubscribe_text(subscription_arn: str) -> str:
    return (
        f"You have chosen to deactivate subscription {subscription_arn}.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
    )
