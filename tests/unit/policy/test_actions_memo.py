"""``required`` remembers its answer by the values of the input members it reads: for every operation of every IAM
table, with inputs built from botocore's model (several value sets each, and the members it does not read changed
between calls), the remembered answer is the one computed from the whole input."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.model import Shape

from gureum.policy import actions
from gureum.policy.actions import _required

ACCOUNT = "111111111111"


def _value(shape: Shape, variant: int, depth: int = 0) -> Any:
    kind = shape.type_name
    if kind == "string":
        return [
            f"name-{variant}",
            f"arn:aws:sqs:us-east-1:{ACCOUNT}:q{variant}",
            f"http://localhost:4566/{ACCOUNT}/q{variant}",
            f"/src/key{variant}?versionId=v{variant}",
        ][variant % 4]
    if kind in ("integer", "long"):
        return variant
    if kind == "boolean":
        return variant % 2 == 0
    if kind == "list" and depth < 2:
        return [_value(shape.member, variant + i, depth + 1) for i in range(2)]  # type: ignore[attr-defined]
    if kind == "structure" and depth < 2:
        return {name: _value(member, variant, depth + 1) for name, member in shape.members.items()}  # type: ignore[attr-defined]
    return None


def _inputs(model: Any, operation: str) -> list[dict[str, Any]]:
    shape = model.operation_model(operation).input_shape
    if shape is None:
        return [{}]
    out: list[dict[str, Any]] = [{}]
    for variant in range(4):
        every = {name: _value(member, variant) for name, member in shape.members.items()}
        out.append({k: v for k, v in every.items() if v is not None})
        # only the scalar members (the remembered path), and half of them (absent members)
        scalars = {k: v for k, v in out[-1].items() if not isinstance(v, (dict, list))}
        out += [scalars, dict(list(scalars.items())[variant % 2 :: 2])]
    return out


@pytest.mark.parametrize("service", actions.services())
def test_remembered_requirements_are_computed_ones(service: str) -> None:
    table = actions.table(service)
    assert table is not None
    model = botocore.session.get_session().get_service_model(service)
    for operation in model.operation_names:
        for params in _inputs(model, operation):
            for region in ("us-east-1", "eu-west-1"):
                computed = _required(service, operation, params, region, ACCOUNT, "POST", "/", "AccessDenied")
                assert actions.required(service, operation, params, region, ACCOUNT) == computed, (operation, params)
                assert actions.required(service, operation, params, region, ACCOUNT) == computed, (operation, params)


def test_only_the_members_read_make_a_new_entry() -> None:
    actions._remembered.cache_clear()
    url = f"http://localhost:4566/{ACCOUNT}/orders"
    for body in ("a", "b", "c"):
        found = actions.required("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": body}, "us-east-1", ACCOUNT)
        assert found is not None and found.needs[0].resource == f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
    assert actions._remembered.cache_info().currsize == 1
    other = actions.required("sqs", "SendMessage", {"QueueUrl": url + "2"}, "us-east-1", ACCOUNT)
    assert other is not None and other.needs[0].resource.endswith(":orders2")
    assert actions._remembered.cache_info().currsize == 2
