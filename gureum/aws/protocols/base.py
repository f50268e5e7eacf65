"""What every protocol shares: the handler interface, scalar conversions and timestamp formats."""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from botocore.model import OperationModel, Shape

from ..errors import ServiceError
from ..http import Request, Response

UTC = dt.UTC


class ProtocolHandler:
    """Parses requests into plain dicts keyed by AWS member names and serialises results and errors."""

    name: str = ""

    def parse(
        self, request: Request, operation: OperationModel, path_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        raise NotImplementedError

    def serialize(self, operation: OperationModel, output: dict[str, Any] | None, request_id: str) -> Response:
        raise NotImplementedError

    def serialize_error(
        self, error: ServiceError, request_id: str, *, spec: Any = None, operation: OperationModel | None = None
    ) -> Response:
        raise NotImplementedError


class MalformedInput(ServiceError):
    """The request's bytes do not fit the model (bad JSON, a string where a number belongs, ...)."""

    code = "SerializationException"


NESTED_TOO_DEEP = "A JSON document in the request is nested too deeply"


def nested_too_deep(style: str, code: str | None) -> ServiceError:
    """The 400 for input a service's own decoding found nested past Python's stack (a RecursionError from a
    policy, pattern or payload held in a string member), in the code the service answers invalid input with:
    its validation code, else InvalidParameterValue (query-style services) or ValidationException."""
    if code is None:
        code = "InvalidParameterValue" if style == "params" else "ValidationException"
    return ServiceError(NESTED_TOO_DEEP, code=code)


# --- timestamps -------------------------------------------------------------------------------------


def to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        return parse_timestamp(value)
    raise TypeError(f"not a timestamp: {value!r}")


def to_epoch(value: Any) -> float:
    if isinstance(value, (int, float)):
        return value
    return to_datetime(value).timestamp()


def format_timestamp(value: Any, fmt: str) -> Any:
    """Format a timestamp as iso8601, unixTimestamp (a number) or rfc822."""
    if fmt == "unixTimestamp":
        epoch = to_epoch(value)
        return int(epoch) if float(epoch).is_integer() else round(epoch, 3)
    when = to_datetime(value).astimezone(UTC)
    if fmt == "rfc822":
        return formatdate(when.timestamp(), usegmt=True)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _from_epoch(seconds: float) -> dt.datetime | None:
    """A UTC datetime for epoch seconds; None when the number is outside what a datetime holds (or NaN)."""
    try:
        return dt.datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_timestamp(value: Any) -> dt.datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        when = _from_epoch(value)
        if when is None:
            raise MalformedInput(f"Invalid timestamp: {value}")
        return when
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        when = _from_epoch(seconds)
        if when is None:
            raise MalformedInput(f"Invalid timestamp: {text}")
        return when
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError, IndexError) as exc:
        raise MalformedInput(f"Invalid timestamp: {text}") from exc


def timestamp_out(shape: Shape, value: Any, default_ts: str) -> Any:
    """A timestamp member's wire form: the shape's timestampFormat, else the protocol's default."""
    return format_timestamp(value, shape.serialization.get("timestampFormat", default_ts))


# --- blobs: base64 in every text-based protocol ----------------------------------------------------


def encode_blob(value: Any) -> str:
    data = value.encode() if isinstance(value, str) else bytes(value)
    return base64.b64encode(data).decode()


def decode_blob(text: str) -> bytes | None:
    """The bytes of base64 text; None when it is not valid base64 (each protocol answers its own error)."""
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


# --- scalars from text (query strings, headers, XML) ----------------------------------------------


INT_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}  # Java's int and long


def in_range(kind: str, value: int) -> bool:
    """Does an integer fit the model type (Java's int for "integer", long for "long")?"""
    low, high = INT_RANGES.get(kind, (-(2**63), 2**63 - 1))
    return low <= value <= high


def scalar_from_text(shape: Shape, text: str, where: str) -> Any:
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or not in_range(kind, number):
            raise ServiceError(
                f"Value ({_clip(text)}) for parameter {where} is invalid. Must be an integer.",
                code="InvalidParameterValue",
            )
        return number
    if kind in ("float", "double"):
        try:
            real = float(text)
        except ValueError:
            real = math.nan
        if not math.isfinite(real):
            raise ServiceError(
                f"Value ({_clip(text)}) for parameter {where} is invalid. Must be a number.",
                code="InvalidParameterValue",
            )
        return real
    if kind == "boolean":
        low = text.lower()
        if low in ("true", "false"):
            return low == "true"
        raise ServiceError(
            f"Value ({_clip(text)}) for parameter {where} is invalid. Must be a boolean.",
            code="InvalidParameterValue",
        )
    if kind == "blob":
        data = decode_blob(text)
        if data is None:
            raise ServiceError(f"Value for parameter {where} is invalid. Must be base64.", code="InvalidParameterValue")
        return data
    if kind == "timestamp":
        return parse_timestamp(text)
    return text


def _clip(text: str, limit: int = 256) -> str:
    """A value quoted in an error message, cut short: the message must not echo megabytes back."""
    return text if len(text) <= limit else f"{text[:limit]}..."


def text_from_scalar(shape: Shape, value: Any, default_ts: str = "iso8601") -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return encode_blob(value)
    if kind == "timestamp":
        return str(timestamp_out(shape, value, default_ts))
    if kind in ("float", "double") and isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text an XML 1.0 document can hold (and UTF-8 can encode): characters XML forbids, lone surrogates
    among them, become U+FFFD. For error messages, which may echo any input."""
    return _XML_INVALID.sub("\ufffd", text)


def xml_escape(text: str) -> str:
    if not any(c in text for c in "&<>\r\"'"):
        return text
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#xD;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )
