"""A Query's KeyConditionExpression understood: the partition key's value and the sort key's range as bounds on
the store's encoded sort keys (low inclusive, high exclusive), with AWS's messages for conditions a Query cannot
use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import values
from .errors import ValidationException, expression_error
from .expressions import Between, Call, Compare, In, Lit, Logic, Ref
from .values import Value

KIND = "KeyConditionExpression"


@dataclass(frozen=True)
class KeyRange:
    hash_value: Value
    low: bytes | None
    high: bytes | None


def _parts(node: Any, out: list[Any]) -> None:
    if isinstance(node, Logic):
        if node.op != "AND":
            raise expression_error(KIND, f"Invalid operator used in KeyConditionExpression: {node.op}")
        _parts(node.left, out)
        _parts(node.right, out)
        return
    if isinstance(node, In):
        raise expression_error(KIND, "Invalid operator used in KeyConditionExpression: IN")
    if isinstance(node, Call) and node.name != "begins_with":
        raise expression_error(KIND, f"Invalid operator used in KeyConditionExpression: {node.name}")
    if isinstance(node, Compare) and node.op == "<>":
        raise expression_error(KIND, "Invalid operator used in KeyConditionExpression: <>")
    out.append(node)


def _attribute(node: Any) -> str:
    subject = node.operand if isinstance(node, Between) else node.args[0] if isinstance(node, Call) else node.left
    if isinstance(node, Compare) and isinstance(subject, Lit) and isinstance(node.right, Ref):
        subject = node.right
    if not isinstance(subject, Ref) or len(subject.path) != 1 or not isinstance(subject.path[0], str):
        raise ValidationException("Query key condition not supported")
    return subject.path[0]


def _literal(node: Any) -> Value:
    if not isinstance(node, Lit):
        raise ValidationException("Query key condition not supported")
    return node.value


def key_range(node: Any, hash_name: str, range_name: str | None, types: dict[str, str]) -> KeyRange:
    parts: list[Any] = []
    _parts(node, parts)
    by_name: dict[str, Any] = {}
    for part in parts:
        name = _attribute(part)
        if name in by_name:
            raise expression_error(KIND, "KeyConditionExpressions must only contain one condition per key")
        by_name[name] = part
    if len(by_name) > 2:
        raise expression_error(KIND, "KeyConditionExpressions must only contain one condition per key")
    if hash_name not in by_name:
        raise ValidationException(f"Query condition missed key schema element: {hash_name}")
    for name in by_name:
        if name not in (hash_name, range_name):
            if range_name is not None:
                raise ValidationException(f"Query condition missed key schema element: {range_name}")
            raise ValidationException("Query key condition not supported")
    hash_part = by_name[hash_name]
    if not isinstance(hash_part, Compare) or hash_part.op != "=":
        raise ValidationException("Query key condition not supported")
    hash_value = _literal(hash_part.right if isinstance(hash_part.left, Ref) else hash_part.left)
    _check_type(hash_name, hash_value, types)
    if range_name is None or range_name not in by_name:
        return KeyRange(hash_value, None, None)
    part = by_name[range_name]
    if isinstance(part, Between):
        low, high = _literal(part.low), _literal(part.high)
        _check_type(range_name, low, types)
        _check_type(range_name, high, types)
        if values.ordered(low, high) == 1:
            raise ValidationException(
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
                f"equal to lower bound; lower bound operand: AttributeValue: {_show(low)}, upper bound operand: "
                f"AttributeValue: {_show(high)}"
            )
        return KeyRange(hash_value, values.encode_key(low), values.prefix_end(values.encode_key(high)))
    if isinstance(part, Call):  # begins_with
        prefix = _literal(part.args[1])
        if values.kind_of(prefix) not in ("S", "B") or types[range_name] == "N":
            raise expression_error(
                KIND,
                "Incorrect operand type for operator or function; operator or function: begins_with, operand type: "
                f"{values.kind_of(prefix)}",
            )
        _check_type(range_name, prefix, types)
        start = values.encode_prefix(prefix)
        return KeyRange(hash_value, start, values.prefix_end(start))
    op = part.op
    if isinstance(part.left, Lit):  # :v < sk reads as sk > :v
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}[op]
        value = _literal(part.left)
    else:
        value = _literal(part.right)
    _check_type(range_name, value, types)
    encoded = values.encode_key(value)
    if op == "=":
        return KeyRange(hash_value, encoded, values.prefix_end(encoded))
    if op == "<":
        return KeyRange(hash_value, None, encoded)
    if op == "<=":
        return KeyRange(hash_value, None, values.prefix_end(encoded))
    if op == ">":
        return KeyRange(hash_value, values.prefix_end(encoded), None)
    return KeyRange(hash_value, encoded, None)


def _check_type(name: str, value: Value, types: dict[str, str]) -> None:
    if values.kind_of(value) != types[name]:
        raise ValidationException(
            "One or more parameter values were invalid: Condition parameter type does not match schema type"
        )


def _show(value: Value) -> str:
    kind, inner = next(iter(value.items()))
    return f"{{{kind}:{inner},}}"
