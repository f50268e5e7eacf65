"""Expression trees (expressions.py) applied to items: document paths resolved, conditions tested, projections
taken, update expressions applied with AWS's semantics (every action reads the item as it was; arithmetic on
numbers only; ADD and DELETE on numbers and sets) and AWS's messages for what cannot be done."""

from __future__ import annotations

import copy
from typing import Any

from . import values
from .errors import ValidationException, expression_error
from .expressions import Arith, Between, Call, Compare, In, Lit, Logic, Path, Ref, Update
from .values import Item, Value

NO_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
BAD_PATH = "The document path provided in the update expression is invalid for update"
BAD_TYPE = "An operand in the update expression has an incorrect data type"


def resolve(item: Item, path: Path) -> Value | None:
    """The value at a document path, or None when there is none."""
    first = path[0]
    current: Any = item.get(first) if isinstance(first, str) else None
    for element in path[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            inner = current.get("L")
            current = inner[element] if inner is not None and element < len(inner) else None
        else:
            inner = current.get("M")
            current = inner.get(element) if inner is not None else None
    return current  # type: ignore[no-any-return]


# --- conditions --------------------------------------------------------------------------------------------------


def operand(item: Item, node: Any) -> Value | None:
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Ref):
        return resolve(item, node.path)
    if isinstance(node, Call) and node.name == "size":
        target = operand(item, node.args[0])
        return _size(target)
    return None


def _size(value: Value | None) -> Value | None:
    if value is None:
        return None
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return {"N": str(len(inner))}
    if kind in ("B", "SS", "NS", "BS", "L", "M"):
        return {"N": str(len(inner))}
    return None


def test(item: Item, node: Any) -> bool:
    """Whether a condition holds for an item ({} when there is no item)."""
    if isinstance(node, Logic):
        if node.op == "AND":
            return test(item, node.left) and test(item, node.right)
        if node.op == "OR":
            return test(item, node.left) or test(item, node.right)
        return not test(item, node.left)
    if isinstance(node, Compare):
        left, right = operand(item, node.left), operand(item, node.right)
        if left is None or right is None:
            return False
        if node.op == "=":
            return values.equal(left, right)
        if node.op == "<>":
            return not values.equal(left, right)
        order = values.ordered(left, right)
        if order is None:
            return False
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[node.op]
    if isinstance(node, Between):
        value, low, high = operand(item, node.operand), operand(item, node.low), operand(item, node.high)
        if value is None or low is None or high is None:
            return False
        above, below = values.ordered(value, low), values.ordered(value, high)
        return above is not None and below is not None and above >= 0 and below <= 0
    if isinstance(node, In):
        value = operand(item, node.operand)
        return value is not None and any(values.equal(value, operand(item, c)) for c in node.choices)
    if isinstance(node, Call):
        return _function(item, node)
    return False


def _function(item: Item, node: Call) -> bool:
    name = node.name
    if name == "attribute_exists":
        return operand(item, node.args[0]) is not None
    if name == "attribute_not_exists":
        return operand(item, node.args[0]) is None
    target = operand(item, node.args[0])
    other = operand(item, node.args[1])
    if target is None or other is None:
        return False
    kind, inner = next(iter(target.items()))
    okind, oinner = next(iter(other.items()))
    if name == "attribute_type":
        return bool(kind == oinner)
    if name == "begins_with":
        if kind != okind or kind not in ("S", "B"):
            return False
        return bool(inner.startswith(oinner))
    # contains
    if kind == "S" and okind == "S" or kind == "B" and okind == "B":
        return bool(oinner in inner)
    if kind in values.SETS:
        if values.SETS[kind] != okind:
            return False
        return any(values.equal({okind: m}, other) for m in inner)
    if kind == "L":
        return any(values.equal(m, other) for m in inner)
    return False


# --- projections -------------------------------------------------------------------------------------------------


def project(item: Item, paths: list[Path]) -> Item:
    """The parts of an item these paths name (list elements keep their order, compacted), as AWS returns them."""
    tree: dict[str, Any] = {}
    for path in paths:
        value = resolve(item, path)
        if value is None:
            continue
        node: dict[Any, Any] = tree
        for element, nxt in zip(path, path[1:]):
            node = node.setdefault(element, {"__list__": isinstance(nxt, int), "__kids__": {}})["__kids__"]
        node[path[-1]] = {"__value__": value}
    return {name: _build(entry) for name, entry in tree.items()}


def _build(entry: dict[str, Any]) -> Value:
    if "__value__" in entry:
        return copy.deepcopy(entry["__value__"])
    kids = entry["__kids__"]
    if entry["__list__"]:
        return {"L": [_build(kids[k]) for k in sorted(kids)]}
    return {"M": {k: _build(v) for k, v in kids.items()}}


