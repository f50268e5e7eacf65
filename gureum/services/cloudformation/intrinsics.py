"""Intrinsic functions, conditions and pseudo parameters: a template value → its value in one stack at one moment
(Scope: the parameters, conditions, mappings, the resources' Ref values and attributes so far, the exports).
Recursion follows the document, whose depth template.parse bounds. Pure: no I/O, no SQL."""

from __future__ import annotations

import base64
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import TemplateError

NO_VALUE = object()  # AWS::NoValue: the property (or list item) disappears
PSEUDO = (
    "AWS::AccountId",
    "AWS::Region",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::NoValue",
    "AWS::NotificationARNs",
)
FUNCTIONS = (
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Split",
    "Fn::Select",
    "Fn::If",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::ImportValue",
    "Fn::Length",
    "Fn::ToJsonString",
    "Condition",
    "Fn::Transform",
)


@dataclass
class Scope:
    account: str
    region: str
    stack_name: str
    stack_id: str
    parameters: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    notification_arns: list[str] = field(default_factory=list)
    # a resource's Ref value, and one of its attributes; both raise TemplateError when not (yet) known
    ref: Callable[[str], Any] = lambda name: _unknown(name)
    attribute: Callable[[str, str], Any] = lambda name, attr: _unknown(name)
    export: Callable[[str], str] = lambda name: _no_export(name)

    def pseudo(self, name: str) -> Any:
        return {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": list(self.notification_arns),
        }[name]


def _unknown(name: str) -> Any:
    raise TemplateError(
        f"Template format error: Unresolved resource dependencies [{name}] in the Resources block of the template"
    )


def _no_export(name: str) -> str:
    raise TemplateError(f"No export named {name} found.")


def function_of(value: Any) -> str | None:
    """The intrinsic function ``value`` is a call of (a one-key object named for one), else None."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key in FUNCTIONS:
            return str(key)
    return None


def resolve(value: Any, scope: Scope) -> Any:
    """``value`` with every intrinsic function evaluated (AWS::NoValue members removed)."""
    fn = function_of(value)
    if fn is not None:
        return _call(fn, value[fn], scope)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            resolved = resolve(item, scope)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out
    if isinstance(value, list):
        return [v for v in (resolve(item, scope) for item in value) if v is not NO_VALUE]
    return value


def text(value: Any) -> str:
    """A resolved scalar as CloudFormation writes it into a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        raise TemplateError("Template error: every value in a string context must be a string")
    return str(value)


def _args(fn: str, args: Any, count: int) -> list[Any]:
    if not isinstance(args, list) or len(args) != count:
        raise TemplateError(
            f"Template error: {fn} requires {count} arguments"
            if count != 1
            else f"Template error: {fn} requires a list argument"
        )
    return args


