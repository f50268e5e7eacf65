"""DynamoDB attribute values: checking and normalising them as AWS does (38-digit numbers kept as decimal text,
sets without duplicates, no empty sets), their size as AWS counts it, equality and order, the order-preserving
byte encoding of key values the store sorts by, and the compact JSON an item is stored as.

An item is a dict of attribute name → AttributeValue ({"S": str}, {"N": str}, {"B": bytes}, {"SS": [...]},
{"M": {...}}, {"L": [...]}, {"NULL": True}, {"BOOL": bool}), binary values as bytes (base64 only on the wire).
"""

from __future__ import annotations

import base64
import decimal
import json
import re
from typing import Any

from . import limits
from .errors import ValidationException, invalid

Value = dict[str, Any]
Item = dict[str, Value]

TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
SETS = {"SS": "S", "NS": "N", "BS": "B"}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # no nested repetition: linear
CONTEXT = decimal.Context(prec=80, Emax=999_999, Emin=-999_999, traps=[decimal.InvalidOperation])
_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}


def number(text: str) -> decimal.Decimal:
    """The decimal a normalised number string stands for."""
    return decimal.Decimal(text)


def normalise_number(text: Any) -> str:
    """A number string as AWS stores and returns it (no exponent, no leading or trailing zeros), or the
    ValidationException AWS answers."""
    if isinstance(text, str) and _canonical_integer(text):
        return text
    if not isinstance(text, str) or not _NUMBER.fullmatch(text.strip()):
        raise ValidationException("A value provided cannot be converted into a number")
    return format_number(decimal.Decimal(text.strip()))


def _canonical_integer(text: str) -> bool:
    """An integer already in AWS's form, short of the 38-digit limit ("7", "-120"; not "007", "-0", "+1", "1.0"):
    what most numbers are, kept as they are without the decimal round trip."""
    digits = text[1:] if text[:1] == "-" else text
    return (
        0 < len(digits) <= limits.NUMBER_DIGITS
        and digits.isascii()
        and digits.isdigit()
        and (digits[0] != "0" or text == "0")
    )