# --- updates -----------------------------------------------------------------------------------------------------


def _update_value(item: Item, node: Any) -> Value:
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Ref):
        found = resolve(item, node.path)
        if found is None:
            raise expression_error("UpdateExpression", NO_ATTRIBUTE)
        return found
    if isinstance(node, Arith):
        left, right = _update_value(item, node.left), _update_value(item, node.right)
        if "N" not in left or "N" not in right:
            raise expression_error("UpdateExpression", BAD_TYPE)
        a, b = values.number(left["N"]), values.number(right["N"])
        result = values.CONTEXT.add(a, b) if node.op == "+" else values.CONTEXT.subtract(a, b)
        return {"N": values.format_number(result)}
    assert isinstance(node, Call)
    if node.name == "if_not_exists":
        found = resolve(item, node.args[0].path)
        return found if found is not None else _update_value(item, node.args[1])
    first, second = _update_value(item, node.args[0]), _update_value(item, node.args[1])
    if "L" not in first or "L" not in second:
        raise expression_error("UpdateExpression", BAD_TYPE)
    return {"L": first["L"] + second["L"]}


def _parent(item: Item, path: Path) -> Any:
    """The container the last element of ``path`` lives in: the item, a map's dict or a list."""
    if len(path) == 1:
        return item
    holder = resolve(item, path[:-1])
    if holder is None:
        raise ValidationException(BAD_PATH)
    last = path[-1]
    if isinstance(last, int):
        if "L" not in holder:
            raise ValidationException(BAD_PATH)
        return holder["L"]
    if "M" not in holder:
        raise ValidationException(BAD_PATH)
    return holder["M"]


def _put(item: Item, path: Path, value: Value) -> None:
    parent = _parent(item, path)
    last = path[-1]
    if isinstance(parent, list):
        assert isinstance(last, int)
        if last < len(parent):
            parent[last] = value
        else:
            parent.append(value)
    else:
        parent[last] = value


def _remove(item: Item, path: Path) -> None:
    try:
        parent = _parent(item, path)
    except ValidationException:
        return
    last = path[-1]
    if isinstance(parent, list):
        assert isinstance(last, int)
        if last < len(parent):
            parent[last] = None  # compacted after every removal (indexes name the item as it was)
    else:
        parent.pop(last, None)


def _compact(value: Any) -> None:
    if isinstance(value, dict):
        for kind, inner in value.items():
            if kind == "L":
                inner[:] = [v for v in inner if v is not None]
                for v in inner:
                    _compact(v)
            elif kind == "M":
                for v in inner.values():
                    _compact(v)


def apply_update(old: Item, update: Update) -> Item:
    """The item an update expression makes of ``old`` (a new item when there was none: {})."""
    new = copy.deepcopy(old)
    computed = [(path, _update_value(old, node)) for path, node in update.sets]
    for path, value in computed:
        _put(new, path, copy.deepcopy(value))
    for path in update.removes:
        _remove(new, path)
    if update.removes:
        for value in new.values():
            _compact(value)
    for path, lit in update.adds:
        _add(new, path, lit.value)
    for path, lit in update.deletes:
        _delete(new, path, lit.value)
    return new


def _add(item: Item, path: Path, value: Value) -> None:
    kind = values.kind_of(value)
    if kind != "N" and kind not in values.SETS:
        raise expression_error(
            "UpdateExpression",
            "Incorrect operand type for operator or function; operator: ADD, "
            f"operand type: {values.describe_value(value)}",
        )
    current = resolve(item, path)
    if current is None:
        _put(item, path, copy.deepcopy(value))
        return
    if values.kind_of(current) != kind:
        raise expression_error("UpdateExpression", BAD_TYPE)
    if kind == "N":
        total = values.CONTEXT.add(values.number(current["N"]), values.number(value["N"]))
        _put(item, path, {"N": values.format_number(total)})
        return
    merged = list(current[kind])
    for member in value[kind]:
        if not any(values.equal({values.SETS[kind]: member}, {values.SETS[kind]: m}) for m in merged):
            merged.append(member)
    _put(item, path, {kind: merged})


def _delete(item: Item, path: Path, value: Value) -> None:
    kind = values.kind_of(value)
    if kind not in values.SETS:
        raise expression_error(
            "UpdateExpression",
            "Incorrect operand type for operator or function; operator: DELETE, "
            f"operand type: {values.describe_value(value)}",
        )
    current = resolve(item, path)
    if current is None:
        return
    if values.kind_of(current) != kind:
        raise expression_error("UpdateExpression", BAD_TYPE)
    element = values.SETS[kind]
    kept = [m for m in current[kind] if not any(values.equal({element: m}, {element: d}) for d in value[kind])]
    if kept:
        _put(item, path, {kind: kept})
    else:
        _remove(item, path)
