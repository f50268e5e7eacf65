"""Template parameters: the values a stack operation was given, checked against their declarations (types,
defaults, AllowedValues, AllowedPattern through RE2, lengths, ranges, NoEcho) as CloudFormation does. Pure."""

from __future__ import annotations

from typing import Any

import re2

from .errors import TemplateError

LIST_TYPES = ("CommaDelimitedList", "List<Number>")
MASK = "****"
SSM_NAME = "AWS::SSM::Parameter::Name"
SSM_VALUE = "AWS::SSM::Parameter::Value<"
_RESOLVED = "\x1f"  # a Value<> parameter's stored value: the parameter name given, this, the value it resolved to


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)


def resolve(
    declared: dict[str, Any], given: list[dict[str, Any]], previous: dict[str, str] | None = None
) -> dict[str, str]:
    """{name: value as text} for every declared parameter; TemplateError with AWS's message otherwise."""
    supplied: dict[str, str] = {}
    for entry in given:
        key = str(entry.get("ParameterKey", ""))
        if entry.get("UsePreviousValue"):
            if previous is None or key not in previous:
                raise TemplateError(
                    f"Invalid input for parameter key {key}. Cannot specify usePreviousValue as "
                    "true for a parameter key not in the previous template"
                )
            supplied[key] = previous[key]
        elif "ParameterValue" in entry:
            supplied[key] = str(entry["ParameterValue"])
    unknown = [k for k in supplied if k not in declared]
    if unknown:
        raise TemplateError(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    values: dict[str, str] = {}
    missing = []
    for name, decl in declared.items():
        if name in supplied:
            values[name] = supplied[name]
        elif "Default" in decl:
            values[name] = _text(decl["Default"])
        else:
            missing.append(name)
    if missing:
        raise TemplateError(f"Parameters: [{', '.join(missing)}] must have values")
    for name, value in values.items():
        _check(name, declared[name], value)
    return values


def _check(name: str, decl: dict[str, Any], value: str) -> None:
    kind = str(decl.get("Type", "String"))
    described = decl.get("ConstraintDescription")

    def fail(message: str) -> None:
        raise TemplateError(
            f"Parameter '{name}' {message}"
            if described is None
            else f"Parameter '{name}' failed to satisfy constraint: {described}"
        )

    if kind.startswith("AWS::SSM::Parameter"):
        if kind != SSM_NAME and not (kind.startswith(SSM_VALUE) and kind.endswith(">")):
            raise TemplateError(f"Parameter '{name}' has an unsupported type {kind}")
        return  # the value names a Systems Manager parameter: resolved by the caller (ssm_names, with_resolved)
    items = [v.strip() for v in value.split(",")] if kind in LIST_TYPES or kind.startswith("List<") else [value]
    numeric = kind in ("Number", "List<Number>")
    for item in items:
        if numeric:
            try:
                number = float(item)
            except ValueError:
                raise TemplateError(f"Parameter '{name}' must be a number") from None
            if "MinValue" in decl and number < float(decl["MinValue"]):
                fail(f"must be a number not less than {_text(decl['MinValue'])}")
            if "MaxValue" in decl and number > float(decl["MaxValue"]):
                fail(f"must be a number not greater than {_text(decl['MaxValue'])}")
    allowed = decl.get("AllowedValues")
    if isinstance(allowed, list):
        options = [_text(a) for a in allowed]
        for item in items if kind in LIST_TYPES else [value]:
            if item not in options:
                fail("must be one of AllowedValues")
    if not numeric:
        if "MinLength" in decl and len(value) < int(decl["MinLength"]):
            fail(f"must contain at least {decl['MinLength']} characters")
        if "MaxLength" in decl and len(value) > int(decl["MaxLength"]):
            fail(f"cannot be longer than {decl['MaxLength']} characters")
        pattern = decl.get("AllowedPattern")
        if isinstance(pattern, str):
            try:
                compiled = re2.compile(pattern)
            except re2.error:
                raise TemplateError(f"Parameter '{name}' has an invalid AllowedPattern") from None
            if not compiled.fullmatch(value):
                fail(f"failed to satisfy constraint: Malformed input-Parameter {name} must match pattern {pattern}")


def ssm_names(declared: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    """{template parameter: the Systems Manager parameter it names} for the AWS::SSM::Parameter types (each is
    resolved again by every stack operation, as CloudFormation does)."""
    return {
        name: value.split(_RESOLVED, 1)[0]
        for name, value in values.items()
        if str(declared.get(name, {}).get("Type", "")).startswith("AWS::SSM::Parameter::")
    }


def with_resolved(declared: dict[str, Any], values: dict[str, str], found: dict[str, str]) -> dict[str, str]:
    """``values`` with each Value<> parameter's resolved value kept beside its name (``found``: SSM name → value);
    TemplateError as CloudFormation words it for names Parameter Store does not have."""
    names = ssm_names(declared, values)
    missing = sorted({n for n in names.values() if n not in found})
    if missing:
        raise TemplateError(f"Unable to fetch parameters [{','.join(missing)}] from parameter store for this account.")
    out = dict(values)
    for name, ssm_name in names.items():
        kind = str(declared[name].get("Type", ""))
        out[name] = ssm_name + _RESOLVED + found[ssm_name] if kind.startswith(SSM_VALUE) else ssm_name
    return out


def typed(declared: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The values as Ref returns them: list types as lists, Value<> types as the value they resolved to."""
    out: dict[str, Any] = {}
    for name, stored in values.items():
        kind = str(declared[name].get("Type", "String"))
        value = stored.split(_RESOLVED, 1)[-1]
        if kind.startswith(SSM_VALUE):
            kind = kind[len(SSM_VALUE) : -1]
        listed = kind in LIST_TYPES or kind.startswith("List<")
        out[name] = [v.strip() for v in value.split(",")] if listed else value
    return out


def described(declared: dict[str, Any], values: dict[str, str]) -> list[dict[str, Any]]:
    """DescribeStacks' Parameters (NoEcho values masked; a Value<> parameter's ResolvedValue beside its name)."""
    out = []
    for n, v in values.items():
        if n not in declared:
            continue
        secret = _text(declared[n].get("NoEcho", "false")).lower() == "true"
        given, resolved, value = v.partition(_RESOLVED)
        entry = {"ParameterKey": n, "ParameterValue": MASK if secret else given}
        if resolved:
            entry["ResolvedValue"] = MASK if secret else value
        out.append(entry)
    return out