def format_number(value: decimal.Decimal) -> str:
    """Check a decimal against DynamoDB's range and precision; its canonical text."""
    if value.is_zero():
        return "0"
    reduced = value.normalize(CONTEXT)
    sign, digits, exponent = reduced.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > limits.NUMBER_DIGITS:
        raise ValidationException("Attempting to store more than 38 significant digits in a Number")
    magnitude = len(digits) + exponent  # value = 0.d1d2… × 10^magnitude
    if magnitude > limits.NUMBER_MAX_MAGNITUDE:
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if magnitude < limits.NUMBER_MIN_MAGNITUDE:
        raise ValidationException(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    return format(reduced, "f")


def check(value: Any, depth: int = 0) -> Value:
    """One AttributeValue checked and normalised (numbers canonical), as AWS validates input."""
    if not isinstance(value, dict) or not value:
        raise ValidationException(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if len(value) > 1:
        raise ValidationException(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
            "datatypes"
        )
    if depth > limits.MAX_DEPTH:
        raise ValidationException("Nesting Levels have exceeded supported limits")
    ((kind, inner),) = value.items()
    if kind in ("S", "B", "BOOL"):
        return value
    if kind == "N":
        return {"N": normalise_number(inner)}
    if kind == "NULL":
        if inner is not True:
            raise invalid("Null attribute value types must have the value of true")
        return value
    if kind in SETS:
        if not inner:
            if kind == "BS":
                raise invalid("Binary sets should not be empty")
            raise invalid(f"An {_SET_NAMES[kind]} set  may not be empty")
        members = [normalise_number(n) for n in inner] if kind == "NS" else list(inner)
        seen = {number(m) for m in members} if kind == "NS" else set(members)
        if len(seen) != len(members):
            shown = ", ".join(str(m) if kind != "BS" else repr(m) for m in inner)
            raise invalid(f"Input collection [{shown}] contains duplicates.")
        return {kind: members}
    if kind == "M":
        return {"M": {k: check(v, depth + 1) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [check(v, depth + 1) for v in inner]}
    raise ValidationException("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def check_item(item: Any) -> Item:
    return {name: check(value) for name, value in item.items()}


def kind_of(value: Value) -> str:
    return next(iter(value))


# --- size ------------------------------------------------------------------------------------------------------


def value_size(value: Value) -> int:
    """Bytes AWS counts for one value (its name not included)."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "B":
        return len(inner)
    if kind == "N":
        return _number_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "BS":
        return sum(len(b) for b in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    return 3 + sum(value_size(v) + 1 for v in inner)  # L


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def item_size(item: Item) -> int:
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        for kind, inner in value.items():  # one: the common kinds without a call
            if kind == "S":
                total += len(inner.encode())
            elif kind == "N":
                total += _number_size(inner)
            else:
                total += value_size(value)
    return total


# --- equality and order ------------------------------------------------------------------------------------------


def equal(a: Value | None, b: Value | None) -> bool:
    """DynamoDB's = (numbers by value, sets as sets, documents deeply)."""
    if a is None or b is None:
        return False
    ka, va = next(iter(a.items()))
    kb, vb = next(iter(b.items()))
    if ka != kb:
        return False
    if ka == "N":
        return number(va) == number(vb)
    if ka == "NS":
        return {number(x) for x in va} == {number(x) for x in vb}
    if ka in ("SS", "BS"):
        return set(va) == set(vb)
    if ka == "M":
        return va.keys() == vb.keys() and all(equal(va[k], vb[k]) for k in va)
    if ka == "L":
        return len(va) == len(vb) and all(equal(x, y) for x, y in zip(va, vb))
    return bool(va == vb)


def ordered(a: Value, b: Value) -> int | None:
    """-1, 0 or 1 comparing two scalars of one type (N, S, B); None when they cannot be ordered."""
    ka, va = next(iter(a.items()))
    kb, vb = next(iter(b.items()))
    if ka != kb or ka not in ("N", "S", "B"):
        return None
    if ka == "N":
        x, y = number(va), number(vb)
    elif ka == "S":
        x, y = va.encode(), vb.encode()  # DynamoDB orders strings by their UTF-8 bytes
    else:
        x, y = va, vb
    return (x > y) - (x < y)


# --- key encoding ------------------------------------------------------------------------------------------------


def _escaped(data: bytes) -> bytes:
    return data.replace(b"\x00", b"\x00\xff")


def encode_key(value: Value) -> bytes:
    """A key value as self-delimiting bytes whose byte order is DynamoDB's order of the values (numbers
    numerically, strings and binaries by their bytes)."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return _escaped(inner.encode()) + b"\x00\x01"
    if kind == "B":
        return _escaped(inner) + b"\x00\x01"
    text: str = inner
    if text.isdigit() and text[0] != "0" and text.isascii():  # a positive integer as stored: no decimal needed
        return b"\x81" + bytes([len(text) + 129]) + text.rstrip("0").encode() + b"\x00"
    return _encode_number(number(text))


def encode_prefix(value: Value) -> bytes:
    """The bytes every encoded key that begins with this string or binary starts with (begins_with)."""
    kind, inner = next(iter(value.items()))
    return _escaped(inner.encode() if kind == "S" else inner)


def _encode_number(value: decimal.Decimal) -> bytes:
    if value.is_zero():
        return b"\x80"
    sign, digits, exponent = value.normalize(CONTEXT).as_tuple()
    assert isinstance(exponent, int)
    magnitude = len(digits) + exponent + 129  # 0.d1d2… × 10^(magnitude-129): 0..255 over DynamoDB's range
    text = bytes(0x30 + d for d in digits)
    if not sign:
        return b"\x81" + bytes([magnitude]) + text + b"\x00"
    return b"\x7f" + bytes([255 - magnitude]) + bytes(255 - c for c in text) + b"\xff"


def prefix_end(prefix: bytes) -> bytes | None:
    """The least byte string greater than every string starting with ``prefix`` (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


# --- stored form -------------------------------------------------------------------------------------------------


def _to_plain(value: Value) -> Any:
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(inner).decode()}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode() for b in inner]}
    if kind == "M":
        return {"M": {k: _to_plain(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_to_plain(v) for v in inner]}
    return value


def _from_plain(value: Any) -> Value:
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {"M": {k: _from_plain(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_from_plain(v) for v in inner]}
    return value  # type: ignore[no-any-return]


def wire_item(item: Item) -> dict[str, Any]:
    """An item in its JSON wire form (binary base64), for error fields the protocol writes as they are."""
    return {name: _to_plain(value) for name, value in item.items()}


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # made once (json.dumps makes one per call)


def dump_item(item: Item) -> str:
    return _ENCODER.encode(wire_item(item))


_DECODER = json.JSONDecoder()


def load_item(text: str) -> Item:
    """A stored item. The decoder is called directly (json.loads's own checks cost as much as decoding a small
    item), and values are walked only where a binary, map or list (what _from_plain changes or walks into) may be:
    a '"' inside a JSON string is escaped, so these markers match only the JSON's structure (at worst an item's
    first attribute named B, BS, M or L: walked for nothing)."""
    try:
        doc = _DECODER.raw_decode(text)[0]
    except ValueError:
        doc = json.loads(text)  # raises as json.loads does
    if '{"B":' not in text and '{"BS":' not in text and '{"M":' not in text and '{"L":' not in text:
        return doc  # type: ignore[no-any-return]
    return {name: _from_plain(value) for name, value in doc.items()}


def describe_value(value: Value) -> str:
    """How AWS names a value's type in messages (operand type: NUMBER)."""
    return _TYPE_NAMES[kind_of(value)]


_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
    "M": "MAP",
    "L": "LIST",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
}
