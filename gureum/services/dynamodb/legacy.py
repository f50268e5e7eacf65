"""DynamoDB's legacy (non-expression) parameters turned into the expression trees of expressions.py, as AWS
translates them: Expected / ConditionalOperator → a condition, AttributeUpdates → an update, KeyConditions → a key
condition, QueryFilter / ScanFilter → a filter; AWS's checks of ComparisonOperator arguments, and its refusal to mix
legacy and expression parameters in one request."""

from __future__ import annotations

from typing import Any

from . import values
from .errors import ValidationException, invalid
from .expressions import Between, Call, Compare, In, Lit, Logic, Path, Ref, Update

EXPRESSION_PARAMETERS = ("ConditionExpression", "UpdateExpression", "KeyConditionExpression", "FilterExpression",
                         "ProjectionExpression")  # fmt: skip
# arguments each ComparisonOperator takes (IN: one or more)
ARGUMENTS = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0, "CONTAINS": 1,
             "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}  # fmt: skip
SCALARS = ("S", "N", "B")
KEY_OPERATORS = ("EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN")
_COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}


def check_mixed(legacy: dict[str, Any], expressions: dict[str, Any]) -> None:
    """AWS refuses a request that carries both kinds of parameter (None values are absent)."""
    old = [name for name, value in legacy.items() if value is not None]
    new = [name for name, value in expressions.items() if value is not None]
    if old and new:
        raise ValidationException(
            "Can not use both expression and non-expression parameters in the same request: Non-expression "
            f"parameters: {{{', '.join(old)}}} Expression parameters: {{{', '.join(new)}}}"
        )


def _lit(value: Any) -> Lit:
    return Lit(values.check(value), ":legacy")


def _joined(parts: list[Any], operator: str | None, where: str) -> Any:
    if operator is not None and operator not in ("AND", "OR"):
        raise ValidationException(
            f"1 validation error detected: Value '{operator}' at 'conditionalOperator' failed to satisfy constraint: "
            "Member must satisfy enum value set: [AND, OR]"
        )
    if operator is not None and len(parts) < 2:
        raise invalid(f"ConditionalOperator can only be used when {where} has two or more elements")
    if not parts:
        return None
    node = parts[0]
    for part in parts[1:]:
        node = Logic(operator or "AND", node, part)
    return node


def comparison(name: str, spec: dict[str, Any], key: bool = False) -> Any:
    """One attribute's Condition ({ComparisonOperator, AttributeValueList}) as a condition tree."""
    op = spec.get("ComparisonOperator")
    args = [_lit(v) for v in spec.get("AttributeValueList") or []]
    if op not in ARGUMENTS and op != "IN":
        raise ValidationException(
            f"1 validation error detected: Value '{op}' at 'comparisonOperator' failed to satisfy constraint: "
            "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, "
            "BEGINS_WITH, GE, CONTAINS]"
        )
    if key and op not in KEY_OPERATORS:
        raise invalid("Attempted conditional constraint is not an indexable operation")
    if (op == "IN" and not args) or (op != "IN" and len(args) != ARGUMENTS[op]):
        raise invalid(f"Invalid number of argument(s) for the {op} ComparisonOperator")
    for arg in args:
        kind = values.kind_of(arg.value)
        allowed = (("S", "B") if op == "BEGINS_WITH" else
                   None if op in ("EQ", "NE") else SCALARS)  # fmt: skip
        if allowed is not None and kind not in allowed:
            raise invalid(f"ComparisonOperator {op} is not valid for {kind} AttributeValue type")
    if op == "BETWEEN" and values.kind_of(args[0].value) != values.kind_of(args[1].value):
        raise invalid("AttributeValues inside AttributeValueList must be of same type")
    if op == "BETWEEN" and (values.ordered(args[0].value, args[1].value) or 0) > 0:
        raise ValidationException(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
        )
    ref = Ref((name,))
    if op in _COMPARE:
        node: Any = Compare(_COMPARE[op], ref, args[0])
        if op == "NE":  # the legacy NE holds for an item without the attribute
            node = Logic("OR", Call("attribute_not_exists", (ref,)), node)
        return node
    if op == "NOT_NULL":
        return Call("attribute_exists", (ref,))
    if op == "NULL":
        return Call("attribute_not_exists", (ref,))
    if op == "CONTAINS":
        return Call("contains", (ref, args[0]))
    if op == "NOT_CONTAINS":
        return Logic("AND", Call("attribute_exists", (ref,)), Logic("NOT", Call("contains", (ref, args[0]))))
    if op == "BEGINS_WITH":
        return Call("begins_with", (ref, args[0]))
    if op == "IN":
        return In(ref, tuple(args))
    return Between(ref, args[0], args[1])


