"""Resource policy evaluation: principals, actions, resources, explicit deny, and AWS's refusal message."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from gureum.policy import Decision, PolicyError, Principal, Request, evaluate, load, not_authorized, parse

TOPIC = "arn:aws:sns:us-east-1:111111111111:orders"
OWNER, OTHER = "111111111111", "222222222222"
CALLER = Principal.root(OTHER)


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def allow(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sns:Publish", "Resource": TOPIC, **fields}


def deny(**fields: Any) -> dict[str, Any]:
    return {**allow(**fields), "Effect": "Deny"}


def decide(text: str, principal: Principal = CALLER, action: str = "sns:Publish", resource: str = TOPIC,
           **context: Any) -> Decision:  # fmt: skip
    return evaluate(text, Request(principal, action, resource, {k.replace("__", ":"): v for k, v in context.items()}))


def sns_default_policy(owner: str) -> str:
    """The policy SNS gives every new topic."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["SNS:GetTopicAttributes", "SNS:Publish", "SNS:Subscribe"],
                    "Resource": TOPIC,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
                }
            ],
        }
    )


def test_no_policy_denies() -> None:
    assert decide("") is Decision.IMPLICIT_DENY
    assert evaluate(None, Request(CALLER, "sns:Publish", TOPIC)) is Decision.IMPLICIT_DENY


def test_the_default_topic_policy_grants_only_the_owner_account() -> None:
    text = sns_default_policy(OWNER)
    assert decide(text, aws__SourceOwner=OTHER) is Decision.IMPLICIT_DENY
    assert decide(text, Principal.root(OWNER), aws__SourceOwner=OWNER) is Decision.ALLOW


@pytest.mark.parametrize(
    "principal",
    [
        OTHER,
        f"arn:aws:iam::{OTHER}:root",
        [OTHER, "333333333333"],
        "*",
    ],
)
def test_principal_naming_the_account(principal: Any) -> None:
    assert decide(policy(allow(Principal={"AWS": principal}))) is Decision.ALLOW


def test_principal_star_forms() -> None:
    assert decide(policy(allow(Principal="*"))) is Decision.ALLOW
    assert decide(policy(allow(Principal="*")), Principal()) is Decision.ALLOW  # anonymous too


def test_principal_of_another_account_does_not_match() -> None:
    assert decide(policy(allow(Principal={"AWS": "333333333333"}))) is Decision.IMPLICIT_DENY
    assert decide(policy(allow(Principal={"AWS": "arn:aws:iam::333333333333:root"}))) is Decision.IMPLICIT_DENY
    # no partial wildcards in Principal
    assert decide(policy(allow(Principal={"AWS": "arn:aws:iam::*:root"}))) is Decision.IMPLICIT_DENY


def test_user_and_role_principals() -> None:
    user = Principal(OTHER, f"arn:aws:iam::{OTHER}:user/ana")
    session = Principal(OTHER, f"arn:aws:sts::{OTHER}:assumed-role/deployer/ci-42")
    names_user = policy(allow(Principal={"AWS": f"arn:aws:iam::{OTHER}:user/ana"}))
    names_role = policy(allow(Principal={"AWS": f"arn:aws:iam::{OTHER}:role/team/deployer"}))
    assert decide(names_user, user) is Decision.ALLOW
    assert decide(names_user, CALLER) is Decision.IMPLICIT_DENY  # the account's root is not the user
    assert decide(names_user, session) is Decision.IMPLICIT_DENY
    assert decide(names_role, session) is Decision.ALLOW  # a session of the role (its path is not in the ARN)
    assert decide(names_role, user) is Decision.IMPLICIT_DENY
    assert decide(policy(allow(Principal={"AWS": OTHER})), user) is Decision.ALLOW  # the account covers its users


def test_service_principals() -> None:
    s3 = Principal(service="s3.amazonaws.com")
    text = policy(allow(Principal={"Service": "s3.amazonaws.com"}))
    assert decide(text, s3) is Decision.ALLOW
    assert decide(text, Principal(service="events.amazonaws.com")) is Decision.IMPLICIT_DENY
    assert decide(text, CALLER) is Decision.IMPLICIT_DENY
    assert decide(policy(allow(Principal={"Service": ["events.amazonaws.com", "s3.amazonaws.com"]})), s3).allowed


def test_not_principal() -> None:
    text = policy({**deny(), "Principal": None, "NotPrincipal": {"AWS": OTHER}}, allow(Principal="*"))
    text = text.replace('"Principal": null, ', "")
    assert decide(text) is Decision.ALLOW
    assert decide(text, Principal.root("333333333333")) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("sns:Publish", True),
        ("SNS:Publish", True),
        ("sns:publish", True),
        ("sns:*", True),
        ("*", True),
        ("sns:Pub*", True),
        ("sns:Publis?", True),
        ("sns:Subscribe", False),
        (["sns:Subscribe", "sns:Publish"], True),
        ("sqs:*", False),
    ],
)
def test_actions(action: Any, expected: bool) -> None:
    assert decide(policy(allow(Action=action))).allowed is expected


def test_not_action() -> None:
    text = policy({**allow(), "Action": None, "NotAction": "sns:Subscribe"}).replace('"Action": null, ', "")
    assert decide(text).allowed
    assert not decide(text, action="sns:Subscribe").allowed


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (TOPIC, True),
        ("*", True),
        ("arn:aws:sns:*:111111111111:*", True),
        ("arn:aws:sns:us-east-1:111111111111:ord?rs", True),
        ("arn:aws:sns:us-east-1:111111111111:other", False),
        ("arn:aws:sns:us-east-1:111111111111:ORDERS", False),  # resources are case-sensitive
        ([f"{TOPIC}-x", TOPIC], True),
    ],
)
def test_resources(resource: Any, expected: bool) -> None:
    assert decide(policy(allow(Resource=resource))).allowed is expected


