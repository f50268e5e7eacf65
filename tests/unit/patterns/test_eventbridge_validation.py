"""PutRule/TestEventPattern validation: every event-ruler error, with the Jackson locations AWS appends.

Locations are written as "the column just after <marker>": Jackson's pointer sits after the last token it
consumed, and a string value is only consumed up to its opening quote until its text is read."""

from __future__ import annotations

import json

import pytest

from gureum.patterns import EventPatternError, EventPatternTooLarge, compile_event_pattern

from ._helpers import eb, eb_error, eb_reason, source_at


def after(pattern: str, marker: str, occurrence: int = 1) -> str:
    """The location suffix for a pointer just past the given occurrence of ``marker`` (single-line patterns)."""
    index = -1
    for _ in range(occurrence):
        index = pattern.index(marker, index + 1)
    return source_at(pattern, 1, index + len(marker) + 1)


# Messages AWS returned, as quoted in public bug reports.
def test_empty_object_message_as_reported_for_put_rule() -> None:
    pattern = '{"source": ["aws.health"], "detail": {}}'
    assert eb_error(pattern) == (
        "Event pattern is not valid. Reason: Empty objects are not allowed"
        '\n at [Source: (String)"{"source": ["aws.health"], "detail": {}}"; line: 1, column: 40]'
    )


def test_string_leaf_message_with_multi_line_location_as_reported() -> None:
    pattern = (
        '{\n  "detail-type": [ "Build Started", "Build Finished" ],\n  "detail": {\n    "pipeline": {\n'
        '      "slug": "some-pipeline"\n    }\n  }\n}'
    )
    assert eb_error(pattern) == (
        'Event pattern is not valid. Reason: "slug" must be an object or an array' + source_at(pattern, 5, 16)
    )


def test_numeric_value_must_be_numeric_column_points_inside_the_string() -> None:
    pattern = '{"price":[{"numeric":["<","100"]}]}'
    assert eb_error(pattern).endswith("Value of < must be numeric" + source_at(pattern, 1, 28))


@pytest.mark.parametrize(
    ("pattern", "reason", "marker"),
    [
        ("[1]", "Filter is not an object", "["),
        ('"abc"', "Filter is not an object", '"'),
        ("5", "Filter is not an object", "5"),
        ('{"source": "aws.ec2"}', '"source" must be an object or an array', ': "'),
        ('{"a": 5}', '"a" must be an object or an array', "5"),
        ('{"a": true}', '"a" must be an object or an array', "true"),
        ('{"a": null}', '"a" must be an object or an array', "null"),
        ("{}", "Empty objects are not allowed", "}"),
        ('{"a": []}', "Empty arrays are not allowed", "]"),
        ('{"a": [["x"]]}', "Match value must be String, number, true, false, or null", "[["),
        ('{"a": [{}]}', "Match expression name not found", "}"),
        ('{"a":[{"foo":"x"}]}', "Unrecognized match type foo", ':"'),
        ('{"a":[{"exactly":"x"}]}', "Unrecognized match type exactly", ':"'),
        ('{"a":[{"prefix":5}]}', "prefix match pattern must be a string", "5"),
        ('{"a":[{"suffix":[]}]}', "suffix match pattern must be a string", '"suffix":['),
        ('{"a":[{"equals-ignore-case":1}]}', "equals-ignore-case match pattern must be a string", "1"),
        ('{"a":[{"wildcard":true}]}', "wildcard match pattern must be a string", "true"),
        ('{"a":[{"cidr":1}]}', "prefix match pattern must be a string", "1"),
        ('{"a":[{"exists":"yes"}]}', "exists match pattern must be either true or false.", ':"'),
        ('{"a":[{"exists":true,"x":1}]}', "Only one key allowed in match expression", "1"),
        ('{"a":[{"prefix":"p","suffix":"s"}]}', "Only one key allowed in match expression", '"suffix":"'),
        ('{"a":[{"equals-ignore-case":"p","b":1}]}', "Only one key allowed in match expression", "1"),
        ('{"a":[{"wildcard":"p*","b":1}]}', "Only one key allowed in match expression", "1"),
        ('{"a":[{"prefix":{}}]}', "Prefix expression name not found", "}"),
        ('{"a":[{"suffix":{}}]}', "Suffix expression name not found", "}"),
        ('{"a":[{"prefix":{"foo":"x"}}]}', "Unsupported prefix pattern: foo", ':"'),
        ('{"a":[{"suffix":{"foo":"x"}}]}', "Unsupported suffix pattern: foo", ':"'),
        ('{"a":[{"prefix":{"equals-ignore-case":5}}]}', "equals-ignore-case match pattern must be a string", "5"),
        ('{"a":[{"prefix":{"equals-ignore-case":"x","b":1}}]}', "Only one key allowed in match expression", "1"),
    ],
)
def test_structure_and_operator_errors(pattern: str, reason: str, marker: str) -> None:
    assert eb_error(pattern) == f"Event pattern is not valid. Reason: {reason}" + after(pattern, marker)


