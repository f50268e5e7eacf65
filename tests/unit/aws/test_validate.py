"""Input validation (aws/validate.py) against the models' constraints: the coral style's messages and counts, the
params style's MissingParameter / InvalidParameterValue, model patterns as each service's Rules ask for them, and
the translation of the models' Java patterns into Python's."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.model import Shape, ShapeResolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gureum.aws.errors import ServiceError
from gureum.aws.specs import load_spec
from gureum.aws.validate import Rules, _check, _Collector, _compile, model_pattern, validate

from ._shapes import Wire, top_level

LOGS = Rules(
    patterns=True,
    pattern_members=frozenset({"logGroupName", "logGroupNamePrefix", "logStreamName", "logStreamNamePrefix"}),
    code="InvalidParameterException",
)


def shape(service: str, operation: str, protocol: str | None = None) -> Shape:
    spec = load_spec(service)
    found = spec.models[protocol or spec.primary].operation_model(operation).input_shape
    assert found is not None
    return found


def refused(given_shape: Shape, params: dict[str, Any], **options: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        validate(given_shape, params, **options)
    return caught.value


def synthetic(members: dict[str, dict[str, Any]], required: tuple[str, ...] = ()) -> Shape:
    """A one-level input structure: {member name: shape definition}."""
    shapes: dict[str, Any] = {
        "Input": {
            "type": "structure",
            "required": list(required),
            "members": {name: {"shape": f"{name}Shape"} for name in members},
        }
    }
    shapes.update({f"{name}Shape": definition for name, definition in members.items()})
    return ShapeResolver(shapes).get_shape_by_name("Input")


# --- the coral style ---------------------------------------------------------------------------------------------


def test_a_missing_required_member_is_null() -> None:
    error = refused(shape("events", "PutRule"), {})
    assert (error.code, error.status) == ("ValidationException", 400)
    assert error.message == (
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
    )
    assert refused(shape("events", "PutRule"), {"Name": None}).message == error.message  # null is absent


def test_length_enum_and_count() -> None:
    error = refused(shape("events", "PutRule"), {"Name": "", "State": "ON", "Description": "d" * 513})
    assert error.message == (
        "3 validation errors detected: "
        "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        "Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: "
        "[ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]; "
        f"Value '{'d' * 513}' at 'description' failed to satisfy constraint: "
        "Member must have length less than or equal to 512"
    )


@pytest.mark.parametrize(
    ("limit", "reason"),
    [
        (0, "Member must have value greater than or equal to 1"),
        (101, "Member must have value less than or equal to 100"),
    ],
)
def test_ranges(limit: int, reason: str) -> None:
    error = refused(shape("events", "ListRules"), {"Limit": limit})
    assert error.message == (
        f"1 validation error detected: Value {limit} at 'limit' failed to satisfy constraint: {reason}"
    )


def test_values_within_their_constraints_pass() -> None:
    validate(shape("events", "ListRules"), {"Limit": 1, "NamePrefix": "a" * 64})
    validate(shape("events", "ListRules"), {"Limit": 100})
    validate(shape("events", "PutRule"), {"Name": "r", "State": "DISABLED", "Description": "d" * 512})
    validate(None, {"Anything": "goes"})  # an operation without input


def test_nested_members_are_named_by_their_path() -> None:
    error = refused(shape("events", "PutTargets"), {"Rule": "r", "Targets": [{"Input": "{}"}]})
    assert error.message == (
        "2 validation errors detected: "
        "Value null at 'targets.1.member.id' failed to satisfy constraint: Member must not be null; "
        "Value null at 'targets.1.member.arn' failed to satisfy constraint: Member must not be null"
    )
    error = refused(shape("sns", "Publish", "query"), {"Message": "m", "MessageAttributes": {"colour": {}}})
    assert "Value null at 'messageAttributes.colour.member.dataType'" in error.message


def test_list_length_and_an_empty_list_shown_as_a_value() -> None:
    error = refused(shape("events", "PutEvents"), {"Entries": []})
    assert error.message == (
        "1 validation error detected: Value [] at 'entries' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_a_blob_is_shown_as_javas_byte_buffer() -> None:
    error = refused(shape("kms", "Encrypt"), {"KeyId": "k", "Plaintext": b""})
    assert error.message == (
        "1 validation error detected: Value java.nio.HeapByteBuffer at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_at_most_ten_errors_are_listed_but_all_are_counted() -> None:
    error = refused(shape("logs", "FilterLogEvents"), {"logStreamNames": [""] * 12})
    assert error.message.startswith("12 validation errors detected: ")
    assert error.message.count("failed to satisfy constraint") == 10
    assert "'logStreamNames.10.member'" in error.message and "'logStreamNames.11.member'" not in error.message


def test_query_protocol_services_answer_validation_error() -> None:
    params = {"RoleName": "r" * 65, "AssumeRolePolicyDocument": "{}"}
    error = refused(shape("iam", "CreateRole"), params, protocol="query")
    assert error.code == "ValidationError"
    assert error.message == (
        f"1 validation error detected: Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )


def test_a_services_own_code_overrides_the_protocols() -> None:
    error = refused(shape("logs", "CreateLogGroup"), {"logGroupName": ""}, rules=LOGS)
    assert error.code == "InvalidParameterException"
    assert error.message.startswith("1 validation error detected: Value '' at 'logGroupName' failed to satisfy")
    assert refused(shape("iam", "ListRoles"), {"MaxItems": 0}, rules=Rules(code="Custom"), protocol="query").code == (
        "Custom"
    )


# --- the params style --------------------------------------------------------------------------------------------

PARAMS = Rules(style="params")


def test_params_style_missing_parameter() -> None:
    error = refused(shape("sqs", "CreateQueue"), {}, rules=PARAMS)
    assert (error.code, error.type_name, error.status) == ("MissingParameter", "MissingRequiredParameterException", 400)
    assert error.message == "The request must contain the parameter QueueName."


def test_params_style_names_a_nested_parameter_as_the_client_sent_it() -> None:
    params = {"QueueUrl": "u", "Entries": [{"Id": "a", "ReceiptHandle": "h"}, {"Id": "b"}]}
    error = refused(shape("sqs", "ChangeMessageVisibilityBatch"), params, rules=PARAMS)
    assert error.message == "The request must contain the parameter Entries.2.ReceiptHandle."


def test_params_style_invalid_parameter_value() -> None:
    error = refused(shape("events", "ListRules"), {"Limit": 0}, rules=PARAMS)
    assert (error.code, error.type_name) == ("InvalidParameterValue", "InvalidParameterValueException")
    assert error.message.startswith("Value 0 for parameter ")
    assert error.message.endswith(" is invalid. Reason: Member must have value greater than or equal to 1.")


def test_params_style_invalid_value_names_the_parameter_as_the_client_sent_it() -> None:
    error = refused(shape("events", "ListRules"), {"Limit": 0}, rules=PARAMS)
    assert error.message == (
        "Value 0 for parameter Limit is invalid. Reason: Member must have value greater than or equal to 1."
    )


def test_params_style_reports_the_first_problem_only_and_ignores_enums() -> None:
    error = refused(shape("events", "PutRule"), {"State": "ON", "Description": "d" * 513}, rules=PARAMS)
    assert error.code == "MissingParameter" and error.message == "The request must contain the parameter Name."
    validate(shape("events", "PutRule"), {"Name": "r", "State": "ON"}, rules=PARAMS)


# --- model patterns: on, off, exempt operations, chosen members --------------------------------------------------

BAD_NAME = {"Name": "bad name!"}
NAME_PATTERN = r"[\.\-_A-Za-z0-9]+"


def test_patterns_are_not_checked_unless_the_service_asks() -> None:
    validate(shape("events", "PutRule"), BAD_NAME)
    validate(shape("events", "PutRule"), BAD_NAME, rules=Rules(code="X"))


def test_patterns_when_the_service_asks() -> None:
    error = refused(shape("events", "PutRule"), BAD_NAME, rules=Rules(patterns=True), operation="PutRule")
    assert error.message == (
        "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
    )
    validate(shape("events", "PutRule"), {"Name": "good.name_-1"}, rules=Rules(patterns=True))


def test_an_exempt_operation_skips_patterns_and_keeps_the_other_constraints() -> None:
    rules = Rules(patterns=True, pattern_exempt=frozenset({"PutRule"}))
    validate(shape("events", "PutRule"), BAD_NAME, rules=rules, operation="PutRule")
    assert refused(shape("events", "PutRule"), {"Name": "x" * 65}, rules=rules, operation="PutRule")
    assert refused(shape("events", "PutRule"), BAD_NAME, rules=rules, operation="PutTargets")


def test_pattern_members_limit_which_patterns_are_checked() -> None:
    # logGroupIdentifier has a pattern too, but Logs checks only the members it names
    validate(shape("logs", "FilterLogEvents"), {"logGroupIdentifier": "a b"}, rules=LOGS)
    assert refused(shape("logs", "FilterLogEvents"), {"logGroupIdentifier": "a b"}, rules=Rules(patterns=True))
    error = refused(shape("logs", "FilterLogEvents"), {"logGroupName": "a b"}, rules=LOGS)
    assert error.message.endswith(r"Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+")


def test_pattern_members_are_matched_at_any_depth() -> None:
    shapes = {
        "Input": {"type": "structure", "members": {"Outer": {"shape": "Outer"}}},
        "Outer": {"type": "structure", "members": {"name": {"shape": "Name"}, "other": {"shape": "Name"}}},
        "Name": {"type": "string", "pattern": "[a-z]+"},
    }
    deep = ShapeResolver(shapes).get_shape_by_name("Input")
    rules = Rules(patterns=True, pattern_members=frozenset({"name"}))
    validate(deep, {"Outer": {"name": "ok", "other": "NOT OK"}}, rules=rules)
    error = refused(deep, {"Outer": {"name": "NOT OK"}}, rules=rules)
    assert "at 'outer.name'" in error.message


def test_an_empty_value_is_not_matched_against_the_pattern() -> None:
    validate(synthetic({"Name": {"type": "string", "pattern": "[a-z]+"}}), {"Name": ""}, rules=Rules(patterns=True))


def test_an_inexpressible_pattern_is_not_checked() -> None:
    loose = synthetic({"Name": {"type": "string", "pattern": r"\h+", "max": 3}})
    validate(loose, {"Name": "a b"}, rules=Rules(patterns=True))
    assert refused(loose, {"Name": "four"}, rules=Rules(patterns=True))  # its other constraints still hold


# --- Java patterns in Python -------------------------------------------------------------------------------------

TAG_KEY = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"  # IAM's and STS's tagKeyType


@pytest.mark.parametrize("key", ["plain", "키 이름", "café ñ 3", "Ⅻ½", "a.b:c/d=e+f-g@h_i", "non\u00a0breaking"])
def test_unicode_letter_separator_number_classes_accept_what_java_does(key: str) -> None:
    pattern = model_pattern(TAG_KEY)
    assert pattern is not None and pattern.fullmatch(key)
    validate(
        shape("iam", "TagRole"), {"RoleName": "r", "Tags": [{"Key": key, "Value": "v"}]}, rules=Rules(patterns=True)
    )


@pytest.mark.parametrize("key", ["bang!", "semi;colon", "emoji\U0001f600", "tilde~"])
def test_unicode_letter_separator_number_classes_refuse_what_java_does(key: str) -> None:
    error = refused(
        shape("iam", "TagRole"),
        {"RoleName": "r", "Tags": [{"Key": key, "Value": "v"}]},
        rules=Rules(patterns=True),
        protocol="query",
    )
    assert error.code == "ValidationError"
    expected = "at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: "
    assert expected + TAG_KEY in error.message


@pytest.mark.parametrize("key", ["tab\there", "new\nline"])
def test_separator_class_refuses_control_characters(key: str) -> None:
    pattern = model_pattern(TAG_KEY)
    assert pattern is not None and pattern.fullmatch(key) is None


def test_java_word_and_digit_classes_are_ascii_only() -> None:
    role_name = model_pattern(r"[\w+=,.@-]+")
    assert role_name is not None
    assert role_name.fullmatch("role_name+=,.@-1") and role_name.fullmatch("rôle") is None
    digits = model_pattern(r"\d+")
    assert digits is not None and digits.fullmatch("123") and digits.fullmatch("١٢٣") is None


def test_unicode_escapes_in_model_patterns() -> None:
    path = model_pattern(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")  # IAM's Path
    assert path is not None
    assert path.fullmatch("/") and path.fullmatch("/division_abc/sub/") and path.fullmatch("a/") is None


@pytest.mark.parametrize(
    "java",
    [
        r"\p{Lu}+",  # a Unicode class other than the models' [\p{L}\p{Z}\p{N}…]
        r"[\p{L}]+",
        r"\h+",  # Java's horizontal whitespace
        r"[\w-_]*",  # Logs' ResourceType: a range from a class, which Java reads as a literal '-'
        r"(?<name>x)",  # Java's named group
    ],
)
def test_patterns_python_cannot_express_are_none(java: str) -> None:
    assert model_pattern(java) is None


def test_model_patterns_are_compiled_once() -> None:
    assert model_pattern(NAME_PATTERN) is model_pattern(NAME_PATTERN)


# --- the fast check agrees with the detailed one -----------------------------------------------------------------

OPERATIONS = [
    ("events", "PutRule"),
    ("events", "PutTargets"),
    ("events", "PutEvents"),
    ("logs", "FilterLogEvents"),
    ("logs", "CreateLogGroup"),
    ("iam", "CreateRole"),
    ("iam", "TagRole"),
    ("sqs", "SendMessageBatch"),
]
RULES = [Rules(), Rules(patterns=True), LOGS, PARAMS]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
@pytest.mark.parametrize("rules", RULES, ids=["coral", "patterns", "logs", "params"])
def test_the_compiled_check_finds_a_problem_exactly_when_the_report_does(
    service: str, operation: str, rules: Rules, data: st.DataObject
) -> None:
    input_shape = shape(service, operation)
    params = data.draw(top_level(input_shape, Wire("json")))
    patterns: bool | frozenset[str] = False
    if rules.patterns:
        patterns = True if rules.pattern_members is None else rules.pattern_members
    out = _Collector(rules.style, patterns)
    _check(input_shape, params, "", "", out)
    assert _compile(input_shape, rules.style, patterns)(params) == (not out.errors), out.errors
