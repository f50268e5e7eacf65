"""Messages as values: a stored message (Row) and a new one (NewMessage), validation of bodies and attributes,
their stored form, receipt handles, and a received message as ReceiveMessage renders it (no SQL, no HTTP)."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ...aws.errors import ServiceError
from . import limits
from .errors import InvalidMessageContents, InvalidParameterValue, MissingParameter, ReceiptHandleIsInvalid
from .md5 import md5_attributes


@dataclass(slots=True)
class Row:
    """One stored message, as read for a receive."""

    id: int
    message_id: str
    body: str
    attributes: str | None
    system_attributes: str | None
    md5_body: str
    sender_id: str
    sent_at: int
    receive_count: int
    first_received_at: int | None
    group_id: str | None
    dedup_id: str | None
    dlq_source_arn: str | None
    visible_at: int
    receipt: str | None


@dataclass(slots=True)
class NewMessage:
    """A message checked against its queue, about to be stored (attributes in stored form)."""

    body: str
    attributes: str | None
    system_attributes: str | None
    md5_body: str
    delay: int
    group_id: str | None
    dedup_id: str | None


@dataclass(slots=True)
class Received:
    """A message a receive took, with the receipt handle that deletes it."""

    row: Row
    handle: str


SYSTEM_ATTRIBUTE_NAMES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def check_body(body: str | None) -> None:
    if not body:
        raise MissingParameter("The request must contain the parameter MessageBody.")
    if body.isascii() and body.isprintable():
        return  # " " to "~" only: all allowed (a quick test of the usual body; the pattern reads it char by char)
    bad = limits.INVALID_BODY_CHAR.search(body)
    if bad:
        raise InvalidMessageContents(
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message body, "
            f"the set of allowed characters is {limits.VALID_CHARS_TEXT}."
        )


def _attribute_error(message: str) -> ServiceError:
    return InvalidParameterValue(message)


def check_message_attributes(attributes: dict[str, dict[str, Any]] | None, kind: str = "") -> int:
    """Validate message (or system) attributes; return their size in bytes as SQS counts it."""
    if not attributes:
        return 0
    label = f"Message {kind}attribute" if kind else "Message (user) attribute"
    if not kind and len(attributes) > limits.MAX_MESSAGE_ATTRIBUTES:
        raise _attribute_error(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{limits.MAX_MESSAGE_ATTRIBUTES}]."
        )
    size = 0
    for name, value in attributes.items():
        if kind:
            if name != "AWSTraceHeader":
                raise _attribute_error(f"Message system attribute name '{name}' is invalid.")
        elif not limits.ATTRIBUTE_NAME.match(name) or name.lower().startswith(limits.RESERVED_ATTRIBUTE_PREFIXES):
            raise _attribute_error(f"Message (user) attribute name '{name}' is invalid or uses a reserved prefix.")
        if not isinstance(value, dict):
            raise _attribute_error(f"{label} '{name}' must contain a non-empty message attribute value.")
        data_type = value.get("DataType")
        if not data_type:
            raise _attribute_error(f"The message attribute '{name}' must contain non-empty message attribute type.")
        base_type = data_type.split(".", 1)[0]
        if base_type not in ("String", "Number", "Binary") or len(data_type) > 256:
            raise _attribute_error(
                f"The type of message (user) attribute '{name}' is invalid. "
                "You must use only the following supported type prefixes: Binary, Number, String."
            )
        if kind and base_type != "String":
            raise _attribute_error(f"The message system attribute '{name}' must be of type String.")
        if value.get("StringListValues") or value.get("BinaryListValues"):
            raise _attribute_error(f"{label} '{name}' uses a list value type, which SQS does not support yet.")
        if base_type == "Binary":
            data = value.get("BinaryValue")
            if data is None or len(data) == 0:
                raise _attribute_error(f"{label} '{name}' must contain a non-empty value of type '{base_type}'.")
            size += len(data)
        else:
            text = value.get("StringValue")
            if text is None or text == "":
                raise _attribute_error(f"{label} '{name}' must contain a non-empty value of type '{base_type}'.")
            bad = limits.INVALID_BODY_CHAR.search(text)
            if bad:  # InvalidParameterValue here, not InvalidMessageContents (as AWS answers)
                raise _attribute_error(
                    f"Invalid binary character '#x{ord(bad.group()):X}' was found in the value of "
                    f"{label.lower()} '{name}', "
                    f"the set of allowed characters is {limits.VALID_CHARS_TEXT}."
                )
            if base_type == "Number":
                _check_number(name, text)
            size += len(text.encode())
        size += len(name.encode()) + len(data_type.encode())
    return size


def _check_number(name: str, text: str) -> None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _attribute_error(f"Can't cast the value of message (user) attribute '{name}' to a number.") from None
    if not number.is_finite() or abs(number.adjusted()) > 126 or len(number.as_tuple().digits) > 38:
        raise _attribute_error(
            f"Value of message (user) attribute '{name}' is outside the range of supported numbers: "
            "up to 38 digits of precision, between 10^-128 and 10^+126."
        )


def encode_attributes(attributes: dict[str, dict[str, Any]] | None) -> str | None:
    """Attributes → JSON text for the store (binary values base64)."""
    if not attributes:
        return None
    out = {}
    for name, value in attributes.items():
        item: dict[str, Any] = {"DataType": value["DataType"]}
        if value.get("BinaryValue") is not None:
            item["BinaryValue"] = base64.b64encode(bytes(value["BinaryValue"])).decode()
        else:
            item["StringValue"] = value["StringValue"]
        out[name] = item
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def decode_attributes(text: str | None) -> dict[str, dict[str, Any]]:
    if not text:
        return {}
    doc: dict[str, dict[str, Any]] = json.loads(text)
    for value in doc.values():
        if "BinaryValue" in value:
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
    return doc


def select_attributes(
    attributes: dict[str, dict[str, Any]], wanted: Collection[str] | None
) -> dict[str, dict[str, Any]]:
    """MessageAttributeNames: names, 'All', '.*' (or '*') or 'prefix.*'."""
    if not wanted or not attributes:
        return {}
    if "All" in wanted or ".*" in wanted or "*" in wanted:
        return attributes
    prefixes = tuple(w[:-2] for w in wanted if w.endswith(".*"))
    names = set(wanted)
    return {k: v for k, v in attributes.items() if k in names or (prefixes and k.startswith(prefixes))}


def attributes_md5(attributes: dict[str, dict[str, Any]]) -> str | None:
    return md5_attributes(attributes) if attributes else None


# --- receipt handles ----------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(16)


@dataclass(slots=True, frozen=True)
class Handle:
    """A receipt handle: the queue and row of a message, the receive it came from (token) and the message's id.
    The message id makes any handle of a message act on it while it is in the queue (AWS keeps earlier handles
    valid) and on nothing else (a row id may be used again once its message is gone). Handles given before they
    named their message carry no message id: those act only while their receive is the latest."""

    queue_id: int
    row_id: int
    token: str
    message_id: str | None


def receipt_handle(queue_id: int, row_id: int, token: str, message_id: str) -> str:
    raw = f"{queue_id}:{row_id}:{token}:{message_id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def parse_receipt_handle(handle: str) -> Handle:
    try:
        parts = base64.urlsafe_b64decode(handle.encode()).decode().split(":", 3)
        if len(parts) not in (3, 4) or not parts[2]:
            raise ValueError(handle)
        return Handle(int(parts[0]), int(parts[1]), parts[2], parts[3] if len(parts) == 4 else None)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.') from None


# --- a received message -------------------------------------------------------------------------------


def render(
    fifo: bool, item: Received, system_wanted: Collection[str], user_wanted: Collection[str] | None
) -> dict[str, Any]:
    """One received message as ReceiveMessage returns it, with the system and message attributes asked for."""
    row = item.row
    message: dict[str, Any] = {
        "MessageId": row.message_id,
        "ReceiptHandle": item.handle,
        "MD5OfBody": row.md5_body,
        "Body": row.body,
    }
    system = system_attributes(fifo, row, set(system_wanted))
    if system:
        message["Attributes"] = system
    user = select_attributes(decode_attributes(row.attributes), user_wanted)
    if user:
        message["MessageAttributes"] = user
        message["MD5OfMessageAttributes"] = attributes_md5(user)
    return message


def system_attributes(fifo: bool, row: Row, wanted: set[str]) -> dict[str, str]:
    if not wanted:
        return {}
    every = "All" in wanted
    out: dict[str, str] = {}

    def put(name: str, value: Any) -> None:
        if value is not None and (every or name in wanted):
            out[name] = str(value)

    put("SenderId", row.sender_id)
    put("SentTimestamp", row.sent_at)
    put("ApproximateReceiveCount", row.receive_count)
    put("ApproximateFirstReceiveTimestamp", row.first_received_at)
    if fifo:
        put("SequenceNumber", sequence_number(row.id))
        put("MessageDeduplicationId", row.dedup_id)
    put("MessageGroupId", row.group_id)
    if row.system_attributes:
        trace = json.loads(row.system_attributes).get("AWSTraceHeader", {})
        put("AWSTraceHeader", trace.get("StringValue"))
    put("DeadLetterQueueSourceArn", row.dlq_source_arn)
    return out


def sequence_number(row_id: int) -> str:
    """A FIFO message's SequenceNumber: its row id, zero-padded to the 20 digits AWS's numbers have."""
    return f"{row_id:020d}"
