"""AWS's policy evaluation as tables: each row a request, its policies, and the decision the IAM User Guide gives
("Policy evaluation logic", "… within a single account", "Cross-account policy evaluation logic", "Condition
operators", "Policy variables", "NotAction", "NotResource", "Permissions boundaries", "Session policies")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gureum.policy import Ask, Decision, Identity, decide
from gureum.policy.engine import BOUNDARY, FEDERATED, IDENTITY, RESOURCE, ROLE_SESSION, SESSION, USER

ACCT = "111111111111"
OTHER = "222222222222"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCT}:orders"
OTHER_QUEUE = f"arn:aws:sqs:us-east-1:{OTHER}:orders"
USER_ARN = f"arn:aws:iam::{ACCT}:user/ana"
ROLE_ARN = f"arn:aws:iam::{ACCT}:role/deployer"
SESSION_ARN = f"arn:aws:sts::{ACCT}:assumed-role/deployer/ci"
A, IMP, E = Decision.ALLOW, Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY


def stmt(effect: str = "Allow", action: Any = "sqs:SendMessage", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect}
    if "NotAction" not in extra:
        out["Action"] = action
    if "NotResource" not in extra and resource is not None:
        out["Resource"] = resource
    out.update(extra)
    return out


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def user(*policies: str, boundary: str | None = None, keys: dict[str, Any] | None = None) -> Identity:
    return Identity.make(USER, ACCT, USER_ARN, policies, boundary, None, None, keys)


def session(
    *policies: str, boundary: str | None = None, session: list[str] | None = None, keys: dict[str, Any] | None = None
) -> Identity:
    return Identity.make(ROLE_SESSION, ACCT, SESSION_ARN, policies, boundary, session, ROLE_ARN, keys)


ALLOW_SEND = doc(stmt())
DENY_SEND = doc(stmt("Deny"))
ALLOW_ALL = doc(stmt(action="*"))
ALLOW_RECEIVE = doc(stmt(action="sqs:ReceiveMessage"))


def rp(principal: Any, effect: str = "Allow", action: str = "sqs:SendMessage", **extra: Any) -> str:
    return doc(stmt(effect, action, None, Principal=principal, **extra))


# --- condition operators: (operator, request value (None: key absent), policy values, request matches?) ----------

OPERATOR_ROWS: list[tuple[str, Any, Any, bool]] = [
    # String (IAM User Guide, "String condition operators")
    ("StringEquals", "prod", "prod", True),
    ("StringEquals", "prod", "Prod", False),
    ("StringEquals", "prod", ["dev", "prod"], True),
    ("StringEquals", "prod", ["dev", "test"], False),
    ("StringEquals", None, "prod", False),
    ("StringEquals", "prod", "pro*", False),  # no wildcards in StringEquals
    ("StringNotEquals", "prod", "dev", True),
    ("StringNotEquals", "prod", "prod", False),
    ("StringNotEquals", "prod", ["dev", "prod"], False),
    ("StringNotEquals", None, "prod", True),  # negated operator, key absent: true
    ("StringEqualsIgnoreCase", "PROD", "prod", True),
    ("StringEqualsIgnoreCase", "prod", "dev", False),
    ("StringEqualsIgnoreCase", None, "prod", False),
    ("StringNotEqualsIgnoreCase", "PROD", "prod", False),
    ("StringNotEqualsIgnoreCase", "prod", "dev", True),
    ("StringNotEqualsIgnoreCase", None, "dev", True),
    ("StringLike", "prod-eu", "prod-*", True),
    ("StringLike", "prod-eu", "prod-??", True),
    ("StringLike", "prod-eu", "prod-?", False),
    ("StringLike", "prod-eu", "dev-*", False),
    ("StringLike", "prod-eu", ["dev-*", "*-eu"], True),
    ("StringLike", "Prod-eu", "prod-*", False),  # case-sensitive
    ("StringLike", None, "*", False),
    ("StringLike", "", "*", True),
    ("StringNotLike", "prod-eu", "dev-*", True),
    ("StringNotLike", "prod-eu", "prod-*", False),
    ("StringNotLike", None, "prod-*", True),
    ("StringEqualsIfExists", None, "prod", True),
    ("StringEqualsIfExists", "prod", "prod", True),
    ("StringEqualsIfExists", "dev", "prod", False),
    ("StringLikeIfExists", None, "prod*", True),
    ("StringLikeIfExists", "devel", "prod*", False),
    ("StringNotEqualsIfExists", "prod", "prod", False),
    ("StringNotEqualsIfExists", None, "prod", True),
    # Numeric
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", "10", "11", False),
    ("NumericEquals", "ten", "10", False),
    ("NumericEquals", None, "10", False),
    ("NumericNotEquals", "10", "11", True),
    ("NumericNotEquals", "10", "10", False),
    ("NumericNotEquals", None, "10", True),
    ("NumericLessThan", "9", "10", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThan", "-1", "0", True),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "11", "10", False),
    ("NumericGreaterThan", "11", "10", True),
    ("NumericGreaterThan", "10", "10", False),
    ("NumericGreaterThanEquals", "10", "10", True),
    ("NumericGreaterThanEquals", "9.5", "10", False),
    ("NumericGreaterThanIfExists", None, "10", True),
    ("NumericLessThanIfExists", "20", "10", False),
    ("NumericLessThan", "1e3", "1001", True),
    ("NumericEquals", "nan", "nan", False),
    # Date
    ("DateEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", True),
    ("DateEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", False),
    ("DateEquals", "1767225600", "2026-01-01T00:00:00Z", True),  # epoch and ISO 8601 compare as times
    ("DateNotEquals", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", True),
    ("DateNotEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", False),
    ("DateNotEquals", None, "2026-01-01T00:00:00Z", True),
    ("DateLessThan", "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z", True),
    ("DateLessThan", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", True),
    ("DateGreaterThan", "2026-06-01T00:00:00Z", "2026-01-01T00:00:00Z", True),
    ("DateGreaterThan", "2025-06-01T00:00:00Z", "2026-01-01T00:00:00Z", False),
    ("DateGreaterThanEquals", "2026-01-01T00:00:00Z", "2026-01-01", True),
    ("DateGreaterThan", "not a date", "2026-01-01T00:00:00Z", False),
    ("DateLessThanIfExists", None, "2026-01-01T00:00:00Z", True),
    ("DateLessThan", "2026-01-01T01:00:00+02:00", "2026-01-01T00:00:00Z", True),  # offsets honoured
    # Bool
    ("Bool", "true", "true", True),
    ("Bool", "true", "false", False),
    ("Bool", "TRUE", "true", True),
    ("Bool", None, "true", False),
    ("Bool", None, "false", False),  # absent is not false (use BoolIfExists or Null)
    ("BoolIfExists", None, "false", True),
    ("BoolIfExists", "true", "false", False),
    # Binary
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", True),
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", "T3RoZXI=", False),
    ("BinaryEquals", "not base64!", "QmluYXJ5VmFsdWU=", False),
    ("BinaryEquals", None, "QmluYXJ5VmFsdWU=", False),
    # IP address
    ("IpAddress", "203.0.113.7", "203.0.113.0/24", True),
    ("IpAddress", "203.0.114.7", "203.0.113.0/24", False),
    ("IpAddress", "203.0.113.7", "203.0.113.7", True),
    ("IpAddress", "203.0.113.7", ["10.0.0.0/8", "203.0.113.0/24"], True),
    ("IpAddress", "2001:db8::1", "2001:db8::/32", True),
    ("IpAddress", "2001:db8::1", "203.0.113.0/24", False),
    ("IpAddress", "garbage", "203.0.113.0/24", False),
    ("IpAddress", None, "203.0.113.0/24", False),
    ("NotIpAddress", "198.51.100.1", "203.0.113.0/24", True),
    ("NotIpAddress", "203.0.113.9", "203.0.113.0/24", False),
    ("NotIpAddress", None, "203.0.113.0/24", True),
    ("IpAddressIfExists", None, "203.0.113.0/24", True),
    # ARN
    ("ArnEquals", QUEUE, QUEUE, True),
    ("ArnEquals", QUEUE, OTHER_QUEUE, False),
    ("ArnLike", QUEUE, "arn:aws:sqs:*:111111111111:*", True),
    ("ArnLike", QUEUE, "arn:aws:sqs:us-east-1:111111111111:ord*", True),
    ("ArnLike", QUEUE, "arn:aws:sns:*:*:*", False),
    ("ArnLike", "not-an-arn", "arn:aws:sqs:*:*:*", False),
    ("ArnLike", QUEUE, "*", True),
    ("ArnNotEquals", QUEUE, OTHER_QUEUE, True),
    ("ArnNotEquals", QUEUE, QUEUE, False),
    ("ArnNotLike", QUEUE, "arn:aws:sns:*:*:*", True),
    ("ArnNotLike", QUEUE, "arn:aws:sqs:*:*:*", False),
    ("ArnNotLike", None, "arn:aws:sqs:*:*:*", True),
    ("ArnLikeIfExists", None, "arn:aws:sqs:*:*:*", True),
    ("ArnEqualsIfExists", OTHER_QUEUE, QUEUE, False),
    # Null
    ("Null", None, "true", True),
    ("Null", "x", "true", False),
    ("Null", "x", "false", True),
    ("Null", None, "false", False),
]


@pytest.mark.parametrize(("operator", "value", "policy_value", "expected"), OPERATOR_ROWS)
def test_condition_operators(operator: str, value: Any, policy_value: Any, expected: bool) -> None:
    policy = doc(stmt(Condition={operator: {"test:Key": policy_value}}))
    context = {} if value is None else {"test:Key": value}
    verdict = decide(Ask(user(policy), "sqs:SendMessage", QUEUE, context))
    assert verdict.decision is (A if expected else IMP)


def test_condition_key_names_are_case_insensitive() -> None:
    policy = doc(stmt(Condition={"StringEquals": {"AWS:SourceAccount": ACCT}}))
    assert decide(Ask(user(policy), "sqs:SendMessage", QUEUE, {"aws:sourceaccount": ACCT})).allowed


# --- multivalued keys: ForAllValues / ForAnyValue ("Set operators for multivalued context keys") --------------

SET_ROWS: list[tuple[str, Any, Any, bool]] = [
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "b", "c"], True),
    ("ForAllValues:StringEquals", ["a", "d"], ["a", "b", "c"], False),
    ("ForAllValues:StringEquals", [], ["a"], True),  # an empty set: every (no) value matches
    ("ForAllValues:StringEquals", None, ["a"], True),  # absent key: true
    ("ForAllValues:StringLike", ["env-1", "env-2"], ["env-*"], True),
    ("ForAllValues:StringLike", ["env-1", "team"], ["env-*"], False),
    ("ForAnyValue:StringEquals", ["a", "d"], ["a", "b"], True),
    ("ForAnyValue:StringEquals", ["x", "y"], ["a", "b"], False),
    ("ForAnyValue:StringEquals", [], ["a"], False),
    ("ForAnyValue:StringEquals", None, ["a"], False),  # absent key: false
    ("ForAnyValue:StringLike", ["prod-1", "x"], ["prod-*"], True),
    ("ForAllValues:StringNotEquals", ["a", "b"], ["c"], True),
    ("ForAllValues:StringNotEquals", ["a", "c"], ["c"], False),
    ("ForAnyValue:StringNotEquals", ["a", "c"], ["c"], True),
    ("ForAnyValue:StringNotEquals", ["c"], ["c"], False),
    ("ForAllValues:StringEqualsIgnoreCase", ["A", "B"], ["a", "b"], True),
    ("ForAnyValue:NumericLessThan", ["5", "50"], ["10"], True),
    ("ForAllValues:NumericLessThan", ["5", "50"], ["10"], False),
    ("ForAnyValue:ArnLike", [QUEUE, "x"], ["arn:aws:sqs:*:*:*"], True),
    ("ForAnyValue:IpAddress", ["10.0.0.1", "192.0.2.1"], ["192.0.2.0/24"], True),
    ("StringEquals", ["a", "b"], ["a"], True),  # a multivalued key without a set operator: any value
]


@pytest.mark.parametrize(("operator", "values", "policy_values", "expected"), SET_ROWS)
def test_set_operators(operator: str, values: Any, policy_values: Any, expected: bool) -> None:
    policy = doc(stmt(Condition={operator: {"aws:TagKeys": policy_values}}))
    context = {} if values is None else {"aws:TagKeys": values}
    assert decide(Ask(user(policy), "sqs:SendMessage", QUEUE, context)).decision is (A if expected else IMP)


def test_keys_and_operators_are_anded_values_ored() -> None:
    policy = doc(
        stmt(
            Condition={
                "StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"], "test:Team": "a"},
                "Bool": {"aws:SecureTransport": "true"},
            }
        )
    )
    good = {"aws:RequestedRegion": "eu-west-1", "test:Team": "a", "aws:SecureTransport": "true"}
    assert decide(Ask(user(policy), "sqs:SendMessage", QUEUE, good)).allowed
    for key, value in (("aws:RequestedRegion", "ap-south-1"), ("test:Team", "b"), ("aws:SecureTransport", "false")):
        bad = {**good, key: value}
        assert decide(Ask(user(policy), "sqs:SendMessage", QUEUE, bad)).decision is IMP


# --- Action / NotAction / Resource / NotResource ("IAM JSON policy elements") -----------------------------------

ELEMENT_ROWS: list[tuple[dict[str, Any], str, str, Decision]] = [
    (stmt(action="sqs:SendMessage"), "sqs:SendMessage", QUEUE, A),
    (stmt(action="sqs:sendmessage"), "sqs:SendMessage", QUEUE, A),  # action names are case-insensitive
    (stmt(action="SQS:SENDMESSAGE"), "sqs:SendMessage", QUEUE, A),
    (stmt(action="sqs:Send*"), "sqs:SendMessage", QUEUE, A),
    (stmt(action="sqs:*Message"), "sqs:ReceiveMessage", QUEUE, A),
    (stmt(action="sqs:*"), "sqs:DeleteQueue", QUEUE, A),
    (stmt(action="sqs:*"), "sns:Publish", QUEUE, IMP),
    (stmt(action="*"), "sns:Publish", QUEUE, A),
    (stmt(action="sqs:Send?essage"), "sqs:SendMessage", QUEUE, A),
    (stmt(action="sqs:Send?"), "sqs:SendMessage", QUEUE, IMP),
    (stmt(action=["sns:Publish", "sqs:SendMessage"]), "sqs:SendMessage", QUEUE, A),
    (stmt(action="sqs:SendMessageBatch"), "sqs:SendMessage", QUEUE, IMP),
    (stmt(action="sqs"), "sqs:SendMessage", QUEUE, IMP),
    (stmt(NotAction="sqs:DeleteQueue"), "sqs:SendMessage", QUEUE, A),
    (stmt(NotAction="sqs:DeleteQueue"), "sqs:DeleteQueue", QUEUE, IMP),
    (stmt(NotAction="sqs:*"), "sqs:DeleteQueue", QUEUE, IMP),
    (stmt(NotAction="sqs:*"), "sns:Publish", QUEUE, A),
    (stmt(NotAction=["iam:*", "sts:*"]), "iam:CreateUser", QUEUE, IMP),
    (stmt(NotAction=["iam:*", "sts:*"]), "dynamodb:GetItem", QUEUE, A),
    (stmt("Deny", NotAction="sqs:ReceiveMessage"), "sqs:SendMessage", QUEUE, E),
    (stmt("Deny", NotAction="sqs:SendMessage"), "sqs:SendMessage", QUEUE, IMP),
    (stmt(resource=QUEUE), "sqs:SendMessage", QUEUE, A),
    (stmt(resource=OTHER_QUEUE), "sqs:SendMessage", QUEUE, IMP),
    (stmt(resource="arn:aws:sqs:*:*:orders"), "sqs:SendMessage", QUEUE, A),
    (stmt(resource="arn:aws:sqs:us-east-1:111111111111:ord?rs"), "sqs:SendMessage", QUEUE, A),
    (stmt(resource="arn:aws:sqs:us-east-1:111111111111:Orders"), "sqs:SendMessage", QUEUE, IMP),  # case matters
    (stmt(resource="arn:aws:sqs:*"), "sqs:SendMessage", QUEUE, A),  # Resource wildcards cross colons
    (stmt(resource=["arn:aws:sns:*:*:*", QUEUE]), "sqs:SendMessage", QUEUE, A),
    (stmt(resource=None, NotResource=QUEUE), "sqs:SendMessage", QUEUE, IMP),
    (stmt(resource=None, NotResource=OTHER_QUEUE), "sqs:SendMessage", QUEUE, A),
    (stmt(resource=None, NotResource="arn:aws:sqs:*"), "sqs:SendMessage", QUEUE, IMP),
    (stmt("Deny", resource=None, NotResource=QUEUE), "sqs:SendMessage", OTHER_QUEUE, E),
    (stmt("Deny", resource=None, NotResource=QUEUE), "sqs:SendMessage", QUEUE, IMP),
    (stmt(resource=None), "sqs:SendMessage", QUEUE, IMP),  # an identity policy without Resource grants nothing
    (stmt(NotAction="iam:*", resource=None, NotResource=OTHER_QUEUE), "sqs:SendMessage", QUEUE, A),
]


@pytest.mark.parametrize(("statement", "action", "resource", "expected"), ELEMENT_ROWS)
def test_action_and_resource_elements(
    statement: dict[str, Any], action: str, resource: str, expected: Decision
) -> None:
    policies = [doc(statement)] if expected is not E else [doc(statement), ALLOW_ALL]
    assert decide(Ask(user(*policies), action, resource)).decision is expected


# --- policy variables ("IAM policy elements: Variables and tags") ----------------------------------------------

VARIABLE_ROWS: list[tuple[str, dict[str, Any], str, Decision]] = [
    ("arn:aws:sqs:*:*:${aws:username}-*", {"aws:username": "ana"}, "arn:aws:sqs:us-east-1:1:ana-jobs", A),
    ("arn:aws:sqs:*:*:${aws:username}-*", {"aws:username": "ana"}, "arn:aws:sqs:us-east-1:1:bob-jobs", IMP),
    ("arn:aws:sqs:*:*:${aws:username}-*", {}, "arn:aws:sqs:us-east-1:1:ana-jobs", IMP),  # absent: matches nothing
    ("arn:aws:sqs:*:*:${aws:PrincipalTag/team}", {"aws:PrincipalTag/team": "red"}, "arn:aws:sqs:r:1:red", A),
    ("arn:aws:sqs:*:*:${aws:PrincipalTag/team}", {"aws:PrincipalTag/team": "red"}, "arn:aws:sqs:r:1:blue", IMP),
    ("arn:aws:sqs:*:*:${aws:PrincipalTag/team, 'shared'}", {}, "arn:aws:sqs:r:1:shared", A),  # default value
    ("arn:aws:sqs:*:*:${aws:PrincipalTag/team, 'shared'}", {}, "arn:aws:sqs:r:1:red", IMP),
    ("arn:aws:sqs:*:*:literal-${*}", {}, "arn:aws:sqs:r:1:literal-*", A),  # ${*} is a literal star
    ("arn:aws:sqs:*:*:literal-${*}", {}, "arn:aws:sqs:r:1:literal-x", IMP),
    ("arn:aws:sqs:*:*:q${?}", {}, "arn:aws:sqs:r:1:q?", A),
    ("arn:aws:sqs:*:*:${aws:username}", {"aws:username": "a*"}, "arn:aws:sqs:r:1:abc", IMP),  # values are literal
    ("arn:aws:sqs:*:*:${aws:userid}", {"aws:userid": "AIDAEXAMPLE"}, "arn:aws:sqs:r:1:AIDAEXAMPLE", A),
]


@pytest.mark.parametrize(("resource", "keys", "requested", "expected"), VARIABLE_ROWS)
def test_policy_variables_in_resource(resource: str, keys: dict[str, Any], requested: str, expected: Decision) -> None:
    assert decide(Ask(user(doc(stmt(resource=resource)), keys=keys), "sqs:SendMessage", requested)).decision is expected


def test_variables_need_version_2012() -> None:
    resource = "arn:aws:sqs:*:*:${aws:username}"
    old = doc(stmt(resource=resource), version="2008-10-17")
    keys = {"aws:username": "ana"}
    assert decide(Ask(user(old, keys=keys), "sqs:SendMessage", "arn:aws:sqs:r:1:ana")).decision is IMP
    assert decide(Ask(user(old, keys=keys), "sqs:SendMessage", "arn:aws:sqs:r:1:${aws:username}")).allowed


def test_variables_in_conditions() -> None:
    policy = doc(stmt(Condition={"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}))
    assert decide(
        Ask(user(policy, keys={"aws:username": "ana"}), "sqs:SendMessage", QUEUE, {"aws:ResourceTag/owner": "ana"})
    ).allowed
    refused = Ask(
        user(policy, keys={"aws:username": "bob"}), "sqs:SendMessage", QUEUE, {"aws:ResourceTag/owner": "ana"}
    )
    assert decide(refused).decision is IMP


# --- the evaluation logic: identity, resource, boundary and session policies; same account and across ----------
# (case, identity, resource policy, resource account, expected decision, deciding policy type)

ROLE_GRANT = rp({"AWS": ROLE_ARN})
SESSION_GRANT = rp({"AWS": SESSION_ARN})
USER_GRANT = rp({"AWS": USER_ARN})
ACCOUNT_GRANT = rp({"AWS": ACCT})
ROOT_GRANT = rp({"AWS": f"arn:aws:iam::{ACCT}:root"})
STAR_GRANT = rp("*")
USER_DENY = rp({"AWS": USER_ARN}, "Deny")
ALL_DENY = rp("*", "Deny")
OTHER_GRANT = rp({"AWS": OTHER})

LOGIC_ROWS: list[tuple[str, Identity, str | None, str | None, Decision, str | None]] = [
    # a single account: identity policies alone
    ("no policy at all", user(), None, None, IMP, IDENTITY),
    ("identity allows", user(ALLOW_SEND), None, None, A, None),
    ("identity allows another action", user(ALLOW_RECEIVE), None, None, IMP, IDENTITY),
    ("identity denies", user(DENY_SEND), None, None, E, IDENTITY),
    ("deny beats allow in one policy", user(doc(stmt(), stmt("Deny"))), None, None, E, IDENTITY),
    ("deny beats allow across policies", user(ALLOW_ALL, DENY_SEND), None, None, E, IDENTITY),
    ("allow in the second policy", user(ALLOW_RECEIVE, ALLOW_SEND), None, None, A, None),
    # a single account: the resource policy's grant (union)
    ("resource grants the user, no identity policy", user(), USER_GRANT, None, A, None),
    ("resource grants *, no identity policy", user(), STAR_GRANT, None, A, None),
    ("resource grants the account: identity must allow", user(), ACCOUNT_GRANT, None, IMP, IDENTITY),
    ("resource grants the root ARN: identity must allow", user(), ROOT_GRANT, None, IMP, IDENTITY),
    ("resource grants the account and identity allows", user(ALLOW_SEND), ACCOUNT_GRANT, None, A, None),
    ("resource grants another account only", user(), OTHER_GRANT, None, IMP, IDENTITY),
    ("resource grants another action", user(), rp({"AWS": USER_ARN}, action="sqs:ReceiveMessage"), None, IMP, IDENTITY),
    ("resource denies the user though identity allows", user(ALLOW_SEND), USER_DENY, None, E, RESOURCE),
    ("resource denies everyone", user(ALLOW_ALL), ALL_DENY, None, E, RESOURCE),
    ("identity denies though resource grants", user(DENY_SEND), USER_GRANT, None, E, IDENTITY),
    # permissions boundaries
    ("boundary allows, identity allows", user(ALLOW_SEND, boundary=ALLOW_ALL), None, None, A, None),
    ("boundary allows, identity silent", user(boundary=ALLOW_ALL), None, None, IMP, IDENTITY),
    ("boundary silent, identity allows", user(ALLOW_SEND, boundary=ALLOW_RECEIVE), None, None, IMP, BOUNDARY),
    ("boundary denies", user(ALLOW_SEND, boundary=doc(stmt(action="*"), stmt("Deny"))), None, None, E, BOUNDARY),
    ("resource grant to the user ignores the boundary", user(boundary=ALLOW_RECEIVE), USER_GRANT, None, A, None),
    (
        "boundary's deny still wins over a resource grant",
        user(boundary=doc(stmt("Deny"))),
        USER_GRANT,
        None,
        E,
        BOUNDARY,
    ),
    ("boundary limits an account grant", user(ALLOW_SEND, boundary=ALLOW_RECEIVE), ACCOUNT_GRANT, None, IMP, BOUNDARY),
    # assumed-role sessions
    ("role policy allows", session(ALLOW_SEND), None, None, A, None),
    ("role policy silent", session(ALLOW_RECEIVE), None, None, IMP, IDENTITY),
    ("session policy allows too", session(ALLOW_SEND, session=[ALLOW_SEND]), None, None, A, None),
    ("session policy does not allow", session(ALLOW_SEND, session=[ALLOW_RECEIVE]), None, None, IMP, SESSION),
    ("session policy alone grants nothing", session(session=[ALLOW_ALL]), None, None, IMP, IDENTITY),
    ("any session policy may allow", session(ALLOW_ALL, session=[ALLOW_RECEIVE, ALLOW_SEND]), None, None, A, None),
    (
        "session policy denies",
        session(ALLOW_ALL, session=[doc(stmt(action="*"), stmt("Deny"))]),
        None,
        None,
        E,
        SESSION,
    ),
    ("empty session policy list limits to nothing", session(ALLOW_ALL, session=[]), None, None, IMP, SESSION),
    ("role boundary limits", session(ALLOW_SEND, boundary=ALLOW_RECEIVE), None, None, IMP, BOUNDARY),
    ("role boundary allows", session(ALLOW_SEND, boundary=ALLOW_ALL), None, None, A, None),
    ("grant to the session ARN stands alone", session(session=[ALLOW_RECEIVE]), SESSION_GRANT, None, A, None),
    ("grant to the session ARN ignores the boundary", session(boundary=ALLOW_RECEIVE), SESSION_GRANT, None, A, None),
    ("grant to the role ARN, no identity policy", session(), ROLE_GRANT, None, A, None),
    (
        "grant to the role ARN is limited by the session policy",
        session(session=[ALLOW_RECEIVE]),
        ROLE_GRANT,
        None,
        IMP,
        IDENTITY,
    ),
    (
        "grant to the role ARN with a session policy allowing it",
        session(session=[ALLOW_SEND]),
        ROLE_GRANT,
        None,
        A,
        None,
    ),
    (
        "grant to the role ARN is limited by the boundary",
        session(boundary=ALLOW_RECEIVE),
        ROLE_GRANT,
        None,
        IMP,
        IDENTITY,
    ),
    ("grant to the account needs the role's policy", session(), ACCOUNT_GRANT, None, IMP, IDENTITY),
    (
        "grant to another role does not apply",
        session(),
        rp({"AWS": f"arn:aws:iam::{ACCT}:role/other"}),
        None,
        IMP,
        IDENTITY,
    ),
    ("resource denies the role's sessions", session(ALLOW_ALL), rp({"AWS": ROLE_ARN}, "Deny"), None, E, RESOURCE),
    # root
    ("root in its own account", Identity.root(ACCT), None, None, A, None),
    ("root ignores having no identity policy", Identity.root(ACCT), OTHER_GRANT, None, A, None),
    ("root is denied by a resource policy's explicit deny", Identity.root(ACCT), ALL_DENY, None, E, RESOURCE),
    ("root of another account needs the resource policy", Identity.root(OTHER), None, ACCT, IMP, RESOURCE),
    ("root of another account granted by account", Identity.root(OTHER), OTHER_GRANT, ACCT, A, None),
    # across accounts: both sides
    ("cross: identity allows, no resource policy", user(ALLOW_SEND), None, OTHER, IMP, RESOURCE),
    ("cross: resource grants the account, identity silent", user(), rp({"AWS": ACCT}), OTHER, IMP, IDENTITY),
    ("cross: resource grants the user, identity silent", user(), USER_GRANT, OTHER, IMP, IDENTITY),
    ("cross: both allow", user(ALLOW_SEND), rp({"AWS": ACCT}), OTHER, A, None),
    ("cross: both allow (user ARN)", user(ALLOW_SEND), USER_GRANT, OTHER, A, None),
    ("cross: both allow (*)", user(ALLOW_SEND), STAR_GRANT, OTHER, A, None),
    ("cross: resource grants a third account", user(ALLOW_SEND), rp({"AWS": "333333333333"}), OTHER, IMP, RESOURCE),
    ("cross: resource denies", user(ALLOW_SEND), rp({"AWS": ACCT}, "Deny"), OTHER, E, RESOURCE),
    ("cross: identity denies", user(DENY_SEND), STAR_GRANT, OTHER, E, IDENTITY),
    ("cross: boundary limits", user(ALLOW_SEND, boundary=ALLOW_RECEIVE), STAR_GRANT, OTHER, IMP, BOUNDARY),
    ("cross: session policy limits", session(ALLOW_SEND, session=[ALLOW_RECEIVE]), STAR_GRANT, OTHER, IMP, SESSION),
    ("cross: session both allow", session(ALLOW_SEND, session=[ALLOW_SEND]), ROLE_GRANT, OTHER, A, None),
    ("cross: grant to the session ARN still needs the role's policy", session(), SESSION_GRANT, OTHER, IMP, IDENTITY),
]


@pytest.mark.parametrize(
    ("case", "identity", "resource_policy", "resource_account", "expected", "policy_type"),
    LOGIC_ROWS,
    ids=[row[0] for row in LOGIC_ROWS],
)
def test_evaluation_logic(
    case: str,
    identity: Identity,
    resource_policy: str | None,
    resource_account: str | None,
    expected: Decision,
    policy_type: str | None,
) -> None:
    verdict = decide(Ask(identity, "sqs:SendMessage", QUEUE, {}, resource_policy, resource_account))
    assert verdict.decision is expected, case
    assert verdict.policy_type == policy_type, case


# --- services as principals (deliveries): only the resource policy speaks --------------------------------------

SNS_TOPIC = f"arn:aws:sns:us-east-1:{ACCT}:events"
SERVICE_ROWS: list[tuple[str | None, dict[str, Any], Decision]] = [
    (None, {"aws:SourceArn": SNS_TOPIC}, IMP),
    (rp({"Service": "sns.amazonaws.com"}), {"aws:SourceArn": SNS_TOPIC}, A),
    (rp({"Service": "events.amazonaws.com"}), {"aws:SourceArn": SNS_TOPIC}, IMP),
    (
        rp({"Service": "sns.amazonaws.com"}, Condition={"ArnEquals": {"aws:SourceArn": SNS_TOPIC}}),
        {"aws:SourceArn": SNS_TOPIC},
        A,
    ),
    (
        rp({"Service": "sns.amazonaws.com"}, Condition={"ArnEquals": {"aws:SourceArn": SNS_TOPIC + "x"}}),
        {"aws:SourceArn": SNS_TOPIC},
        IMP,
    ),
    (
        rp({"Service": "sns.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": ACCT}}),
        {"aws:SourceAccount": ACCT},
        A,
    ),
    (
        rp({"Service": "sns.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": OTHER}}),
        {"aws:SourceAccount": ACCT},
        IMP,
    ),
    (
        rp("*", Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111111111111:*"}}),
        {"aws:SourceArn": SNS_TOPIC},
        A,
    ),
    (rp({"AWS": "*"}), {}, A),
    (rp({"AWS": ACCT}), {}, IMP),  # an account grant is not a grant to a service
    (
        doc(
            stmt(action="sqs:SendMessage", resource=None, Principal={"Service": "sns.amazonaws.com"}),
            stmt("Deny", resource=None, Principal="*", Condition={"ArnNotEquals": {"aws:SourceArn": SNS_TOPIC}}),
        ),
        {"aws:SourceArn": SNS_TOPIC + "-other"},
        E,
    ),
]


@pytest.mark.parametrize(("resource_policy", "context", "expected"), SERVICE_ROWS)
def test_service_principals(resource_policy: str | None, context: dict[str, Any], expected: Decision) -> None:
    verdict = decide(Ask(Identity.service("sns.amazonaws.com"), "sqs:SendMessage", QUEUE, context, resource_policy))
    assert verdict.decision is expected


# --- global keys the engine itself sets -----------------------------------------------------------------------


def test_principal_keys() -> None:
    arn_check = doc(stmt(Condition={"ArnEquals": {"aws:PrincipalArn": ROLE_ARN}}))
    assert decide(Ask(session(arn_check), "sqs:SendMessage", QUEUE)).allowed  # a session's PrincipalArn: its role
    assert decide(Ask(user(arn_check), "sqs:SendMessage", QUEUE)).decision is IMP
    account_check = doc(stmt(Condition={"StringEquals": {"aws:PrincipalAccount": ACCT}}))
    assert decide(Ask(user(account_check), "sqs:SendMessage", QUEUE)).allowed
    kinds = {USER: "User", ROLE_SESSION: "AssumedRole"}
    for kind, name in kinds.items():
        check = doc(stmt(Condition={"StringEquals": {"aws:PrincipalType": name}}))
        identity = user(check) if kind == USER else session(check)
        assert decide(Ask(identity, "sqs:SendMessage", QUEUE)).allowed
    via = doc(stmt(Condition={"Bool": {"aws:ViaAWSService": "false"}}))
    assert decide(Ask(user(via), "sqs:SendMessage", QUEUE)).allowed
    federated = Identity.make(
        FEDERATED,
        ACCT,
        f"arn:aws:sts::{ACCT}:federated-user/bob",
        [doc(stmt(Condition={"StringEquals": {"aws:PrincipalType": "FederatedUser"}}))],
    )
    assert decide(Ask(federated, "sqs:SendMessage", QUEUE)).allowed


def test_principal_tags_and_resource_tags() -> None:
    policy = doc(stmt(Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))
    red = user(policy, keys={"aws:PrincipalTag/team": "red"})
    assert decide(Ask(red, "sqs:SendMessage", QUEUE, {"aws:ResourceTag/team": "red"})).allowed
    assert decide(Ask(red, "sqs:SendMessage", QUEUE, {"aws:ResourceTag/team": "blue"})).decision is IMP
    assert decide(Ask(red, "sqs:SendMessage", QUEUE, {})).decision is IMP


# --- AWS's words ---------------------------------------------------------------------------------------------

MESSAGE_ROWS: list[tuple[Decision, str, str]] = [
    (IMP, IDENTITY, "because no identity-based policy allows the sqs:SendMessage action"),
    (IMP, RESOURCE, "because no resource-based policy allows the sqs:SendMessage action"),
    (IMP, BOUNDARY, "because no permissions boundary allows the sqs:SendMessage action"),
    (IMP, SESSION, "because no session policy allows the sqs:SendMessage action"),
    (E, IDENTITY, "with an explicit deny in an identity-based policy"),
    (E, RESOURCE, "with an explicit deny in a resource-based policy"),
    (E, BOUNDARY, "with an explicit deny in a permissions boundary"),
    (E, SESSION, "with an explicit deny in a session policy"),
]


@pytest.mark.parametrize(("decision", "policy_type", "tail"), MESSAGE_ROWS)
def test_messages(decision: Decision, policy_type: str, tail: str) -> None:
    from gureum.policy import Verdict

    text = Verdict(decision, policy_type).message(USER_ARN, "sqs:SendMessage", QUEUE)
    assert text == f"User: {USER_ARN} is not authorized to perform: sqs:SendMessage on resource: {QUEUE} {tail}"


# --- bad shapes never raise -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        '{"Statement": 5}',
        '{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}',
        "[" * 100_000,
        '{"Statement": {"Effect": "Allow", "Action": {"a": 1}, "Resource": "*"}}',
    ],
)
def test_unreadable_policies_grant_nothing(text: str) -> None:
    verdict = decide(Ask(user(text), "sqs:SendMessage", QUEUE, {}, text))
    assert verdict.decision is IMP


def test_an_unexpected_context_value_denies_without_raising() -> None:
    policy = doc(stmt(Condition={"StringEquals": {"test:Key": "x"}}))
    verdict = decide(Ask(user(policy), "sqs:SendMessage", QUEUE, {"test:Key": 5}))  # type: ignore[dict-item]
    assert verdict.decision is IMP