def expected(conditions: dict[str, Any], operator: str | None) -> Any:
    """Expected (and ConditionalOperator) as a ConditionExpression tree."""
    parts = []
    for name, spec in conditions.items():
        if "ComparisonOperator" in spec:
            if "Value" in spec or "Exists" in spec:
                raise invalid(
                    f"Value or Exists cannot be used with ComparisonOperator for Attribute ({name})"
                    if "Value" in spec
                    else f"Exists and ComparisonOperator cannot be used together for Attribute: {name}"
                )
            parts.append(comparison(name, spec))
            continue
        if "AttributeValueList" in spec:
            raise invalid(f"AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}")
        exists = spec.get("Exists", True)
        if exists and "Value" not in spec:
            raise invalid(f"Exists is set to TRUE for attribute ({name}), Value must also be set")
        if not exists and "Value" in spec:
            raise invalid(f"Value cannot be used when Exists is false for attribute ({name})")
        ref = Ref((name,))
        parts.append(Compare("=", ref, _lit(spec["Value"])) if exists else Call("attribute_not_exists", (ref,)))
    return _joined(parts, operator, "Expected")


def filter_(conditions: dict[str, Any], operator: str | None, where: str) -> Any:
    """QueryFilter / ScanFilter (and ConditionalOperator) as a FilterExpression tree."""
    return _joined([comparison(name, spec) for name, spec in conditions.items()], operator, where)


def key_conditions(conditions: dict[str, Any]) -> Any:
    """KeyConditions as a KeyConditionExpression tree."""
    if not conditions:
        raise ValidationException(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
        )
    parts = [comparison(name, spec, key=True) for name, spec in conditions.items()]
    return _joined(parts, None, "KeyConditions")


def attribute_updates(updates: dict[str, Any]) -> Update:
    """AttributeUpdates as an update: PUT → SET, DELETE → REMOVE (or DELETE from a set), ADD → ADD (a list
    appended to)."""
    out = Update()
    for name, spec in updates.items():
        action = spec.get("Action", "PUT")
        path: Path = (name,)
        if "Value" not in spec:
            if action != "DELETE":
                raise invalid("Only DELETE action is allowed when no attribute value is specified")
            out.removes.append(path)
            continue
        value = _lit(spec["Value"])
        kind = values.kind_of(value.value)
        if action == "PUT":
            out.sets.append((path, value))
        elif action == "DELETE":
            if kind not in values.SETS:
                raise invalid(f"DELETE action with value is not supported for the type {kind}")
            out.deletes.append((path, value))
        elif action == "ADD":
            if kind == "L":
                empty = Lit({"L": []}, ":legacy")
                out.sets.append((path, Call("list_append", (Call("if_not_exists", (Ref(path), empty)), value))))
            elif kind == "N" or kind in values.SETS:
                out.adds.append((path, value))
            else:
                raise invalid(f"ADD action is not supported for the type {kind}")
        else:
            raise ValidationException(
                f"1 validation error detected: Value '{action}' at 'attributeUpdates.{name}.member.action' failed "
                "to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"
            )
    return out
