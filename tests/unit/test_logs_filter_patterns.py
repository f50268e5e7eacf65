"""CloudWatch Logs filter patterns: terms, JSON and space-delimited (gureum/services/logs/filter_patterns.py)."""

from __future__ import annotations

import json

import pytest

from gureum.services.logs.filter_patterns import PatternError, compile_pattern, split_fields


def m(pattern: str, message: str) -> bool:
    return compile_pattern(pattern).matches(message)


def test_empty_pattern_matches_everything() -> None:
    assert m("", "anything") and m("   ", "") and compile_pattern(None).matches("x")


@pytest.mark.parametrize(
    "pattern,message,expected",
    [
        ("ERROR", "[ERROR] disk full", True),
        ("ERROR", "[error] disk full", False),  # case-sensitive
        ("ERROR disk", "ERROR: the disk is full", True),  # every term
        ("ERROR memory", "ERROR: the disk is full", False),
        ('"disk full"', "ERROR: disk full", True),
        ('"disk full"', "ERROR: full disk", False),
        ("ERROR -Exception", "ERROR: boom", True),
        ("ERROR -Exception", "ERROR: Exception boom", False),
        ("?ERROR ?WARN", "WARN low memory", True),
        ("?ERROR ?WARN", "INFO all good", False),
        ("?ERROR ?WARN -test", "ERROR in test", False),
        ('"ERROR" -"retrying"', "ERROR, retrying", False),
        ("%ERR[OR]{0,2}:\\s\\d+%", "ERR: 42", True),  # AWS accepts no groups: "(OR)?" is rejected
        ("%ERR[OR]{0,2}:\\s\\d+%", "ERROR: 42", True),
        ("%ERR[OR]{0,2}:\\s\\d+%", "ERR: x", False),
        ("%^[hc]at%", "hat trick", True),
        ("%[hc]at$%", "the cat", True),
        ("%\\x28x\\x29%", "f(x)", True),  # parentheses written as hex escapes, as AWS advises
    ],
)
def test_terms(pattern: str, message: str, expected: bool) -> None:
    assert m(pattern, message) is expected


DOC = json.dumps(
    {
        "eventType": "UpdateTrail",
        "user": {"id": "abc", "roles": ["admin", "dev"]},
        "latency": 250,
        "ratio": 0.5,
        "ok": True,
        "failed": False,
        "gone": None,
        "items": [{"sku": "a1", "qty": 3}, {"sku": "b2", "qty": 7}],
        "code": "404",
    }
)


@pytest.mark.parametrize(
    "pattern,expected",
    [
        ('{ $.eventType = "UpdateTrail" }', True),
        ("{ $.eventType = UpdateTrail }", True),
        ('{ $.eventType = "Update*" }', True),
        ('{ $.eventType = "*Trail" }', True),
        ('{ $.eventType = "Delete*" }', False),
        ('{ $.eventType != "DeleteTrail" }', True),
        ('{ $.eventType != "UpdateTrail" }', False),
        ('{ $.user.id = "abc" }', True),
        ('{ $.user.roles[0] = "admin" }', True),
        ('{ $.user.roles[1] = "admin" }', False),
        ('{ $.user.roles[*] = "dev" }', True),
        ("{ $.items[*].qty > 5 }", True),
        ('{ $.items[1].sku = "b2" }', True),
        ("{ $.latency > 200 }", True),
        ("{ $.latency >= 250 }", True),
        ("{ $.latency < 250 }", False),
        ("{ $.latency <= 250 }", True),
        ("{ $.latency = 250 }", True),
        ("{ $.latency != 250 }", False),
        ("{ $.ratio < 1 }", True),
        ("{ $.eventType > 1 }", False),  # not a number
        ("{ $.ok IS TRUE }", True),
        ("{ $.failed IS FALSE }", True),
        ("{ $.ok IS FALSE }", False),
        ("{ $.gone IS NULL }", True),
        ("{ $.ok IS NULL }", False),
        ("{ $.missing IS NULL }", False),
        ("{ $.missing NOT EXISTS }", True),
        ("{ $.gone NOT EXISTS }", False),
        ("{ $.user.id EXISTS }", True),
        ("{ $.user.nope EXISTS }", False),
        ('{ $.eventType = "UpdateTrail" && $.latency > 500 }', False),
        ('{ $.eventType = "UpdateTrail" || $.latency > 500 }', True),
        ('{ ($.latency > 500 || $.ok IS TRUE) && $.user.id = "abc" }', True),
        ('{ ($.latency > 500 || $.ok IS FALSE) && $.user.id = "abc" }', False),
        ("{ $.code = 404 }", True),
        ("{ $.eventType = %Update[A-Z]% }", True),
        ("{ $.eventType = %^Delete% }", False),
    ],
)
def test_json(pattern: str, expected: bool) -> None:
    assert m(pattern, DOC) is expected


