"""What a target receives: the event, ``Input``, ``InputPath`` or ``InputTransformer`` (eb-transform-target-input.html).

Template rules, as AWS applies them (and recorded against AWS in LocalStack's snapshot tests):
- A template starting with ``{`` (or ``[``) is JSON: a placeholder outside a string literal becomes the value's
  JSON (a string gains quotes, a missing variable becomes ``""``); inside a string literal the value is
  inserted raw — strings unescaped ("EventBridge doesn't escape values extracted by Input Path"), objects and
  arrays as JSON with their quotes removed.
- Any other template is text: every placeholder is inserted raw, the template's own quotes stay.
- ``aws.events.event`` is the envelope without ``detail`` (``detail-type`` spelled ``detailType``, ``time`` the
  ingestion time); ``aws.events.event.json`` the whole event.
Pure logic; imports nothing from gureum.
"""

from __future__ import annotations

import json
import re
from typing import Any

PREDEFINED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)
PLACEHOLDER = re.compile(r"<([^<>\s]+)>")
_PATH_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\[\*\]|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]")
_MISSING = object()


def dumps(value: Any) -> str:
    """Compact JSON as EventBridge writes it (no spaces, non-ASCII kept)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def extract(document: Any, path: str) -> Any:
    """A JSON path (dot or bracket notation, indices, ``*``) → the value, a list for wildcards, or _MISSING."""
    path = path.strip()
    if not path.startswith("$"):
        return _MISSING
    nodes: list[Any] = [document]
    wildcard = False
    rest = path[1:]
    position = 0
    while position < len(rest):
        match = _PATH_TOKEN.match(rest, position)
        if match is None:
            return _MISSING
        position = match.end()
        name, index, quoted1, quoted2 = match.groups()
        key = name if name is not None else quoted1 if quoted1 is not None else quoted2
        step: list[Any] = []
        for node in nodes:
            if key == "*" or (key is None and index is None):  # .* or [*]
                wildcard = True
                step.extend(node.values() if isinstance(node, dict) else node if isinstance(node, list) else [])
            elif key is not None:
                if isinstance(node, dict) and key in node:
                    step.append(node[key])
            elif isinstance(node, list) and int(index) < len(node):
                step.append(node[int(index)])
        nodes = step
    if wildcard:
        return nodes
    return nodes[0] if nodes else _MISSING


def _in_string(value: Any) -> str:
    if value is _MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return dumps(value).replace('"', "")
    return dumps(value)


def _as_json(value: Any) -> str:
    return '""' if value is _MISSING else dumps(value)


def render(template: str, variables: dict[str, Any]) -> str:
    """Fill ``<name>`` placeholders; names not in ``variables`` stay as written."""
    is_json = template.lstrip().startswith(("{", "["))
    out: list[str] = []
    in_string = False
    position = 0
    while position < len(template):
        char = template[position]
        if char == "<":
            match = PLACEHOLDER.match(template, position)
            if match is not None and match.group(1) in variables:
                value = variables[match.group(1)]
                out.append(_as_json(value) if is_json and not in_string else _in_string(value))
                position = match.end()
                continue
        if is_json and char == "\\" and in_string:
            out.append(template[position : position + 2])
            position += 2
            continue
        if is_json and char == '"':
            in_string = not in_string
        out.append(char)
        position += 1
    return "".join(out)


def event_without_detail(event: dict[str, Any], ingestion_time: str) -> dict[str, Any]:
    """``<aws.events.event>``: the envelope minus ``detail``, in the key order and spelling AWS uses."""
    out = {
        "id": event.get("id"),
        "account": event.get("account"),
        "detailType": event.get("detail-type"),
        "time": ingestion_time,
    }
    out.update(
        {
            "source": event.get("source"),
            "region": event.get("region"),
            "resources": event.get("resources", []),
            "version": event.get("version"),
        }
    )
    if "replay-name" in event:
        out["replay-name"] = event["replay-name"]
    return out


def target_input(
    target: dict[str, Any], event: dict[str, Any], rule_arn: str, rule_name: str, ingestion_time: str
) -> str:
    """The text a target receives for ``event`` matched by the rule."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath") is not None:
        value = extract(event, target["InputPath"])
        return "null" if value is _MISSING else dumps(value)
    transformer = target.get("InputTransformer")
    if transformer is None:
        return dumps(event)
    variables: dict[str, Any] = {
        name: extract(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()
    }
    variables.update(
        {
            "aws.events.rule-arn": rule_arn,
            "aws.events.rule-name": rule_name,
            "aws.events.event.ingestion-time": ingestion_time,
            "aws.events.event": event_without_detail(event, ingestion_time),
            "aws.events.event.json": event,
        }
    )
    return render(transformer["InputTemplate"], variables)


def invalid_placeholder(transformer: dict[str, Any]) -> str | None:
    """The first placeholder of the template that names no variable (PutTargets refuses the target)."""
    known = set(transformer.get("InputPathsMap") or {}) | set(PREDEFINED)
    for match in PLACEHOLDER.finditer(transformer.get("InputTemplate") or ""):
        if match.group(1) not in known:
            return match.group(1)
    return None