def _call(fn: str, args: Any, scope: Scope) -> Any:
    if fn == "Ref":
        return ref(args, scope)
    if fn == "Fn::GetAtt":
        if isinstance(args, str):
            args = args.split(".", 1)
        resource, attribute = _args(fn, args, 2)
        attribute = resolve(attribute, scope)
        if not isinstance(resource, str) or not isinstance(attribute, str):
            raise TemplateError("Template error: every Fn::GetAtt object requires two non-empty parameters")
        return scope.attribute(resource, attribute)
    if fn == "Fn::Sub":
        return sub(args, scope)
    if fn == "Fn::Join":
        delimiter, items = _args(fn, args, 2)
        items = resolve(items, scope)
        if not isinstance(items, list):
            raise TemplateError(
                "Template error: every Fn::Join object requires two parameters, (1) a string "
                "delimiter and (2) a list of strings to be joined or a function that returns a list "
                "of strings (such as Fn::GetAZs) to be joined."
            )
        return text(delimiter).join(text(i) for i in items)
    if fn == "Fn::Split":
        delimiter, source = _args(fn, args, 2)
        return text(resolve(source, scope)).split(text(delimiter))
    if fn == "Fn::Select":
        index, items = _args(fn, args, 2)
        index, items = resolve(index, scope), resolve(items, scope)
        try:
            position = int(index)
        except (TypeError, ValueError):
            raise TemplateError("Template error: Fn::Select requires a valid index") from None
        if not isinstance(items, list) or not 0 <= position < len(items):
            raise TemplateError(f"Template error: Fn::Select cannot select nonexistent value at index {position}")
        return items[position]
    if fn == "Fn::If":
        name, when_true, when_false = _args(fn, args, 3)
        return resolve(when_true if condition(name, scope) else when_false, scope)
    if fn in ("Fn::And", "Fn::Or", "Fn::Not", "Fn::Equals", "Condition"):
        return evaluate_condition({fn: args}, scope)
    if fn == "Fn::FindInMap":
        if not isinstance(args, list) or len(args) not in (3, 4):
            raise TemplateError("Template error: Fn::FindInMap requires 3 arguments")
        name, first, second = (text(resolve(a, scope)) for a in args[:3])
        try:
            return scope.mappings[name][first][second]
        except (KeyError, TypeError):
            if len(args) == 4 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
                return resolve(args[3]["DefaultValue"], scope)
            raise TemplateError(f"Template error: Unable to get mapping for {name}::{first}::{second}") from None
    if fn == "Fn::GetAZs":
        region = text(resolve(args, scope)) or scope.region
        return [f"{region}{z}" for z in "abc"]
    if fn == "Fn::Base64":
        return base64.b64encode(text(resolve(args, scope)).encode()).decode()
    if fn == "Fn::Cidr":
        block, count, bits = (resolve(a, scope) for a in _args(fn, args, 3))
        return cidr(text(block), int(count), int(bits))
    if fn == "Fn::ImportValue":
        return scope.export(text(resolve(args, scope)))
    if fn == "Fn::Length":
        items = resolve(args, scope)
        if not isinstance(items, list):
            raise TemplateError("Template error: Fn::Length requires a list")
        return len(items)
    if fn == "Fn::ToJsonString":
        return json.dumps(resolve(args, scope), separators=(",", ":"))
    raise TemplateError(f"Template error: {fn} is not supported by gureum")


def ref(name: Any, scope: Scope) -> Any:
    if not isinstance(name, str):
        raise TemplateError("Template format error: Every Ref object must have a single String value.")
    if name in PSEUDO:
        return scope.pseudo(name)
    if name in scope.parameters:
        return scope.parameters[name]
    return scope.ref(name)


def sub_parts(template: str) -> list[str | tuple[str]]:
    """``template`` split into literal text and ("variable",) names; "${!x}" is the literal "${x}"."""
    parts: list[str | tuple[str]] = []
    literal: list[str] = []
    i = 0
    while i < len(template):
        start = template.find("${", i)
        if start < 0:
            literal.append(template[i:])
            break
        literal.append(template[i:start])
        end = template.find("}", start)
        if end < 0:
            literal.append(template[start:])
            break
        if template.startswith("${!", start):
            literal.append("${" + template[start + 3 : end + 1])
        else:
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append((template[start + 2 : end].strip(),))
        i = end + 1
    if literal:
        parts.append("".join(literal))
    return [p for p in parts if p != ""]


def sub(args: Any, scope: Scope) -> str:
    if isinstance(args, str):
        template, variables = args, {}
    elif isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
        template, variables = args[0], {k: resolve(v, scope) for k, v in args[1].items()}
    else:
        raise TemplateError(
            "Template error: One or more Fn::Sub intrinsic functions don't specify expected "
            "arguments. Specify a string as first argument, and an optional second argument to "
            "specify a mapping of values to replace in the string"
        )
    out = []
    for part in sub_parts(template):
        if isinstance(part, str):
            out.append(part)
            continue
        name = part[0]
        if name in variables:
            out.append(text(variables[name]))
        elif "." in name and name not in PSEUDO:
            resource, _, attribute = name.partition(".")
            out.append(text(scope.attribute(resource, attribute)))
        else:
            value = ref(name, scope)
            out.append(",".join(map(text, value)) if isinstance(value, list) else text(value))
    return "".join(out)


