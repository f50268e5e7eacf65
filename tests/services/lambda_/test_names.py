"""Pure logic, no server: FunctionName forms, alias routing, the FunctionConfiguration document."""

from __future__ import annotations

import pytest

from gureum.aws.errors import ServiceError
from gureum.services.lambda_.aliases import is_alias, pick_version
from gureum.services.lambda_.functions import Function, code_sha256, parse_function_name


@pytest.mark.parametrize(
    "value, qualifier, expected",
    [
        ("fn", None, ("fn", None, None, None)),
        ("fn:7", None, ("fn", "7", None, None)),
        ("fn", "$LATEST", ("fn", "$LATEST", None, None)),
        ("123456789012:function:fn", None, ("fn", None, "123456789012", None)),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn:live", None, ("fn", "live", "123456789012", "eu-west-1")),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn", "3", ("fn", "3", "123456789012", "eu-west-1")),
    ],
)
def test_function_name_forms(
    value: str, qualifier: str | None, expected: tuple[str, str | None, str | None, str | None]
) -> None:
    ref = parse_function_name(value, qualifier)
    assert (ref.name, ref.qualifier, ref.account, ref.region) == expected


@pytest.mark.parametrize(
    "value, qualifier",
    [("", None), ("has space", None), ("fn:1", "2"), ("x" * 65, None), ("arn:aws:s3:::bucket", None)],
)
def test_bad_function_names(value: str, qualifier: str | None) -> None:
    with pytest.raises(ServiceError) as info:
        parse_function_name(value, qualifier)
    assert info.value.code == "InvalidParameterValueException"


def test_alias_routing() -> None:
    assert is_alias("live") and not is_alias("$LATEST") and not is_alias("12") and not is_alias(None)
    assert pick_version({"FunctionVersion": "1"}) == "1"
    assert pick_version({"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 1.0}}}) == "2"
    picks = {
        pick_version({"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.5}}})
        for _ in range(200)
    }
    assert picks == {"1", "2"}


def test_configuration_document() -> None:
    fn = Function("123456789012", "us-east-1", "fn", "$LATEST", "python3.12", "arn:aws:iam::123456789012:role/r",
                  "index.handler", code_sha256(b"zip"), 3, environment={"A": "b"},
                  dead_letter_arn="arn:aws:sqs:us-east-1:123456789012:dlq").revised(0.0)  # fmt: skip
    doc = fn.configuration()
    assert (
        doc["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn"
        and doc["LastModified"] == "1970-01-01T00:00:00.000+0000"
    )
    assert doc["Environment"] == {"Variables": {"A": "b"}} and doc["DeadLetterConfig"]["TargetArn"].endswith(":dlq")
    assert doc["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/fn"} and doc[
        "CodeSha256"
    ] == code_sha256(b"zip")
    assert Function.from_doc(fn.to_doc()) == fn
    published = fn.revised(1.0, version="2")
    assert published.configuration()["FunctionArn"].endswith(":fn:2") and published.revision_id != fn.revision_id