def test_not_resource_and_missing_resource() -> None:
    text = policy({**allow(), "Resource": None, "NotResource": f"{TOPIC}-x"}).replace('"Resource": null, ', "")
    assert decide(text).allowed
    assert not decide(text, resource=f"{TOPIC}-x").allowed
    without = {k: v for k, v in allow().items() if k != "Resource"}
    assert decide(policy(without)).allowed  # the resource the policy is attached to


def test_explicit_deny_wins_in_any_order() -> None:
    assert decide(policy(allow(), deny())) is Decision.EXPLICIT_DENY
    assert decide(policy(deny(), allow())) is Decision.EXPLICIT_DENY
    assert decide(policy(deny(Action="sns:Subscribe"), allow())) is Decision.ALLOW
    assert decide(policy(deny())) is Decision.EXPLICIT_DENY


def test_statement_as_an_object_and_element_case() -> None:
    assert decide(json.dumps({"Version": "2012-10-17", "Statement": allow()})).allowed
    lowered = {"effect": "Allow", "principal": {"AWS": OTHER}, "action": "sns:Publish", "resource": TOPIC}
    assert decide(json.dumps({"Statement": [lowered]})).allowed


def test_conditions_in_a_statement() -> None:
    text = policy(
        allow(
            Condition={
                "StringEquals": {"aws:SourceAccount": OTHER},
                "ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket-*"},
            }
        )
    )
    assert decide(text, aws__SourceAccount=OTHER, aws__SourceArn="arn:aws:s3:::bucket-1").allowed
    assert not decide(text, aws__SourceAccount=OTHER, aws__SourceArn="arn:aws:s3:::other").allowed
    assert not decide(text, aws__SourceAccount=OTHER).allowed  # a missing key fails a positive operator


def test_condition_keys_are_case_insensitive() -> None:
    text = policy(allow(Condition={"StringEquals": {"AWS:SOURCEACCOUNT": OTHER}}))
    assert decide(text, aws__sourceAccount=OTHER).allowed


def test_principal_keys_come_from_the_principal() -> None:
    text = policy(allow(Principal="*", Condition={"StringEquals": {"aws:PrincipalAccount": OTHER}}))
    assert decide(text).allowed
    assert not decide(text, Principal.root("333333333333")).allowed


def test_policy_variables_only_in_2012_10_17() -> None:
    resource = "arn:aws:sns:us-east-1:111111111111:${aws:PrincipalAccount}-*"
    user_topic = f"arn:aws:sns:us-east-1:111111111111:{OTHER}-inbox"
    assert decide(policy(allow(Resource=resource)), resource=user_topic).allowed
    assert not decide(policy(allow(Resource=resource), version="2008-10-17"), resource=user_topic).allowed


def test_malformed_policies_grant_nothing() -> None:
    for text in ("{", "[]", '{"Statement": [{"Effect": "Maybe"}]}', "[" * 5000 + "]" * 5000, '{"Statement": 1}'):
        assert load(text).statements == ()
        assert decide(text) is Decision.IMPLICIT_DENY
    deep = '{"Statement": ' + '{"a": ' * 3000 + "1" + "}" * 3001
    assert decide(deep) is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"Statement": [{"Effect": "Allow", "Principal": "*"}]}, "exactly one of Action and NotAction"),
        ({"Statement": [{"Effect": "allow", "Principal": "*", "Action": "*"}]}, "Effect"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": [{"Effect": "Allow", "Principal": 3, "Action": "*"}]}, "Principal"),
        (
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringLike": "x"}}]},
            "StringLike",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"ForSome:Bool": {}}}]},
            "ForSome:Bool",
        ),
    ],
)
def test_parse_errors(document: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError) as refused:
        parse(document)
    assert message in refused.value.message


def test_not_authorized_messages() -> None:
    assert not_authorized(f"arn:aws:iam::{OTHER}:root", "SNS:Publish", TOPIC, Decision.IMPLICIT_DENY) == (
        f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: SNS:Publish on resource: {TOPIC} "
        "because no resource-based policy allows the SNS:Publish action"
    )
    assert not_authorized(f"arn:aws:iam::{OTHER}:root", "SNS:Publish", TOPIC, Decision.EXPLICIT_DENY) == (
        f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: SNS:Publish on resource: {TOPIC} "
        "with an explicit deny in a resource-based policy"
    )


def test_costly_single_character_wildcards_fail_closed() -> None:
    """ "?" in conditions costs work per policy character and request character; past a bound the request is
    refused without evaluating (a policy cannot be made to stall the server, nor to let a request through)."""
    patterns = [f"*a?b{i}*" for i in range(3000)]
    text = policy(allow(Principal="*", Condition={"StringLike": {"sns:Endpoint": patterns}}))
    assert parse(text).single_wildcard_cost == sum(len(p) - 3 for p in patterns)
    assert decide(text, sns__Endpoint="a-b7") is Decision.ALLOW
    started = time.perf_counter()
    assert decide(text, sns__Endpoint="a-b7" + "ab" * 100_000) is Decision.IMPLICIT_DENY
    assert time.perf_counter() - started < 1.0
