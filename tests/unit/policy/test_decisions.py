"""Decisions (the per-node memory of verdicts IAM enforcement keeps) answers every question of the evaluation tables
exactly as decide() does, with one Identity object asked many times under different contexts, resources and
resource policies; it remembers across changes of request keys no policy reads, and never across the ones a policy
reads (condition keys and policy variables)."""

from __future__ import annotations

import itertools
from typing import Any

from gureum.policy import Ask, Decisions, Identity, decide, load

from .test_evaluation_table import (
    ACCT,
    ALLOW_SEND,
    LOGIC_ROWS,
    OPERATOR_ROWS,
    OTHER,
    QUEUE,
    SERVICE_ROWS,
    SET_ROWS,
    VARIABLE_ROWS,
    doc,
    rp,
    stmt,
    user,
)


def _asks() -> list[Ask]:
    """Every table's questions, with identities shared wherever a table's policy repeats (so a remembered verdict
    for one context could wrongly answer another) and each question also asked with unrelated keys added."""
    asks: list[Ask] = []
    identities: dict[str, Identity] = {}

    def shared(policy: str, keys: dict[str, Any] | None = None) -> Identity:
        key = policy + repr(sorted((keys or {}).items()))
        if key not in identities:
            identities[key] = user(policy, keys=keys)
        return identities[key]

    for operator, value, policy_value, _ in OPERATOR_ROWS:
        policy = doc(stmt(Condition={operator: {"test:Key": policy_value}}))
        context = {} if value is None else {"test:Key": value}
        asks.append(Ask(shared(policy), "sqs:SendMessage", QUEUE, context))
    for operator, values, policy_values, _ in SET_ROWS:
        policy = doc(stmt(Condition={operator: {"aws:TagKeys": policy_values}}))
        context = {} if values is None else {"aws:TagKeys": values}
        asks.append(Ask(shared(policy), "sqs:SendMessage", QUEUE, context))
    for resource, keys, requested, _ in VARIABLE_ROWS:
        asks.append(Ask(shared(doc(stmt(resource=resource)), keys), "sqs:SendMessage", requested))
        # the same identity, the variable's key given by the request instead (it overrides the identity's)
        asks.append(Ask(shared(doc(stmt(resource=resource))), "sqs:SendMessage", requested, dict(keys)))
    for _, identity, resource_policy, resource_account, _, _ in LOGIC_ROWS:
        for action in ("sqs:SendMessage", "sqs:ReceiveMessage"):
            asks.append(Ask(identity, action, QUEUE, {}, resource_policy, resource_account))
    service = Identity.service("sns.amazonaws.com")
    for resource_policy, context, _ in SERVICE_ROWS:
        asks.append(Ask(service, "sqs:SendMessage", QUEUE, context, resource_policy))
    tagged = doc(stmt(Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))
    for mine, theirs in itertools.product(("red", "blue"), ("red", "blue", None)):
        context = {} if theirs is None else {"aws:ResourceTag/team": theirs}
        asks.append(Ask(shared(tagged, {"aws:PrincipalTag/team": mine}), "sqs:SendMessage", QUEUE, context))
    costly = doc(stmt(Condition={"StringLike": {"test:Key": "a?b?c?d?e"}}))  # '?' wildcards: never remembered
    for value in ("a1b2c3d4e", "abcde", "x" * 5000):
        asks.append(Ask(shared(costly), "sqs:SendMessage", QUEUE, {"test:Key": value}))
    # unrelated keys no policy above reads
    return asks + [
        Ask(
            a.identity,
            a.action,
            a.resource,
            {**a.context, "aws:CurrentTime": "x"},
            a.resource_policy,
            a.resource_account,
        )
        for a in asks
    ]


def test_remembered_verdicts_are_decide_s_verdicts() -> None:
    asks = _asks()
    decisions = Decisions()
    for _ in range(2):  # the second pass is answered from memory
        for ask in asks:
            assert decisions.decide(ask) == decide(ask), ask
    for ask in reversed(asks):
        assert decisions.decide(ask) == decide(ask), ask


def test_a_small_memory_still_answers_right() -> None:
    decisions = Decisions(limit=3)
    for ask in _asks() * 2:
        assert decisions.decide(ask) == decide(ask), ask
        assert len(decisions) <= 3


def test_only_the_keys_a_policy_reads_make_a_new_question() -> None:
    decisions = Decisions()
    plain = user(ALLOW_SEND)
    for second in range(5):  # the time changes, but no policy reads it: one verdict
        decisions.decide(Ask(plain, "sqs:SendMessage", QUEUE, {"aws:CurrentTime": f"2026-01-01T00:00:0{second}Z"}))
    assert len(decisions) == 1
    region = user(doc(stmt(Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})))
    verdicts = [
        decisions.decide(Ask(region, "sqs:SendMessage", QUEUE, {"aws:requestedregion": name, "aws:SourceIp": ip}))
        for name in ("us-east-1", "eu-west-1")
        for ip in ("10.0.0.1", "10.0.0.2")
    ]
    assert [v.allowed for v in verdicts] == [True, True, False, False]
    assert len(decisions) == 3  # the region is read (two questions), the source address is not
    # a resource policy's keys count too: the same identity and resource under a policy reading aws:SourceIp
    by_ip = rp({"AWS": f"arn:aws:iam::{ACCT}:root"}, "Deny", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.2/32"}})
    assert "aws:sourceip" in load(by_ip).reads
    first = decisions.decide(Ask(plain, "sqs:SendMessage", QUEUE, {"aws:SourceIp": "10.0.0.1"}, by_ip))
    second = decisions.decide(Ask(plain, "sqs:SendMessage", QUEUE, {"aws:SourceIp": "10.0.0.2"}, by_ip))
    assert first.allowed and not second.allowed


def test_a_new_identity_object_is_a_new_question() -> None:
    """The authorizer makes a new Identity after every IAM write: a verdict of the old one never answers it."""
    decisions = Decisions()
    before = user(ALLOW_SEND)
    assert decisions.decide(Ask(before, "sqs:SendMessage", QUEUE)).allowed
    after = user(doc(stmt("Deny")))
    assert not decisions.decide(Ask(after, "sqs:SendMessage", QUEUE)).allowed
    assert decisions.decide(Ask(before, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{OTHER}:q", {}, None, OTHER))
    decisions.clear()
    assert len(decisions) == 0


def test_an_unhashable_context_value_is_decided_not_remembered() -> None:
    policy = doc(stmt(Condition={"StringEquals": {"test:Key": "x"}}))
    ask = Ask(user(policy), "sqs:SendMessage", QUEUE, {"test:Key": {"x": 1}})  # type: ignore[dict-item]
    decisions = Decisions()
    assert decisions.decide(ask) == decide(ask)
    assert len(decisions) == 0
