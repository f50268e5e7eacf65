"""Template text → document: JSON (bounded, gureum.safejson) or YAML with CloudFormation's short forms (!Ref, !Sub,
!GetAtt a.b …) through PyYAML's safe loader; then a non-recursive walk bounds its size and depth (YAML aliases
cannot blow it up) and copies it into plain dicts and lists. Also the template's structure checks and its summary
(ValidateTemplate, GetTemplateSummary). Pure: no I/O, no SQL."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ... import safejson
from .errors import TemplateError, ValidationError

MAX_BODY = 51_200  # TemplateBody (bytes); a TemplateURL's document may be up to 1 MB
MAX_URL_BODY = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64
LIMITS = {"Resources": 500, "Outputs": 200, "Parameters": 200, "Mappings": 200}  # AWS's CloudFormation quotas
SECTIONS = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Hooks",
)
SHORT_FORMS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "Split": "Fn::Split",
    "Select": "Fn::Select",
    "If": "Fn::If",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Not": "Fn::Not",
    "Equals": "Fn::Equals",
    "FindInMap": "Fn::FindInMap",
    "GetAZs": "Fn::GetAZs",
    "Base64": "Fn::Base64",
    "Cidr": "Fn::Cidr",
    "ImportValue": "Fn::ImportValue",
    "Transform": "Fn::Transform",
    "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString",
    "ForEach": "Fn::ForEach",
}
IAM_TYPES = (
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::AccessKey",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::UserToGroupAddition",
)
NAMED_IAM = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateLoader(_Loader):  # type: ignore[misc]
    """The safe loader; dates stay text ("2010-09-09"), CloudFormation's tags become their long forms."""


def _short(fn: str) -> Any:
    def construct(loader: Any, node: Any) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if fn == "Fn::GetAtt":
                resource, _, attribute = str(value).partition(".")
                value = [resource, attribute]
            elif fn == "Fn::GetAZs" and value is None:
                value = ""
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {fn: value}

    return construct


for _tag, _fn in SHORT_FORMS.items():
    _TemplateLoader.add_constructor(f"!{_tag}", _short(_fn))
_TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _plain(doc: Any) -> Any:
    """A bounded, fresh copy of ``doc`` (no shared nodes), without recursion."""
    if not isinstance(doc, dict | list):
        return doc
    root: Any = {} if isinstance(doc, dict) else []
    stack: list[tuple[Any, Any, int]] = [(doc, root, 1)]
    nodes = 0
    while stack:
        source, target, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TemplateError("Template format error: the template is nested too deeply")
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            nodes += 1
            if nodes > MAX_NODES:
                raise TemplateError("Template format error: the template is too large")
            if isinstance(value, dict | list):
                copy: Any = {} if isinstance(value, dict) else []
                stack.append((value, copy, depth + 1))
                value = copy
            elif value is not None and not isinstance(value, str | int | float | bool):
                value = str(value)
            if isinstance(target, dict):
                target[str(key) if not isinstance(key, str) else key] = value
            else:
                target.append(value)
    return root