def cidr(block: str, count: int, bits: int) -> list[str]:
    try:
        network = ipaddress.ip_network(block, strict=False)
    except ValueError:
        raise TemplateError(f"Template error: Fn::Cidr: invalid ipBlock {block}") from None
    prefix = network.max_prefixlen - bits
    if not 0 < count <= 256 or prefix < network.prefixlen:
        raise TemplateError("Template error: Fn::Cidr: invalid count or cidrBits")
    out = []
    for subnet in network.subnets(new_prefix=prefix):
        out.append(str(subnet))
        if len(out) == count:
            return out
    raise TemplateError("Template error: Fn::Cidr: the ipBlock cannot hold that many subnets")


# --- conditions -------------------------------------------------------------------------------------------------


def condition(name: Any, scope: Scope) -> bool:
    if not isinstance(name, str) or name not in scope.conditions:
        raise TemplateError(
            f"Template format error: Unresolved dependencies [{name}]. Cannot reference resources "
            "in the Conditions block of the template"
            if isinstance(name, str)
            else "Template error: Condition name must be a string"
        )
    return scope.conditions[name]


def evaluate_condition(value: Any, scope: Scope) -> bool:
    fn = function_of(value)
    if fn == "Condition":
        return condition(value[fn], scope)
    if fn == "Fn::Equals":
        left, right = (resolve(a, scope) for a in _args(fn, value[fn], 2))
        return bool(_same(left) == _same(right))
    if fn == "Fn::Not":
        return not evaluate_condition(_args(fn, value[fn], 1)[0], scope)
    if fn in ("Fn::And", "Fn::Or"):
        items = value[fn]
        if not isinstance(items, list) or not 2 <= len(items) <= 10:
            raise TemplateError(f"Template error: {fn} requires between 2 and 10 conditions")
        results = (evaluate_condition(i, scope) for i in items)
        return all(results) if fn == "Fn::And" else any(results)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TemplateError(
        "Template format error: Conditions can only be boolean operations on parameters and other conditions"
    )


def _same(value: Any) -> Any:
    if isinstance(value, list):
        return [_same(v) for v in value]
    return text(value) if not isinstance(value, dict) else value


def evaluate_conditions(declared: dict[str, Any], scope: Scope) -> dict[str, bool]:
    """Every condition of the Conditions section (which may name each other, never in a cycle)."""
    results: dict[str, bool] = {}
    visiting: set[str] = set()

    class _Lazy(dict):  # type: ignore[type-arg]
        def __contains__(self, name: object) -> bool:
            return name in declared

        def __getitem__(self, name: str) -> bool:
            if name in results:
                return results[name]
            if name in visiting:
                raise TemplateError(f"Template format error: Circular condition dependency [{name}]")
            visiting.add(name)
            results[name] = evaluate_condition(declared[name], scope)
            visiting.discard(name)
            return results[name]

    lazy = _Lazy()
    scope.conditions = lazy
    for name in declared:
        if len(visiting) > 200:
            raise TemplateError("Template format error: conditions nest too deeply")
        lazy[name]
    scope.conditions = results
    return results


# --- dependencies ---------------------------------------------------------------------------------------------


def references(value: Any, found: set[str]) -> set[str]:
    """Names ``value`` refers to through Ref, Fn::GetAtt and Fn::Sub (parameters and pseudo parameters too)."""
    stack = [value]
    while stack:
        item = stack.pop()
        fn = function_of(item)
        if fn == "Ref" and isinstance(item[fn], str):
            found.add(item[fn])
            continue
        if fn == "Fn::GetAtt":
            args = item[fn]
            if isinstance(args, str):
                args = args.split(".", 1)
            if isinstance(args, list) and args and isinstance(args[0], str):
                found.add(args[0])
                stack.extend(args[1:])
            continue
        if fn == "Fn::Sub":
            args = item[fn]
            template, variables = (
                (args, {})
                if isinstance(args, str)
                else ((args[0], args[1]) if isinstance(args, list) and len(args) == 2 else ("", {}))
            )
            if isinstance(variables, dict):
                stack.extend(variables.values())
            for part in sub_parts(template if isinstance(template, str) else ""):
                if isinstance(part, tuple) and part[0] not in (variables if isinstance(variables, dict) else {}):
                    found.add(part[0].split(".", 1)[0] if part[0] not in PSEUDO else part[0])
            continue
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
