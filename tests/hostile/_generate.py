"""Hypothesis strategies for hostile requests: for any operation gureum implements, a request in the service's
protocol whose members are sometimes right and often not (wrong types, lone surrogates, JSON nested thousands
deep, numbers no type holds, invalid base64, impossible timestamps, huge strings), plus plain garbage."""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import quote

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from hypothesis import strategies as st

from ._wire import authorization

# operations that wait by design (a long poll) or stream: their slowness is no stall
SLOW = {("sqs", "ReceiveMessage"), ("logs", "StartLiveTail"), ("lambda", "InvokeWithResponseStream")}
JSON_SERVICES = ("sqs", "events", "logs")
QUERY_SERVICES = ("sqs", "sns", "iam", "sts")
REST_JSON_SERVICES = ("lambda", "apigateway", "apigatewayv2", "scheduler", "apigatewaymanagementapi")
QUERY_VERSIONS = {"sqs": "2012-11-05", "sns": "2010-03-31", "iam": "2010-05-08", "sts": "2011-06-15"}


class Raw(str):
    """JSON text written as is (numbers and nesting Python values cannot express)."""


@cache
def model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


@cache
def implemented(service: str) -> tuple[str, ...]:
    """The operations gureum serves for ``service`` (the rest answer 501 by design), minus the slow ones."""
    from gureum.services import all_services

    for candidate in all_services({}):
        if candidate.name == service:
            return tuple(sorted(name for name in candidate.ops if (service, name) not in SLOW))
    return ()


def operations(services: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(service, name) for service in services for name in implemented(service)]


# --- values ----------------------------------------------------------------------------------------------

_DEPTHS = st.sampled_from([300, 1_000, 2_000, 5_000])
DEEP = st.one_of(
    _DEPTHS.map(lambda n: Raw("[" * n + "]" * n)),
    _DEPTHS.map(lambda n: Raw('{"a":' * n + "1" + "}" * n)),
)
ODD_NUMBERS = st.sampled_from(
    [Raw(text) for text in ("1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1" * 40, "9" * 5_000, "-0", "1e-400")]
    + [2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, 1.5e308]
)
SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\ud800b", "\udc00\ud800", "\ud83d"])
SHORT_ODD = st.one_of(
    SURROGATES,
    st.sampled_from(["", "\x00", "\u2028", "\ufffe", "%", "%ff", "*" * 500, "<a>&amp;</a>", "' OR 1=1 --"]),
    st.text(max_size=30),
)
# strings for bodies may be huge; in a URI or header they stay within the server's request-line/header limits
ODD_STRINGS = st.one_of(SHORT_ODD, st.integers(10_000, 300_000).map(lambda n: "x" * n))
BAD_BASE64 = st.sampled_from(["!!!", "abc", "====", "a=b=", "\u00e9t\u00e9", "A" * 5])
BAD_TIMESTAMPS = st.sampled_from(
    ["2024-13-45T99:99:99Z", "yesterday", "", "9999999-01-01", Raw("1e20"), Raw("-1e20"), Raw("1e400"), Raw("NaN")]
)
WRONG_TYPES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
HOSTILE: st.SearchStrategy[Any] = st.one_of(DEEP, ODD_NUMBERS, ODD_STRINGS, WRONG_TYPES)


def _right(shape: Shape, depth: int) -> st.SearchStrategy[Any]:
    """A value of the shape's type (its constraints are not honoured: validation must catch them)."""
    kind = shape.type_name
    if kind == "structure" and depth < 4:
        members = shape.members
        required = [n for n in shape.required_members if n in members]
        optional = sorted(set(members) - set(required))
        chosen = (
            st.lists(st.sampled_from(optional), max_size=min(4, len(optional)), unique=True)
            if optional
            else st.just([])
        )
        return chosen.flatmap(
            lambda names: st.fixed_dictionaries(
                {members[n].serialization.get("name", n): value(members[n], depth + 1) for n in [*required, *names]}
            )
        )
    if kind == "list" and depth < 4:
        return st.lists(value(shape.member, depth + 1), max_size=3)
    if kind == "map" and depth < 4:
        return st.dictionaries(st.text(max_size=8), value(shape.value, depth + 1), max_size=3)
    if kind in ("integer", "long"):
        return st.integers(-(2**31), 2**31 - 1)
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=20).map(lambda b: __import__("base64").b64encode(b).decode())
    if kind == "timestamp":
        return st.one_of(st.integers(0, 2**31), st.just("2024-01-01T00:00:00Z"))
    if kind == "string" and shape.enum:
        return st.sampled_from(list(shape.enum))
    return st.text(max_size=20)