def test_empty_pattern_text_is_not_an_object() -> None:
    assert eb_error("") == "Event pattern is not valid. Reason: Filter is not an object" + source_at("", 1, 1)


@pytest.mark.parametrize(
    ("pattern", "reason", "marker"),
    [
        ('{"a":[{"numeric":5}]}', "Value of numeric must be an array.", "5"),
        ('{"a":[{"numeric":[]}]}', "Invalid member in numeric match: ]", "[]"),
        ('{"a":[{"numeric":[5]}]}', "Invalid member in numeric match: 5", "5"),
        ('{"a":[{"numeric":["!",5]}]}', "Unrecognized numeric range operator: !", "5"),
        ('{"a":[{"numeric":["=","5"]}]}', "Value of equals must be numeric", ',"'),
        ('{"a":[{"numeric":[">",true]}]}', "Value of > must be numeric", "true"),
        ('{"a":[{"numeric":[">="]}]}', "Value of >= must be numeric", "]"),
        ('{"a":[{"numeric":["<=",null]}]}', "Value of <= must be numeric", "null"),
        ('{"a":[{"numeric":["=",5,"<",6]}]}', "Too many elements in numeric expression", '5,"'),
        ('{"a":[{"numeric":["<",5,">",1]}]}', "Too many elements in numeric expression", '5,"'),
        ('{"a":[{"numeric":[">",5,7]}]}', "Bad value in numeric range: 7", "7"),
        ('{"a":[{"numeric":[">",5,">",7]}]}', "Bad numeric range operator: >", '5,">"'),
        ('{"a":[{"numeric":[">",5,"<","7"]}]}', "Value of < must be numeric", '<","'),
        ('{"a":[{"numeric":[">",5,"<",7,8]}]}', "Too many terms in numeric range expression", "8"),
        ('{"a":[{"numeric":[">",7,"<",5]}]}', "Bottom must be less than top", "]"),
        ('{"a":[{"numeric":[">",5,"<=",5]}]}', "Bottom must be less than top", "]"),
        ('{"a":[{"numeric":["<",-6e9]}]}', "Bottom must be less than top", "]"),
        ('{"a":[{"numeric":[">",5e9]}]}', "Bottom must be less than top", "]"),
        ('{"a":[{"numeric":["<",6e9]}]}', "Value must be between -5.0E9 and 5.0E9, inclusive", "]"),
        ('{"a":[{"numeric":["=",-5000000001]}]}', "Value must be between -5.0E9 and 5.0E9, inclusive", "]"),
        ('{"a":[{"numeric":[">",1],"b":2}]}', "Too many elements in numeric expression", "2"),
    ],
)
def test_numeric_errors(pattern: str, reason: str, marker: str) -> None:
    assert eb_error(pattern) == f"Event pattern is not valid. Reason: {reason}" + after(pattern, marker)


