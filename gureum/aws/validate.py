"""Input validation against the model's constraints (required, length, range, enum, pattern).

Two styles, as AWS has them: "coral" (``ValidationException`` / ``ValidationError`` with the
"N validation errors detected: ..." message) and "params" (query-era services such as SQS:
``MissingParameter`` / ``InvalidParameterValue`` naming the first bad parameter).
"""

from __future__ import annotations

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
                out.add("missing", f"{path}.{_camel(name)}" if path else _camel(name), None, f"{params_path}.{name}" if params_path else name)
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None or item is None:
                continue
            _check(member, item, f"{path}.{_camel(name)}" if path else _camel(name), f"{params_path}.{name}" if params_path else name, out)
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
    elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)) and not isinstance(value, bool):
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


def validate(shape: Shape | None, params: dict[str, Any], *, style: str = "coral", protocol: str = "json") -> None:
    if shape is None:
        return
    out = _Collector(style)
    _check(shape, params, "", "", out)
    if not out.errors:
        return
    if style == "params":
        kind, path, value, message = out.errors[0]
        # query-era codes; JSON clients of query-compatible services see these shape names in __type
        if kind == "missing":
            raise ServiceError(f"The request must contain the parameter {message}.", code="MissingParameter", type_name="MissingRequiredParameterException")
        raise ServiceError(
            f"Value {_show(value)} for parameter {path} is invalid. Reason: {message}.", code="InvalidParameterValue", type_name="InvalidParameterValueException"
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
