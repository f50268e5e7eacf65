"""Unit tests of IAM's pure rules: policy-document grammar, tags, paging."""

from __future__ import annotations

import json

import pytest

from gureum.aws.errors import ServiceError
from gureum.services.iam.model import check_document, drop_tags, encode_document, merge_tags, page


def _doc(**statement: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]})


@pytest.mark.parametrize(
    ("document", "trust", "message"),
    [
        ("[]", False, "Syntax errors in policy."),
        ('{"Version": "2012-10-17", "Statement": []}', False, "Syntax errors in policy."),
        (
            '{"Version": "2012-10-17", "Statement": [], "Extra": 1}',
            False,
            "Syntax errors in policy. Unknown field Extra",
        ),
        ('{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}', False, "Invalid effect: Maybe"),
        (_doc(Resource="*"), False, "Policy statement must contain actions."),
        (_doc(Action="*", Resource="*", Principal="*"), False, "Policy document should not specify a principal."),
        (
            _doc(Action="sts:AssumeRole", Principal={"Service": "x"}, Resource="*"),
            True,
            "Has prohibited field Resource",
        ),
    ],
)
def test_malformed_documents(document: str, trust: bool, message: str) -> None:
    with pytest.raises(ServiceError) as info:
        check_document(document, trust=trust)
    assert (info.value.code, info.value.message) == ("MalformedPolicyDocument", message)


def test_valid_documents() -> None:
    # a single statement object and a missing Version are accepted, as IAM accepts them
    assert check_document('{"Statement": {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b"}}')
    assert check_document(_doc(Action="sts:AssumeRole", Principal={"AWS": "*"}), trust=True)


def test_policy_size_counts_no_whitespace() -> None:
    padded = _doc(Action="sqs:*", Resource="*").replace(",", ",   \n   ")
    assert check_document(padded, limit=len(_doc(Action="sqs:*", Resource="*").replace(" ", "")))
    with pytest.raises(ServiceError) as info:
        check_document(_doc(Action=["sqs:SendMessage"] * 300, Resource="*"), limit=2048)
    assert info.value.code == "LimitExceeded"


def test_url_encoding_matches_aws() -> None:
    assert encode_document('{"a": "b c/d"}') == "%7B%22a%22%3A%20%22b%20c%2Fd%22%7D"


def test_tags_merge_and_drop() -> None:
    tags = merge_tags([{"Key": "a", "Value": "1"}], [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert tags == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    assert drop_tags(tags, ["a", "zz"]) == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ServiceError):
        merge_tags([], [{"Key": "k", "Value": ""}, {"Key": "K", "Value": ""}])


def test_paging() -> None:
    items = list(range(7))
    first = page(items, "Items", None, 3)
    assert first["Items"] == [0, 1, 2] and first["IsTruncated"]
    second = page(items, "Items", first["Marker"], 3)
    third = page(items, "Items", second["Marker"], 3)
    assert second["Items"] == [3, 4, 5] and third == {"Items": [6], "IsTruncated": False}