def parse(text: str) -> dict[str, Any]:
    """The template document of ``text`` (JSON or YAML), or TemplateError with AWS's message."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = safejson.loads(stripped, max_size=MAX_URL_BODY)
        except ValueError as error:
            line, col = getattr(error, "lineno", 1), getattr(error, "colno", 1)
            raise TemplateError(f"Template format error: JSON not well-formed. (line {line},  column {col})") from None
    else:
        try:
            doc = yaml.load(stripped, Loader=_TemplateLoader)  # noqa: S506  (a SafeLoader subclass)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
            raise TemplateError(f"Template format error: YAML not well-formed.{where}") from None
        except (yaml.YAMLError, RecursionError, ValueError, TypeError):
            raise TemplateError("Template format error: YAML not well-formed.") from None
    if not isinstance(doc, dict):
        raise TemplateError(
            "Template format error: JSON not well-formed. (line 1,  column 1)"
            if stripped.startswith("{")
            else "Template format error: YAML not well-formed."
        )
    return dict(_plain(doc))


# a resource's policy attributes and their values (Snapshot: no type gureum serves takes snapshots — EC2 volumes,
# RDS, ElastiCache, Redshift, Neptune, DocumentDB do — so it means Delete, as CloudFormation reverts it to Delete
# for a resource that does not support snapshots)
_POLICIES = {
    "DeletionPolicy": ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot"),
    "UpdateReplacePolicy": ("Delete", "Retain", "Snapshot"),
}


def check(doc: dict[str, Any]) -> None:
    """The structure checks AWS makes before anything runs."""
    unknown = [k for k in doc if k not in SECTIONS and not (k == "Globals" and "Transform" in doc)]
    if unknown:
        raise TemplateError(f"Invalid template property or properties [{', '.join(unknown)}]")
    version = doc.get("AWSTemplateFormatVersion")
    if version is not None and str(version) != "2010-09-09":
        raise TemplateError(f"Template format error: Unsupported template format version {version}")
    if "Description" in doc and not isinstance(doc["Description"], str):
        raise TemplateError("Template format error: Every Description member must be a string.")
    resources = doc.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError("Template format error: At least one Resources member must be defined.")
    for section in ("Parameters", "Mappings", "Conditions", "Outputs", "Metadata", "Rules"):
        if section in doc and not isinstance(doc[section], dict):
            raise TemplateError(f"Template format error: {section} must be an object")
    for section, limit in LIMITS.items():
        count = len(doc.get(section) or {})
        if count > limit:
            raise TemplateError(
                f"Template format error: Number of {section.lower()}, {count}, is greater than maximum allowed, {limit}"
            )
    for logical, resource in resources.items():
        if not logical.isalnum():
            raise TemplateError(f"Template format error: Resource name {logical} is non alphanumeric.")
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise TemplateError(
                f"Template format error: [/Resources/{logical}] Every Resources object must contain a Type member."
            )
        props = resource.get("Properties", {})
        if not isinstance(props, dict):
            raise TemplateError(f"Template format error: [/Resources/{logical}/Properties] must be an object")
        depends = resource.get("DependsOn", [])
        if not isinstance(depends, str | list):
            raise TemplateError(f"Template format error: [/Resources/{logical}/DependsOn] must be a string or list")
        for attribute, allowed in _POLICIES.items():
            value = resource.get(attribute)
            if value is not None and (not isinstance(value, str) or value not in allowed):
                raise TemplateError(
                    f"Template format error: [/Resources/{logical}/{attribute}] Unrecognized {attribute} {value}: "
                    f"one of {', '.join(allowed)}"
                )
    conditions = doc.get("Conditions") or {}
    for section in ("Resources", "Outputs"):
        for declared in (doc.get(section) or {}).values():
            wanted = declared.get("Condition") if isinstance(declared, dict) else None
            if wanted is not None and (not isinstance(wanted, str) or wanted not in conditions):
                raise TemplateError(
                    f"Template format error: Unresolved condition dependencies [{wanted}] in the "
                    f"{section} block of the template"
                )
    for name, param in (doc.get("Parameters") or {}).items():
        if not isinstance(param, dict) or not isinstance(param.get("Type"), str):
            raise TemplateError(
                f"Template format error: Every Parameters object must contain a Type member. [/Parameters/{name}]"
            )
        if "AllowedValues" in param and not isinstance(param["AllowedValues"], list):
            raise TemplateError(f"Template format error: [/Parameters/{name}/AllowedValues] must be a list")
    for name, output in (doc.get("Outputs") or {}).items():
        if not isinstance(output, dict) or "Value" not in output:
            raise TemplateError(
                f"Template format error: Every Outputs member must contain a Value object, "
                f"the Outputs member {name} is missing the Value object."
            )


def transforms(doc: dict[str, Any]) -> list[str]:
    found = doc.get("Transform")
    if found is None:
        return []
    names = found if isinstance(found, list) else [found]
    return [n if isinstance(n, str) else str(n.get("Name", "")) if isinstance(n, dict) else str(n) for n in names]


def capabilities(doc: dict[str, Any]) -> list[str]:
    """The capabilities the template's resources require (CAPABILITY_IAM, or CAPABILITY_NAMED_IAM)."""
    needed: list[str] = []
    for resource in (doc.get("Resources") or {}).values():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if kind in IAM_TYPES:
            named = NAMED_IAM.get(kind or "")
            if named and named in (resource.get("Properties") or {}):
                return ["CAPABILITY_NAMED_IAM"]
            needed = ["CAPABILITY_IAM"]
    return needed


def parameter_declarations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """ValidateTemplate's Parameters."""
    out = []
    for name, param in (doc.get("Parameters") or {}).items():
        entry: dict[str, Any] = {"ParameterKey": name, "NoEcho": str(param.get("NoEcho", "false")).lower() == "true"}
        if "Default" in param:
            entry["DefaultValue"] = _text(param["Default"])
        if "Description" in param:
            entry["Description"] = str(param["Description"])
        out.append(entry)
    return out


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    """GetTemplateSummary's answer."""
    params = []
    for entry, param in zip(parameter_declarations(doc), (doc.get("Parameters") or {}).values(), strict=True):
        entry["ParameterType"] = str(param["Type"])
        entry["ParameterConstraints"] = {"AllowedValues": [_text(v) for v in param.get("AllowedValues") or []]}
        params.append(entry)
    resources = (doc.get("Resources") or {}).values()
    types = sorted({str(r["Type"]) for r in resources if isinstance(r, dict) and isinstance(r.get("Type"), str)})
    out: dict[str, Any] = {
        "Parameters": params,
        "ResourceTypes": types,
        "Version": str(doc.get("AWSTemplateFormatVersion", "2010-09-09")),
        "DeclaredTransforms": transforms(doc),
        "Capabilities": capabilities(doc),
        "ResourceIdentifierSummaries": [],
    }
    if out["Capabilities"]:
        out["CapabilitiesReason"] = (
            "The following resource(s) require capabilities: ["
            + ", ".join(sorted({str(r["Type"]) for r in doc["Resources"].values() if r.get("Type") in IAM_TYPES}))
            + "]"
        )
    if "Description" in doc:
        out["Description"] = doc["Description"]
    if "Metadata" in doc:
        out["Metadata"] = json.dumps(doc["Metadata"])
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)


def check_stack_name(name: str) -> None:
    """AWS's stack name rule: a letter, then letters, digits and hyphens; 128 characters at most."""
    ok = 0 < len(name) <= 128 and name[0].isascii() and name[0].isalpha()
    ok = ok and all(c.isascii() and (c.isalnum() or c == "-") for c in name)
    if not ok:
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"
        )