def test_json_pattern_never_matches_plain_text() -> None:
    assert not m('{ $.a = "x" }', "a = x") and not m("{ $.a NOT EXISTS }", "{not json")


LINE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534'


def test_split_fields_groups_quotes_and_brackets() -> None:
    assert split_fields(LINE) == [
        "127.0.0.1",
        "-",
        "frank",
        "10/Oct/2000:13:25:15 -0700",
        "GET /apache_pb.gif HTTP/1.0",
        "404",
        "1534",
    ]


@pytest.mark.parametrize(
    "pattern,expected",
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code]", False),  # field count must match
        ("[ip, ..., status_code=404, bytes]", True),
        ("[..., status_code=4*, bytes>1000]", True),
        ("[..., status_code=5*, bytes>1000]", False),
        ("[..., bytes<1000]", False),
        ("[ip=127.0.0.1, ...]", True),
        ('[ip, user, username="fr*", ...]', True),
        ("[ip, user, username!=frank, ...]", False),
        ("[..., request=*gif*, status_code, bytes]", True),
        ("[..., status_code=500 || status_code=404, bytes]", True),
        ("[..., status_code>=400 && status_code<500, bytes]", True),
        ("[..., status_code>=400 && status_code<404, bytes]", False),
        ("[...]", True),
        ("[ip, ..., user=frank, bytes]", False),
        ("[ip, ..., user=404, bytes]", True),
    ],
)
def test_space_delimited(pattern: str, expected: bool) -> None:
    assert m(pattern, LINE) is expected


def test_space_delimited_extracts_named_values() -> None:
    values = compile_pattern("[ip, user, username, timestamp, request, status_code=4*, bytes>1000]").extract(LINE)
    assert values == {
        "$ip": "127.0.0.1",
        "$user": "-",
        "$username": "frank",
        "$timestamp": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /apache_pb.gif HTTP/1.0",
        "$status_code": "404",
        "$bytes": "1534",
    }
    assert compile_pattern("[ip, ..., bytes>5000]").extract(LINE) is None


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.a = "x" ',
        "{ $.a >> 1 }",
        "{ a = 1 }",
        "{ $.a > x }",
        "[a, b",
        "[a, b=]",
        '"unterminated',
        "{ $.a IS MAYBE }",
        "%(%",
    ],
)
def test_invalid_patterns(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        "%(a+)+$%",  # groups: AWS supports no parentheses, escaped or not
        "%a\\(b%",
        "%something!%",  # "!" is not among the supported symbols
        "%caf\u00e9%",  # nor are multi-byte characters
        "%a b%",
        "{ $.a = %x(y)% }",
        "[a=%(b)%, c]",
        "%" + "(" * 500 + "a" + ")" * 500 + "%",
        "{ $.a = %x% || $.b = %y% || $.c = %z% }",  # at most two regular expressions per pattern
        "%[a-z]{1000}{1000}%",  # RE2 refuses repetitions past 1000
    ],
)
def test_regex_terms_are_restricted_as_on_aws(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)


@pytest.mark.timeout(10)
def test_matching_takes_linear_time() -> None:
    """The issue's reproductions (minutes of backtracking with Python's re) answer at once."""
    assert not m("%a+a+a+a+a+a+a+a+a+$%", "a" * 50_000 + "!")
    assert m("%[a-z]*[0-9]*x$%", "a" * 100_000 + "x")
    doc = json.dumps({"a": "a" * 100_000})
    assert not m('{ $.a = "*a*a*a*a*a*a*a*a*b" }', doc)
    assert m('{ $.a = "*a*a*a*a*a*a*a*a*" }', doc)
    assert not m("[x=*a*a*a*a*a*a*b]", "a" * 100_000)
    assert not m('{ $.a = "x" }', "[" * 5000 + "]" * 5000)  # nested past Python's stack: no match, no crash
