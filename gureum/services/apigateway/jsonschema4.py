"""The JSON Schema draft 4 subset API Gateway models use, for request body validation (no dependency):
type, enum, properties/required/additionalProperties/patternProperties, items/additionalItems, numeric and length
limits, pattern, min/maxProperties, uniqueItems, allOf/anyOf/oneOf/not and $ref (#/definitions/…, other models)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def errors(
    schema: Any, value: Any, resolve: Callable[[str], Any] | None = None, root: Any = None, path: str = "$"
) -> list[str]:
    """Every violation of ``schema`` by ``value`` (empty when valid). ``resolve`` finds a $ref outside the schema."""
    if not isinstance(schema, dict):
        return []
    root = schema if root is None else root
    if "$ref" in schema:
        ref = schema["$ref"]
        target: Any = None
        if ref.startswith("#/"):
            target = root
            for part in ref[2:].split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, dict) else None
        elif resolve is not None:
            target = resolve(ref)
            root = target
        return (
            errors(target, value, resolve, root, path) if target is not None else [f"{path}: unresolvable $ref {ref}"]
        )
    found: list[str] = []

    def check(sub: Any, item: Any, where: str) -> list[str]:
        return errors(sub, item, resolve, root, where)

    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_TYPES.get(k, lambda v: True)(value) for k in kinds):
            return [f"{path}: instance type does not match {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: instance value not found in enum")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and (
            value < schema["minimum"] or (schema.get("exclusiveMinimum") and value == schema["minimum"])
        ):
            found.append(f"{path}: numeric instance is lower than the required minimum {schema['minimum']}")
        if "maximum" in schema and (
            value > schema["maximum"] or (schema.get("exclusiveMaximum") and value == schema["maximum"])
        ):
            found.append(f"{path}: numeric instance is greater than the required maximum {schema['maximum']}")
        if schema.get("multipleOf") and (value / schema["multipleOf"]) % 1:
            found.append(f"{path}: numeric instance is not a multiple of {schema['multipleOf']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            found.append(f"{path}: string is too short")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            found.append(f"{path}: string is too long")
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            found.append(f"{path}: string does not match pattern {schema['pattern']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: array is too short")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            found.append(f"{path}: array is too long")
        if schema.get("uniqueItems") and len({repr(v) for v in value}) != len(value):
            found.append(f"{path}: array must not contain duplicate elements")
        items = schema.get("items")
        if isinstance(items, list):
            for i, item in enumerate(value):
                if i < len(items):
                    found += check(items[i], item, f"{path}[{i}]")
                elif schema.get("additionalItems") is False:
                    found.append(f"{path}: array has too many items")
                elif isinstance(schema.get("additionalItems"), dict):
                    found += check(schema["additionalItems"], item, f"{path}[{i}]")
        elif isinstance(items, dict):
            for i, item in enumerate(value):
                found += check(items, item, f"{path}[{i}]")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{path}: object has missing required property {name}")
        if len(value) < schema.get("minProperties", 0) or len(value) > schema.get("maxProperties", len(value)):
            found.append(f"{path}: object has the wrong number of properties")
        properties, patterns = schema.get("properties") or {}, schema.get("patternProperties") or {}
        for name, item in value.items():
            matched = False
            if name in properties:
                matched = True
                found += check(properties[name], item, f"{path}.{name}")
            for pattern, sub in patterns.items():
                if re.search(pattern, name):
                    matched = True
                    found += check(sub, item, f"{path}.{name}")
            if not matched:
                extra = schema.get("additionalProperties", True)
                if extra is False:
                    found.append(
                        f"{path}: object instance has properties which are not allowed by the schema: [{name}]"
                    )
                elif isinstance(extra, dict):
                    found += check(extra, item, f"{path}.{name}")
    for sub in schema.get("allOf", []):
        found += check(sub, value, path)
    if "anyOf" in schema and not any(not check(sub, value, path) for sub in schema["anyOf"]):
        found.append(f"{path}: instance failed to match at least one required schema among anyOf")
    if "oneOf" in schema and sum(1 for sub in schema["oneOf"] if not check(sub, value, path)) != 1:
        found.append(f"{path}: instance failed to match exactly one schema among oneOf")
    if "not" in schema and not check(schema["not"], value, path):
        found.append(f"{path}: instance matched a schema which it should not have")
    return found