def test_numeric_limits_are_inclusive() -> None:
    assert eb({"a": [{"numeric": [">=", -5e9, "<=", 5e9]}]}, {"a": 5e9})
    assert eb({"a": [{"numeric": ["=", 5e9]}]}, {"a": 5000000000})


@pytest.mark.parametrize(
    ("pattern", "reason", "marker"),
    [
        (
            '{"a":[{"anything-but":true}]}',
            "Value of anything-but must be an array or single string/number value.",
            "true",
        ),
        (
            '{"a":[{"anything-but":null}]}',
            "Value of anything-but must be an array or single string/number value.",
            "null",
        ),
        ('{"a":[{"anything-but":{}}]}', "Anything-But expression name not found", "}"),
        ('{"a":[{"anything-but":{"numeric":[1]}}]}', "Unsupported anything-but pattern: numeric", '"numeric":['),
        (
            '{"a":[{"anything-but":{"prefix":{}}}]}',
            "Value of anything-but must be an array or single string/number value.",
            ':{"prefix":{',
        ),
        (
            '{"a":[{"anything-but":[]}]}',
            "Inside anything but list, either all values are number or string, mixed type is not supported",
            "]",
        ),
        (
            '{"a":[{"anything-but":["x",1]}]}',
            "Inside anything but list, either all values are number or string, mixed type is not supported",
            "]",
        ),
        ('{"a":[{"anything-but":[6e9]}]}', "Value must be between -5.0E9 and 5.0E9, inclusive", "6e9"),
        ('{"a":[{"anything-but":{"prefix":""}}]}', "Null prefix/suffix not allowed", '""'),
        ('{"a":[{"anything-but":{"prefix":5}}]}', "prefix/suffix match pattern must be a string", "5"),
        ('{"a":[{"anything-but":{"suffix":2.5}}]}', "prefix/suffix match pattern must be a string", "2.5"),
        (
            '{"a":[{"anything-but":{"equals-ignore-case":1}}]}',
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
            "1",
        ),
        ('{"a":[{"anything-but":{"wildcard":1}}]}', "wildcard match pattern must be a string", "1"),
        ('{"a":[{"anything-but":{"wildcard":"a**"}}]}', "Consecutive wildcard characters at pos 2", '"a**"'),
        ('{"a":[{"anything-but":{"wildcard":["x*","a\\\\q"]}}]}', "Invalid escape character at pos 2", "]"),
        ('{"a":[{"anything-but":"x","b":1}]}', "Too many elements in numeric expression", "1"),
        ('{"a":[{"anything-but":{"prefix":"x","b":1}}]}', "Too many elements in numeric expression", "1"),
    ],
)
def test_anything_but_errors(pattern: str, reason: str, marker: str) -> None:
    assert eb_error(pattern) == f"Event pattern is not valid. Reason: {reason}" + after(pattern, marker)


@pytest.mark.parametrize(
    ("pattern", "reason", "marker"),
    [
        ('{"a":[{"anything-but":[true]}]}', "Inside anything but list, start|null|boolean is not supported.", "true"),
        ('{"a":[{"anything-but":{"prefix":["x",""]}}]}', "Null prefix/suffix not allowed", '""'),
        ('{"a":[{"anything-but":{"suffix":["x",1]}}]}', "prefix/suffix match pattern must be a string", "1"),
        (
            '{"a":[{"anything-but":{"equals-ignore-case":[null]}}]}',
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
            "null",
        ),
    ],
)
def test_errors_event_ruler_rewraps_carry_the_location_twice(pattern: str, reason: str, marker: str) -> None:
    location = after(pattern, marker)
    assert eb_error(pattern) == f"Event pattern is not valid. Reason: {reason}{location}{location}"


def test_single_anything_but_number_out_of_range_has_no_location() -> None:
    assert eb_error('{"a":[{"anything-but":6e9}]}') == (
        "Event pattern is not valid. Reason: Value must be between -5.0E9 and 5.0E9, inclusive"
    )


