"""IAM Access Analyzer's policy validation, the grammar part (IAM User Guide, "IAM Access Analyzer policy check
reference"): each finding in AWS's shape (findingType, issueCode, findingDetails in AWS's words, learnMoreLink, and
the locations of what it names: a path through the document and the value's span). Checked: JSON syntax; the
policy's and statements' elements (unknown ones, missing Statement/Effect/Action/Resource/Principal, the pairs that
cannot be combined); Version; Effect; Sid (empty, duplicate, characters); Principal's shape and keys and whether the
policy type takes one; condition operators and key format; resource ARN prefix and fields; and the security
warnings of iam:PassRole on "*" and Allow with NotPrincipal. Not checked: whether actions, condition keys, resource
types and Regions exist (that needs AWS's whole service catalogue). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...policy import OPERATORS
from .spans import Node, Positions, SyntaxProblem, parse

LEARN_MORE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
_ANCHOR = {"ERROR": "error", "WARNING": "general-warning", "SECURITY_WARNING": "security-warning",
           "SUGGESTION": "suggestion"}  # fmt: skip
VERSIONS = ("2012-10-17", "2008-10-17")
POLICY_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                      "Condition")  # fmt: skip
PRINCIPAL_KEYS = ("AWS", "CanonicalUser", "Federated", "Service")
_EXCLUSIVE = (("Action", "NotAction"), ("Principal", "NotPrincipal"), ("Resource", "NotResource"))
_OPERATORS = {name.lower() for name in OPERATORS}
_SID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

Path = tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # ERROR | SECURITY_WARNING | WARNING | SUGGESTION
    code: str
    details: str
    where: tuple[tuple[Path, Node | None], ...]  # (path, the value it names; None: the whole document)


def _v(name: str) -> dict[str, Any]:
    return {"value": name}


def _i(index: int) -> dict[str, Any]:
    return {"index": index}


def _strings(node: Node, path: Path) -> Iterator[tuple[str, Path, Node]]:
    """The strings of an element that takes a string or a list of strings."""
    if node.kind == "string":
        yield node.value, path, node
    elif node.kind == "array":
        for index, item in enumerate(node.items):
            if item.kind == "string":
                yield item.value, (*path, _i(index)), item


def _check_principal(node: Node, path: Path) -> Iterator[Problem]:
    if node.kind == "string" and node.value == "*":
        return
    if node.kind != "object":
        yield Problem(
            "ERROR",
            "INVALID_PRINCIPAL_FORMAT",
            "The Principal element contents are not valid. Specify a key-value pair in the Principal element.",
            ((path, node),),
        )
        return
    for key, value in node.members:
        if key not in PRINCIPAL_KEYS:
            yield Problem(
                "ERROR", "INVALID_PRINCIPAL_KEY", f"The principal key {key} is not valid.", (((*path, _v(key)), value),)
            )


def _check_condition(node: Node, path: Path) -> Iterator[Problem]:
    if node.kind != "object":
        return
    for operator, block in node.members:
        where = (*path, _v(operator))
        base = operator.split(":", 1)[1] if operator.lower().startswith(("forallvalues:", "foranyvalue:")) else operator
        bare = base[: -len("IfExists")] if base.endswith("IfExists") else base
        if bare.lower() == "null" and base != bare:
            yield Problem(
                "ERROR",
                "NULL_WITH_IF_EXISTS",
                "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the "
                "suffix.",
                ((where, block),),
            )
            continue
        if bare.lower() not in _OPERATORS:
            yield Problem(
                "ERROR",
                "INVALID_CONDITION_OPERATOR",
                f"The condition operator {operator} is not valid. Use a valid condition operator.",
                ((where, block),),
            )
            continue
        if block.kind != "object":
            continue
        for key, values in block.members:
            if ":" not in key:
                yield Problem(
                    "ERROR",
                    "INVALID_CONDITION_KEY_FORMAT",
                    "The condition key format is not valid. Use the format service:keyname.",
                    (((*where, _v(key)), values),),
                )
            elif "like" not in bare.lower() and any("*" in v or "?" in v for v, _, _ in _strings(values, ())):
                if bare.lower().startswith(("string", "arn")):
                    yield Problem(
                        "WARNING",
                        "WILDCARD_WITHOUT_LIKE_OPERATOR",
                        "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), "
                        "update the condition operator to include Like.",
                        (((*where, _v(key)), values),),
                    )


def _check_resources(node: Node, path: Path) -> Iterator[Problem]:
    for value, where, item in _strings(node, path):
        if value == "*" or value.startswith("${"):
            continue
        if not value.startswith("arn:"):
            yield Problem(
                "ERROR", "INVALID_ARN_PREFIX", "Add the required prefix (arn) to the resource ARN.", ((where, item),)
            )
        elif value.count(":") < 5:
            yield Problem(
                "ERROR",
                "MISSING_ARN_FIELD",
                "Resource ARNs must include at least 6 fields in the following structure: "
                "arn:partition:service:region:account:resource",
                ((where, item),),
            )


def _check_statement(
    node: Node, path: Path, policy_type: str, resource_type: str | None, sids: dict[str, list[tuple[Path, Node]]]
) -> Iterator[Problem]:
    if node.kind != "object":
        yield Problem("ERROR", "INVALID_POLICY_ELEMENT", "The policy element Statement is not valid.", ((path, node),))
        return
    names = [name for name, _ in node.members]
    for name, value in node.members:
        if name not in STATEMENT_ELEMENTS:
            yield Problem(
                "ERROR",
                "INVALID_POLICY_ELEMENT",
                f"The policy element {name} is not valid.",
                (((*path, _v(name)), value),),
            )
    for first, second in _EXCLUSIVE:
        if first in names and second in names:
            yield Problem(
                "ERROR",
                "UNSUPPORTED_ELEMENT_COMBINATION",
                f"The policy elements {first} and {second} can not be used in the same statement. Remove one of "
                "these elements.",
                (((*path, _v(first)), node.get(first)), ((*path, _v(second)), node.get(second))),
            )
    sid = node.get("Sid")
    if sid is not None and sid.kind == "string":
        where = (*path, _v("Sid"))
        if sid.value == "":
            yield Problem("SUGGESTION", "EMPTY_SID_VALUE", "Add a value to the empty string in the Sid element.",
                          ((where, sid),))  # fmt: skip
        else:
            sids.setdefault(sid.value, []).append((where, sid))
            if policy_type != "RESOURCE_POLICY" and not set(sid.value) <= _SID_CHARS:
                yield Problem(
                    "ERROR",
                    "UNSUPPORTED_SID",
                    "Update the characters in the Sid element to use one of the following character types: "
                    "[a-z, A-Z, 0-9]",
                    ((where, sid),),
                )
    effect = node.get("Effect")
    if effect is None:
        yield Problem("ERROR", "MISSING_EFFECT",
                      "Add an Effect element to the policy statement with a value of Allow or Deny.",
                      ((path, node),))  # fmt: skip
    elif effect.value not in ("Allow", "Deny"):
        shown = effect.value if effect.kind == "string" else "null" if effect.value is None else effect.value
        yield Problem("ERROR", "INVALID_EFFECT", f"The effect {shown} is not valid. Use Allow or Deny.",
                      (((*path, _v("Effect")), effect),))  # fmt: skip
    if "Action" not in names and "NotAction" not in names:
        yield Problem("ERROR", "MISSING_ACTION", "Add an Action or NotAction element to the policy statement.",
                      ((path, node),))  # fmt: skip
    trust = resource_type == "AWS::IAM::AssumeRolePolicyDocument"
    if "Resource" not in names and "NotResource" not in names and policy_type != "RESOURCE_POLICY":
        yield Problem("ERROR", "MISSING_RESOURCE", "Add a Resource or NotResource element to the policy statement.",
                      ((path, node),))  # fmt: skip
    for name in ("Principal", "NotPrincipal"):
        principal = node.get(name)
        if principal is None:
            continue
        where = (*path, _v(name))
        if policy_type == "IDENTITY_POLICY":
            yield Problem(
                "ERROR",
                "UNSUPPORTED_PRINCIPAL",
                "The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element.",
                ((where, principal),),
            )
        elif policy_type == "SERVICE_CONTROL_POLICY":
            yield Problem(
                "ERROR",
                "SCP_SYNTAX_ERROR_PRINCIPAL",
                "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element.",
                ((where, principal),),
            )
        else:
            yield from _check_principal(principal, where)
        if name == "NotPrincipal" and effect is not None and effect.value == "Allow":
            yield Problem(
                "SECURITY_WARNING",
                "ALLOW_WITH_NOT_PRINCIPAL",
                "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.",
                ((where, principal),),
            )
    if policy_type == "RESOURCE_POLICY" and "Principal" not in names and "NotPrincipal" not in names:
        yield Problem("ERROR", "MISSING_PRINCIPAL", "Add a Principal element to the policy statement.",
                      ((path, node),))  # fmt: skip
    resources = node.get("Resource")
    if resources is not None and not trust:
        yield from _check_resources(resources, (*path, _v("Resource")))
    not_resources = node.get("NotResource")
    if not_resources is not None:
        yield from _check_resources(not_resources, (*path, _v("NotResource")))
    condition = node.get("Condition")
    if condition is not None:
        yield from _check_condition(condition, (*path, _v("Condition")))
    actions = node.get("Action")
    if effect is not None and effect.value == "Allow" and actions is not None and resources is not None:
        star = any(value == "*" for value, _, _ in _strings(resources, ()))
        for action, where, item in _strings(actions, (*path, _v("Action"))):
            if star and action.lower() == "iam:passrole":
                yield Problem(
                    "SECURITY_WARNING",
                    "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                    "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive "
                    "because it allows iam:PassRole permissions on multiple resources. We recommend that you specify "
                    "resource ARNs or add the iam:PassedToService condition key to your statement.",
                    ((where, item), ((*path, _v("Resource")), resources)),
                )


def problems(text: str, policy_type: str, resource_type: str | None = None) -> list[Problem]:
    """Every finding for the policy document ``text`` of ``policy_type``."""
    try:
        root = parse(text)
    except SyntaxProblem as error:
        index = min(error.index, len(text))
        at = Positions(text).at(index)
        return [
            Problem(
                "ERROR",
                "JSON_SYNTAX_ERROR",
                f"Fix the JSON syntax error at index {at['offset']} line {at['line']} column {at['column']}.",
                (((), Node("null", index, index)),),
            )
        ]
    if root.kind != "object":
        return [Problem("ERROR", "JSON_SYNTAX_ERROR", "Fix the JSON syntax error.", (((), root),))]
    found: list[Problem] = []
    for name, value in root.members:
        if name not in POLICY_ELEMENTS:
            found.append(Problem("ERROR", "INVALID_POLICY_ELEMENT", f"The policy element {name} is not valid.",
                                 (((_v(name),), value),)))  # fmt: skip
    version = root.get("Version")
    if version is None:
        found.append(Problem("WARNING", "MISSING_VERSION",
                             "We recommend that you specify the Version element to help you with debugging "
                             "permission issues.", (((), root),)))  # fmt: skip
    elif version.value not in VERSIONS:
        found.append(Problem("ERROR", "INVALID_VERSION",
                             f"The version {version.value} is not valid. Use one of the following versions: "
                             f"{', '.join(VERSIONS)}", (((_v("Version"),), version),)))  # fmt: skip
    statement = root.get("Statement")
    statements: list[tuple[Node, Path]] = []
    if statement is None or (statement.kind == "array" and not statement.items):
        found.append(Problem("ERROR", "MISSING_STATEMENT", "Add a statement to the policy",
                             (((), root) if statement is None else ((_v("Statement"),), statement),)))  # fmt: skip
    elif statement.kind == "array":
        statements = [(item, (_v("Statement"), _i(i))) for i, item in enumerate(statement.items)]
    else:
        statements = [(statement, (_v("Statement"),))]
    sids: dict[str, list[tuple[Path, Node]]] = {}
    for node, path in statements:
        found.extend(_check_statement(node, path, policy_type, resource_type, sids))
    for places in sids.values():
        if len(places) > 1:
            if policy_type == "SERVICE_CONTROL_POLICY":
                found.append(Problem("ERROR", "UNIQUE_SIDS_REQUIRED",
                                     "Duplicate statement IDs are not supported for this policy type. Update the Sid "
                                     "value.", tuple(places)))  # fmt: skip
            else:
                found.append(Problem("WARNING", "UNIQUE_SIDS_RECOMMENDED",
                                     "We recommend that you use statement IDs that are unique to your policy. Update "
                                     "the Sid value.", tuple(places)))  # fmt: skip
    return found


def findings(text: str, policy_type: str, resource_type: str | None = None) -> list[dict[str, Any]]:
    """AWS's ValidatePolicyFinding shapes for ``problems``."""
    positions = Positions(text)
    out = []
    for problem in problems(text, policy_type, resource_type):
        anchor = f"{_ANCHOR[problem.kind]}-{problem.code.lower().replace('_', '-')}"
        out.append(
            {
                "findingDetails": problem.details,
                "findingType": problem.kind,
                "issueCode": problem.code,
                "learnMoreLink": f"{LEARN_MORE}#access-analyzer-reference-policy-checks-{anchor}",
                "locations": [
                    {
                        "path": list(path),
                        "span": positions.span(node.start, node.end) if node else positions.span(0, len(text)),
                    }
                    for path, node in problem.where
                ],
            }
        )
    return out
