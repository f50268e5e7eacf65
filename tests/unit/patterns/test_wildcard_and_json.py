"""Wildcard parsing and complexity, and the Jackson-compatible reader's pointer rules."""

from __future__ import annotations

import pytest

from gureum.patterns import wildcard
from gureum.patterns._json import JsonReader, JsonSyntaxError, Tok, char_desc


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("a*b", ["a", wildcard.STAR, "b"]),
        ("\\*", ["*"]),
        ("\\\\*", ["\\", wildcard.STAR]),
        ("\\**", ["*", wildcard.STAR]),
        ("*", [wildcard.STAR]),
        ("", []),
    ],
)
def test_parse(text: str, tokens: list[object]) -> None:
    assert wildcard.parse(text) == tokens


def test_regex_is_anchored_and_literal() -> None:
    regex = wildcard.compile_wildcard("a+(b)*")
    assert regex.fullmatch("a+(b)") and regex.fullmatch("a+(b)zzz")
    assert not regex.fullmatch("aa(b)") and not regex.fullmatch("xa+(b)")


def test_complexity_counts_live_states_weighted_by_pattern() -> None:
    assert wildcard.complexity([["Simple*Service"]]) <= 2
    assert wildcard.complexity([["*/lib/*"]]) <= 4
    # each star state stays alive once reached, so many stars in one operand add up
    assert wildcard.complexity([["*a*b*c*d*e*f*g*h*i*j*k*"]]) > wildcard.COMPLEXITY_LIMIT
    # operands sharing a literal prefix share its states
    assert wildcard.complexity([["abc*"], ["abd*"]]) <= 4


def test_complexity_stops_once_over_the_limit() -> None:
    many = [[f"*{i}*x"] for i in range(40)]
    assert wildcard.COMPLEXITY_LIMIT < wildcard.complexity(many, limit=10) < 200


def read_all(text: str) -> list[tuple[str, str, int]]:
    reader, out = JsonReader(text), []
    while (token := reader.next_token()) is not None:
        out.append((token.name, reader.text(), reader.pos))
        if not reader._stack:
            break
    return out


def test_tokens_and_pointer_positions() -> None:
    assert read_all('{"a": ["x", -1.5e3, true, null, {}]}') == [
        ("START_OBJECT", "{", 1),
        ("FIELD_NAME", "a", 7),  # the value's "[" is already consumed
        ("START_ARRAY", "[", 7),
        ("STRING", "x", 10),  # reading the text moves past the closing quote
        ("FLOAT", "-1.5e3", 18),
        ("TRUE", "true", 24),
        ("NULL", "null", 30),
        ("START_OBJECT", "{", 33),
        ("END_OBJECT", "}", 34),
        ("END_ARRAY", "]", 35),
        ("END_OBJECT", "}", 36),
    ]


def test_unread_strings_leave_the_pointer_after_the_opening_quote() -> None:
    reader = JsonReader('{"key": "value"}')
    assert reader.next_token() is Tok.START_OBJECT
    assert reader.next_token() is Tok.FIELD_NAME
    assert reader.pos == len('{"key": "')
    assert reader.next_token() is Tok.STRING
    assert reader.pos == len('{"key": "')
    assert reader.next_token() is Tok.END_OBJECT  # the unread string is skipped


def test_escapes_are_decoded() -> None:
    reader = JsonReader('["a\\"b\\u00e9\\n"]')
    reader.next_token()
    reader.next_token()
    assert reader.text() == 'a"bé\n'


def test_lines_count_crlf_once() -> None:
    with pytest.raises(JsonSyntaxError) as info:
        read_all('{\r\n"a":\r\n\r\n x}')
    assert info.value.location.endswith("line: 4, column: 3]")


@pytest.mark.parametrize(
    ("ch", "desc"),
    [
        ("a", "'a' (code 97)"),
        ("\n", "(CTRL-CHAR, code 10)"),
        ("é", "'é' (code 233)"),
        ("€", "'€' (code 8364 / 0x20ac)"),
    ],
)
def test_char_desc(ch: str, desc: str) -> None:
    assert char_desc(ch) == desc
