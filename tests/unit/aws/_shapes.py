"""Hypothesis strategies for any botocore shape, limited to what each place on the wire can carry.

Values are what survives a round trip by design: timestamps in whole seconds (rfc822 and botocore's
default precision), no empty lists or maps (clients drop them), XML-legal text in XML, printable ASCII
in headers, no empty URI labels or payloads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from botocore.model import OperationModel, Shape
from hypothesis import strategies as st

UTC = dt.UTC

# XML 1.0 has no control characters but tab and newline, nor U+FFFE/U+FFFF; \r does not survive (end-of-line handling)
_XML_TEXT = st.characters(exclude_categories=["Cs", "Cc"], include_characters="\t\n", exclude_characters="\ufffe\uffff")
_HEADER_TEXT = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
_HEADER_ITEM = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='\\,"'), min_size=1, max_size=8
)
_HEADER_KEY = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), min_size=1, max_size=8)
_TIMESTAMP = st.integers(0, 4_102_444_800).map(lambda s: dt.datetime.fromtimestamp(s, UTC))
_JSON_DOC = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
).filter(lambda doc: doc is not None)  # a None member is an absent member


@dataclass(frozen=True, slots=True)
class Wire:
    """Where values travel: ``body`` is json, xml or query; ``reply`` marks server-to-client values."""

    body: str
    reply: bool = False
    depth: int = 0


def _text(wire: Wire, min_size: int = 0) -> st.SearchStrategy[str]:
    if wire.body in ("xml", "query"):
        return st.text(_XML_TEXT, min_size=min_size, max_size=12)
    return st.text(min_size=min_size, max_size=12)


def value(shape: Shape, wire: Wire) -> st.SearchStrategy[Any]:
    """Any value of the shape that the body encoding can carry."""
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, wire, top=False)
    if kind == "list":
        return st.lists(value(shape.member, replace(wire, depth=wire.depth + 1)), min_size=1, max_size=3)
    if kind == "map":
        keys = _text(wire, min_size=1)
        return st.dictionaries(keys, value(shape.value, replace(wire, depth=wire.depth + 1)), min_size=1, max_size=3)
    return _scalar(shape, _text(wire))


def _scalar(shape: Shape, text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "string":
        return text
    if kind == "integer":
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "long":
        return st.integers(-(2**53), 2**53)
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=16)
    if kind == "timestamp":
        return _TIMESTAMP
    raise AssertionError(f"no strategy for {kind}")


def _structure(shape: Shape, wire: Wire, top: bool) -> st.SearchStrategy[Any]:
    if shape.is_document_type:
        return _JSON_DOC if wire.body == "json" else st.nothing()
    if wire.depth > 3:
        return st.nothing()
    inner = replace(wire, depth=wire.depth + 1)
    members = {
        name: value(member, inner)
        for name, member in shape.members.items()
        if not member.serialization.get("eventstream")
    }
    members = {name: strategy for name, strategy in members.items() if not strategy.is_empty}
    if shape.metadata.get("union"):
        if not members:
            return st.nothing()
        return st.one_of(*(st.fixed_dictionaries({name: strategy}) for name, strategy in members.items()))
    if not members:
        return st.just({}) if top else st.nothing()
    built = st.fixed_dictionaries({}, optional=members)
    return built if top else built.filter(bool)


def _bound(member: Shape, location: str, greedy: bool, wire: Wire) -> st.SearchStrategy[Any]:
    """A value for a top-level member bound to the URI, query string or headers."""
    kind = member.type_name
    if location == "uri":
        label = st.text(
            st.characters(exclude_categories=["Cs"], exclude_characters="" if greedy else "/"), min_size=1, max_size=10
        )
        return _scalar(member, label)
    if location == "querystring":
        if kind == "map":
            keys = st.text(st.sampled_from("xyz0123456789"), min_size=1, max_size=6).map(lambda k: f"qx-{k}")
            items = _bound(member.value, "querystring", False, wire)
            return st.dictionaries(keys, items, min_size=1, max_size=3)
        if kind == "list":
            return st.lists(_scalar(member.member, st.text(max_size=8)), min_size=1, max_size=3)
        return _scalar(member, st.text(max_size=10))
    if location == "headers":
        # a client reads an absent prefix map as {}; a server sees none at all
        return st.dictionaries(_HEADER_KEY, _HEADER_TEXT, min_size=0 if wire.reply else 1, max_size=3)
    if member.serialization.get("hostLabel"):
        return st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=10)
    if kind == "list":
        # botocore's response parser splits header lists on every comma, without unquoting
        item = _HEADER_ITEM if wire.reply else _HEADER_TEXT.filter(lambda s: "\\" not in s)
        return st.lists(_scalar(member.member, item), min_size=1, max_size=3)
    if kind == "string" and member.serialization.get("jsonvalue"):
        return _JSON_DOC
    if kind == "blob":
        return st.nothing()  # botocore writes str(bytes) into the header: no wire format to agree on
    return _scalar(member, _HEADER_TEXT)


def top_level(shape: Shape | None, wire: Wire, op: OperationModel | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters (or output) for an operation: bound members by location, the rest by body encoding."""
    if shape is None:
        return st.just({})
    payload = shape.serialization.get("payload")
    greedy = {part[1:-2] for part in (op.http.get("requestUri", "") if op else "").split("/") if part.endswith("+}")}
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "statusCode":
            strategy: st.SearchStrategy[Any] = st.integers(200, 299)
        elif location:
            strategy = _bound(member, location, wire_name in greedy, wire)
        elif name == payload and member.type_name in ("blob", "string"):
            strategy = st.binary(min_size=1, max_size=16) if member.type_name == "blob" else _text(wire, min_size=1)
        elif member.serialization.get("eventstream"):
            continue
        else:
            strategy = value(member, wire)
        if strategy.is_empty:
            continue
        # A client always sees the status, the payload (an empty body reads as b"" or {}) and a body's
        # content type; a server always sees Content-Length, which the HTTP layer sets when the client did not.
        if wire.reply:
            always = location in ("statusCode", "headers") or name == payload or wire_name.lower() == "content-type"
        else:
            always = (
                location == "uri"
                or bool(member.serialization.get("hostLabel"))
                or wire_name.lower() == "content-length"
            )
        (required if always else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)