@pytest.mark.parametrize(
    ("cidr", "reason"),
    [
        ("10.0.0.0", "Malformed CIDR, one '/' required"),
        ("10.0.0.0/", "Malformed CIDR, one '/' required"),
        ("10.0.0.0/8/8", "Malformed CIDR, one '/' required"),
        ("10.0.0.0/x", "Malformed CIDR, mask bits must be an integer"),
        ("10.0.0.0/-1", "Malformed CIDR, mask bits must not be negative"),
        ("10.0.0.0/32", "IPv4 mask bits must be < 32"),
        ("2001:db8::/128", "IPv6 mask bits must be < 128"),
        ("example.com/8", "Nonstandard IP address: example.com"),
        ("/8", "Nonstandard IP address: "),
        ("300.1.1.1/8", "Invalid IP address: 300.1.1.1"),
        ("1:::2/64", "Invalid IP address: 1:::2"),
    ],
)
def test_cidr_errors_escape_the_parser_without_a_location(cidr: str, reason: str) -> None:
    assert eb_error({"ip": [{"cidr": cidr}]}) == f"Event pattern is not valid. Reason: {reason}"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a**b", "Consecutive wildcard characters at pos 2"),
        ("é**", "Consecutive wildcard characters at pos 3"),  # positions count UTF-8 bytes
        ("a\\qb", "Invalid escape character at pos 2"),
        ("ab\\", "Invalid escape character at pos 3"),
    ],
)
def test_wildcard_syntax_errors(value: str, reason: str) -> None:
    pattern = json.dumps({"a": [{"wildcard": value}]}, ensure_ascii=False)
    assert eb_error(pattern) == f"Event pattern is not valid. Reason: {reason}" + after(
        pattern, json.dumps(value, ensure_ascii=False)
    )


def test_too_complex_wildcards_as_reported_for_an_s3_rule() -> None:
    keys = ["*/datasync/*.bif", "*/datasync/*.tiff", "*/datasync/*.tif", "*/datasync/*.svs"]
    too_many = {"detail": {"object": {"key": [{"wildcard": k} for k in keys]}}}
    assert eb_error(too_many) == (
        "Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer "
        "repeating character sequences after a wildcard character"
    )
    for half in (keys[:2], keys[2:]):
        compile_event_pattern({"detail": {"object": {"key": [{"wildcard": k} for k in half]}}})
    compile_event_pattern({"key": [{"wildcard": k} for k in ("*.bif", "*.tiff", "*.tif", "*.svs")]})


@pytest.mark.parametrize(
    ("pattern", "reason", "marker"),
    [
        ('{"$or":"x"}', "It must be an Array followed with $or.", ':"'),
        ('{"$or":[]}', "There must have at least 2 Objects in $or relationship.", "]"),
        ('{"$or":[{"a":["1"]}]}', "There must have at least 2 Objects in $or relationship.", "}]"),
        ('{"$or":[{"a":["1"]},"b"]}', "Only JSON object is allowed in array of $or relationship.", ',"'),
        (
            '{"$or":[{"numeric":123},{"prefix":"abc"}]}',
            "numeric is Ruler reserved fieldName which cannot be used inside $or.",
            ":123",
        ),
        (
            '{"$or":[{"a":["1"]},{"b":{"=":["2"]}}]}',
            "= is Ruler reserved fieldName which cannot be used inside $or.",
            ":[",
        ),
        ('{"$or":[{"a":["1"]},{"b":[{"prefix":1}]}]}', "prefix match pattern must be a string", ":1"),
    ],
)
def test_or_errors(pattern: str, reason: str, marker: str) -> None:
    location = after(pattern, marker, pattern.count(marker))  # the last occurrence
    assert eb_error(pattern) == f"Event pattern is not valid. Reason: {reason}{location}"