def value(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Right about half the time; otherwise something hostile aimed at the shape's type."""
    aimed = {"blob": BAD_BASE64, "timestamp": BAD_TIMESTAMPS}.get(shape.type_name, HOSTILE)
    return st.one_of(_right(shape, depth), _right(shape, depth), aimed, HOSTILE)


def _short(shape: Shape) -> st.SearchStrategy[Any]:
    """``value`` without the huge strings and deep documents (for the URI and headers)."""
    return st.one_of(_right(shape, 3), SHORT_ODD, ODD_NUMBERS, WRONG_TYPES)


def dump(node: Any) -> str:
    """JSON text; strings ASCII-escaped (so a lone surrogate travels as a \\ud800 escape)."""
    if isinstance(node, Raw):
        return str(node)
    if isinstance(node, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ",".join(dump(item) for item in node) + "]"
    return json.dumps(node)


def _text(node: Any) -> str:
    """A leaf as query-string or URI text."""
    if isinstance(node, (dict, list)):
        return dump(node)
    if node is None:
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def _header_safe(text: str) -> str:
    """A header value HTTP allows (no control characters, Latin-1): malformed HTTP is the HTTP layer's 400."""
    latin = text.encode("latin-1", "replace").decode("latin-1")
    return "".join(ch for ch in latin if ch >= " " and ch != "\x7f")


def _encode(text: str) -> str:
    """Percent-encoding that lets lone surrogates through (as their ill-formed UTF-8 bytes)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# --- requests --------------------------------------------------------------------------------------------


class Hostile:
    """One generated request (not a dataclass: hypothesis would print every byte of it)."""

    __slots__ = ("protocol", "service", "operation", "method", "path", "headers", "body")

    def __init__(
        self, protocol: str, service: str, operation: str, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> None:
        self.protocol, self.service, self.operation, self.method = protocol, service, operation, method
        self.path, self.headers, self.body = path, headers, body

    def __repr__(self) -> str:
        return f"{self.service}.{self.operation} {self.method} {self.path[:120]} {self.body[:300]!r}"


def _op(service: str, name: str) -> OperationModel:
    return model(service).operation_model(name)


@st.composite
def json_request(draw: st.DrawFn) -> Hostile:
    service, name = draw(st.sampled_from(operations(JSON_SERVICES)))
    op = _op(service, name)
    meta = model(service).metadata
    doc = draw(value(op.input_shape)) if op.input_shape is not None else {}
    body = draw(st.one_of(st.just(dump(doc).encode("ascii")), st.binary(max_size=300), DEEP.map(str.encode)))
    headers = {
        "X-Amz-Target": f"{meta['targetPrefix']}.{name}",
        "Content-Type": f"application/x-amz-json-{meta.get('jsonVersion', '1.0')}",
        "Authorization": authorization(service),
    }
    return Hostile("json", service, name, "POST", "/", headers, body)


def _flatten(shape: Shape, node: Any, prefix: str, out: list[tuple[str, str]], depth: int = 0) -> None:
    """Query-protocol parameters for a drawn value (botocore's layout where the value fits the shape)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(node, dict) and depth < 5:
        for key, item in node.items():
            member = shape.members.get(key)
            if member is not None:
                _flatten(member, item, f"{prefix}.{key}" if prefix else key, out, depth + 1)
            else:
                out.append((f"{prefix}.{key}" if prefix else str(key), _text(item)))
    elif kind == "list" and isinstance(node, list) and depth < 5:
        for index, item in enumerate(node, 1):
            _flatten(shape.member, item, f"{prefix}.member.{index}", out, depth + 1)
    elif kind == "map" and isinstance(node, dict) and depth < 5:
        for index, (key, item) in enumerate(node.items(), 1):
            out.append((f"{prefix}.entry.{index}.key", str(key)))
            _flatten(shape.value, item, f"{prefix}.entry.{index}.value", out, depth + 1)
    else:
        out.append((prefix or "Value", _text(node)))


_GARBAGE_KEYS = st.one_of(
    st.text(max_size=12),
    st.integers(50, 20_000).map(lambda n: "A" + ".b" * n),  # a name of thousands of segments
    st.sampled_from(["Attributes.entry.1.key", "MessageAttribute.99999999999999999999.Name", "Tags.member.-1.Key"]),
)


@st.composite
def query_request(draw: st.DrawFn) -> Hostile:
    service, name = draw(st.sampled_from(operations(QUERY_SERVICES)))
    op = _op(service, name)
    pairs: list[tuple[str, str]] = [("Action", name), ("Version", QUERY_VERSIONS[service])]
    if op.input_shape is not None:
        doc = draw(_right(op.input_shape, 0))
        # botocore's member names, not the JSON wire names, name query parameters
        _flatten(op.input_shape, _rename(op.input_shape, doc), "", pairs)
    pairs += draw(st.lists(st.tuples(_GARBAGE_KEYS, st.one_of(ODD_STRINGS, st.text(max_size=10))), max_size=3))
    # the query protocol also reads the query string: keep that part within the request-line limit
    body = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)
    body += draw(st.sampled_from(["", "&%ED%A0%80=%FF", "&Name=%ED%A0%80", "&&==&", "&" + "%" * 3]))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": authorization(service)}
    return Hostile("query", service, name, "POST", "/", headers, body.encode("latin-1", "replace"))


def _rename(shape: Shape, doc: Any) -> Any:
    """A drawn structure keyed by member names (the JSON strategies key by wire names)."""
    if not isinstance(doc, dict) or shape.type_name != "structure":
        return doc
    by_wire = {member.serialization.get("name", name): name for name, member in shape.members.items()}
    return {by_wire.get(key, key): value for key, value in doc.items()}


@st.composite
def rest_json_request(draw: st.DrawFn) -> Hostile:
    service, name = draw(st.sampled_from(operations(REST_JSON_SERVICES)))
    op = _op(service, name)
    shape = op.input_shape
    uri = op.http.get("requestUri", "/")
    path, _, fixed_query = uri.partition("?")
    query: list[str] = [fixed_query] if fixed_query else []
    headers = {"Content-Type": "application/json", "Authorization": authorization(service)}
    doc: dict[str, Any] = {}
    if shape is not None:
        for member_name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", member_name)
            if location == "uri":
                text = _text(draw(st.one_of(SHORT_ODD, st.text(min_size=1, max_size=12), WRONG_TYPES)))
                encoded = _encode(text) if text else "x"
                path = path.replace("{" + wire + "+}", encoded).replace("{" + wire + "}", encoded)
            elif location == "querystring" and draw(st.booleans()):
                query.append(f"{_encode(wire)}={_encode(_text(draw(_short(member)))[:2_000])}")
            elif location == "header" and draw(st.booleans()):
                text = _text(draw(st.one_of(_short(member), st.text(max_size=10))))[:2_000]
                headers[wire] = _header_safe(text)
            elif location is None and draw(st.booleans()):
                doc[wire] = draw(value(member))
    body = draw(st.one_of(st.just(dump(doc).encode("ascii")), st.binary(max_size=300), DEEP.map(str.encode)))
    full = path + ("?" + "&".join(query) if query else "")
    return Hostile("rest-json", service, name, op.http.get("method", "POST"), full, headers, body)


@st.composite
def garbage_request(draw: st.DrawFn) -> Hostile:
    """Bytes that are not what the protocol expects, sent where each protocol listens."""
    protocol = draw(st.sampled_from(["json", "query", "rest-json"]))
    body = draw(st.one_of(st.binary(max_size=500), st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace"))))
    if protocol == "json":
        service = draw(st.sampled_from(JSON_SERVICES))
        meta = model(service).metadata
        name = draw(st.one_of(st.sampled_from(implemented(service)), st.text(max_size=10)))
        headers = {
            "X-Amz-Target": _header_safe(f"{meta['targetPrefix']}.{name}"),
            "Content-Type": f"application/x-amz-json-{meta.get('jsonVersion', '1.0')}",
            "Authorization": authorization(service),
        }
        return Hostile("json", service, name, "POST", "/", headers, body)
    if protocol == "query":
        service = draw(st.sampled_from(QUERY_SERVICES))
        name = draw(st.sampled_from(implemented(service)))
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": authorization(service)}
        return Hostile("query", service, name, "POST", "/", headers, f"Action={name}&".encode() + body)
    service, name = draw(st.sampled_from(operations(REST_JSON_SERVICES)))
    op = _op(service, name)
    path = op.http.get("requestUri", "/").partition("?")[0]
    path = "/".join(_encode(draw(st.text(min_size=1, max_size=5))) if "{" in part else part for part in path.split("/"))
    headers = {"Content-Type": "application/json", "Authorization": authorization(service)}
    return Hostile("rest-json", service, name, op.http.get("method", "POST"), path, headers, body)
