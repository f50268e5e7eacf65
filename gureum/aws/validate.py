"""Input validation against the model's constraints (required, length, range, enum, pattern).

Two styles, as AWS has them: "coral" (``ValidationException`` / ``ValidationError`` with the
"N validation errors detected: ..." message) and "params" (query-era services such as SQS:
``MissingParameter`` / ``InvalidParameterValue`` naming the first bad parameter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from .errors import ServiceError

_MAX_REPORTED = 10


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


class _Collector:
    def __init__(self, style: str) -> None:
        self.style = style
        self.errors: list[tuple[str, str, Any, str]] = []  # kind, path, value, message

    def add(self, kind: str, path: str, value: Any, message: str) -> None:
        self.errors.append((kind, path, value, message))


def _check(shape: Shape, value: Any, path: str, params_path: str, out: _Collector) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                out.add(
                    "missing",
                    f"{path}.{_camel(name)}" if path else _camel(name),
                    None,
                    f"{params_path}.{name}" if params_path else name,
                )
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None or item is None:
                continue
            _check(
                member,
                item,
                f"{path}.{_camel(name)}" if path else _camel(name),
                f"{params_path}.{name}" if params_path else name,
                out,
            )
        return
    if kind == "list":
        if not isinstance(value, list):
            return
        _length(meta, len(value), value, path, params_path, out)
        for index, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{index}.member", f"{params_path}.{index}", out)
        return
    if kind == "map":
        if not isinstance(value, dict):
            return
        _length(meta, len(value), value, path, params_path, out)
        for key, item in value.items():
            _check(shape.key, key, f"{path}.key", f"{params_path}.key", out)
            if item is not None:
                _check(shape.value, item, f"{path}.{key}.member", f"{params_path}.{key}", out)
        return
    if kind == "string" and isinstance(value, str):
        _length(meta, len(value), value, path, params_path, out)
        enum = shape.enum
        if enum and out.style == "coral" and value not in enum:
            out.add("enum", path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]")
    elif (
        kind in ("integer", "long", "float", "double")
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        if "min" in meta and value < meta["min"]:
            out.add("range", path, value, f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            out.add("range", path, value, f"Member must have value less than or equal to {meta['max']}")
    elif kind == "blob" and isinstance(value, (bytes, bytearray)):
        _length(meta, len(value), value, path, params_path, out)


def _length(meta: dict[str, Any], size: int, value: Any, path: str, params_path: str, out: _Collector) -> None:
    if "min" in meta and size < meta["min"]:
        out.add("length", path, value, f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and size > meta["max"]:
        out.add("length", path, value, f"Member must have length less than or equal to {meta['max']}")


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


Check = Callable[[Any], bool]
_compiled: dict[tuple[Shape, str], Check] = {}  # holds the shapes, so they (and their validators) stay paired


def _compile(shape: Shape, style: str) -> Check:
    """A predicate that says quickly whether a value breaks no constraint (built once per shape)."""
    key = (shape, style)
    found = _compiled.get(key)
    if found is not None:
        return found
    # recursive shapes: the slot is filled before the members are compiled
    _compiled[key] = lambda value: _compiled[key](value)
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    kind = shape.type_name

    def sized(n: int) -> bool:
        return (low is None or n >= low) and (high is None or n <= high)

    check: Check
    if kind == "structure":
        required = tuple(shape.required_members)
        members = {name: _compile(member, style) for name, member in shape.members.items()}

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name in required:
                if value.get(name) is None:
                    return False
            for name, item in value.items():
                inner = members.get(name)
                if inner is not None and item is not None and not inner(item):
                    return False
            return True

    elif kind == "list":
        inner = _compile(shape.member, style)

        def check(value: Any) -> bool:
            return not isinstance(value, list) or (sized(len(value)) and all(inner(item) for item in value))

    elif kind == "map":
        key_check, value_check = _compile(shape.key, style), _compile(shape.value, style)

        def check(value: Any) -> bool:
            return not isinstance(value, dict) or (
                sized(len(value)) and all(key_check(k) and (v is None or value_check(v)) for k, v in value.items())
            )

    elif kind == "string":
        enum = frozenset(shape.enum) if shape.enum and style == "coral" else None

        def check(value: Any) -> bool:
            return not isinstance(value, str) or (sized(len(value)) and (enum is None or value in enum))

    elif kind in ("integer", "long", "float", "double"):

        def check(value: Any) -> bool:
            return (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or ((low is None or value >= low) and (high is None or value <= high))
            )

    elif kind == "blob":

        def check(value: Any) -> bool:
            return not isinstance(value, (bytes, bytearray)) or sized(len(value))

    else:

        def check(value: Any) -> bool:
            return True

    _compiled[key] = check
    return check


def validate(shape: Shape | None, params: dict[str, Any], *, style: str = "coral", protocol: str = "json") -> None:
    if shape is None or _compile(shape, style)(params):
        return
    out = _Collector(style)
    _check(shape, params, "", "", out)
    if not out.errors:
        return
    if style == "params":
        kind, path, value, message = out.errors[0]
        # query-era codes; JSON clients of query-compatible services see these shape names in __type
        if kind == "missing":
            raise ServiceError(
                f"The request must contain the parameter {message}.",
                code="MissingParameter",
                type_name="MissingRequiredParameterException",
            )
        raise ServiceError(
            f"Value {_show(value)} for parameter {path} is invalid. Reason: {message}.",
            code="InvalidParameterValue",
            type_name="InvalidParameterValueException",
        )
    lines = []
    for kind, path, value, message in out.errors[:_MAX_REPORTED]:
        if kind == "missing":
            lines.append(f"Value null at '{path}' failed to satisfy constraint: Member must not be null")
        else:
            lines.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: {message}")
    count = len(out.errors)
    text = f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(lines)
    raise ServiceError(text, code="ValidationError" if protocol == "query" else "ValidationException")