def test_or_that_is_not_an_array_of_objects_is_a_field_name() -> None:
    # Both readings are tried, as event-ruler's addRule does: these are valid rules on a field called "$or".
    assert eb({"$or": ["a", "b"]}, {"$or": "b"})
    assert not eb({"$or": ["a", "b"]}, {"a": "a"})
    assert eb({"$or": [{"prefix": "abc"}, {"suffix": "xyz"}]}, {"$or": "abc-"})
    assert eb({"$or": [1, 2]}, {"$or": 2})


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ('{"a" 1}', "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value"),
        ('{"a":["x",]}', "Unexpected character (']' (code 93)): expected a value"),
        ('{"a":["x"],}', "Unexpected character ('}' (code 125)): was expecting double-quote to start field name"),
        ('{\\"detail\\": {}}', "Unexpected character ('\\' (code 92)): was expecting double-quote to start field name"),
        ('{"a":["x" "y"]}', "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries"),
        (
            '{"a":["x"] "b":["y"]}',
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
        ),
        (
            '{"a":[tru]}',
            "Unrecognized token 'tru': was expecting "
            "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
        ),
        (
            '{"a":[#]}',
            "Unexpected character ('#' (code 35)): expected a valid value "
            "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
        ),
        ('{"a":[01]}', "Invalid numeric value: Leading zeroes not allowed"),
        (
            '{"a":[-x]}',
            "Unexpected character ('x' (code 120)) in numeric value: "
            "expected digit (0-9) to follow minus sign, for valid numeric value",
        ),
        ('{"a":[1.]}', "Unexpected character (']' (code 93)) in numeric value: Decimal point not followed by a digit"),
        (
            '{"a":[1e]}',
            "Unexpected character (']' (code 93)) in numeric value: Exponent indicator not followed by a digit",
        ),
        ('{"a":["\\q"]}', "Unrecognized character escape 'q' (code 113)"),
        ('{"a":["x}', "Unexpected end-of-input: was expecting closing quote for a string value"),
        (
            '{"a":["x"]',
            "Unexpected end-of-input: expected close marker for Object "
            '(start marker at [Source: (String)"{"a":["x"]"; line: 1, column: 1])',
        ),
        (
            '{"a":["x"}',
            "Unexpected close marker '}': expected ']' "
            '(for Array starting at [Source: (String)"{"a":["x"}"; line: 1, column: 6])',
        ),
    ],
)
def test_json_syntax_errors_use_jacksons_wording(pattern: str, reason: str) -> None:
    assert eb_reason(pattern) == reason


def test_text_after_the_pattern_object_is_ignored_as_jackson_stops_reading() -> None:
    assert eb('{"a":["x"]} trailing', {"a": "x"})


def test_pattern_size_quota() -> None:
    big = {"a": ["x" * 3000]}
    with pytest.raises(EventPatternTooLarge):
        compile_event_pattern(big)
    assert compile_event_pattern(big, max_length=None).matches({"a": "x" * 3000})
    compile_event_pattern({"a": ["x" * 2030]})  # 2,041 characters: within the default quota


def test_long_patterns_are_truncated_in_the_location_like_jackson() -> None:
    pattern = '{"a": "' + "y" * 600 + '"}'
    message = eb_error(pattern)
    assert message.endswith(
        f'[Source: (String)"{pattern[:500]}"[truncated {len(pattern) - 500} chars]; line: 1, column: 8]'
    )


def test_dict_patterns_are_serialised_before_compiling() -> None:
    assert eb_error(
        {"source": "aws.ec2"}
    ) == 'Event pattern is not valid. Reason: "source" must be an object or an array' + source_at(
        '{"source": "aws.ec2"}', 1, 13
    )


def test_nesting_beyond_jacksons_limit_is_an_error_not_a_crash() -> None:
    too_deep = (
        "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
        "`StreamReadConstraints.getMaxNestingDepth()`)"
    )
    for pattern in ('{"a":' * 3000, "[" * 5000 + "]" * 5000):
        with pytest.raises(EventPatternError) as info:
            compile_event_pattern(pattern, max_length=None)
        assert info.value.reason in (too_deep, "Filter is not an object")
    deep = '{"a":' * 300 + '["x"]' + "}" * 300
    assert compile_event_pattern(deep, max_length=None).matches(json.loads(deep.replace('["x"]', '"x"')))
