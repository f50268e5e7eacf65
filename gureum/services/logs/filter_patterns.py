"""CloudWatch Logs filter patterns ("Filter pattern syntax for metric filters, subscription filters, filter log
events"): compile a pattern once, then ``matches(message)``; ``extract(message)`` also gives the values a
space-delimited pattern names (TestMetricFilter's extractedValues). Pure logic: no I/O, no store.

Three kinds, chosen by the pattern's first character:
- terms: ``ERROR``, ``"exact phrase"``, ``ERROR -Exception`` (exclusion), ``?ERROR ?WARN`` (any of), ``%regex%``;
- JSON: ``{ $.a.b = "x*" && ($.n > 10 || $.f IS TRUE) }``, ``IS NULL``, ``EXISTS`` / ``NOT EXISTS``, ``[n]``/``[*]``;
- space-delimited: ``[ip, user, ..., status=4* || status=5*, size>100]``.

Matching takes time linear in the message: ``%regex%`` runs on RE2 (no backtracking), restricted to the
characters AWS accepts (no groups), at most two per pattern; ``*`` wildcards are matched segment by segment
(gureum.patterns.wildcard.Glob), never through a backtracking regex.
"""

from __future__ import annotations

import operator
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import re2

from gureum.patterns.wildcard import Glob

from ... import safejson


class PatternError(ValueError):
    """The pattern is not valid filter-pattern syntax."""


@dataclass(frozen=True, slots=True)
class FilterPattern:
    text: str
    _match: Callable[[str], dict[str, str] | None]
    # hints a store may use to skip events early (a superset of matches; matches() still decides):
    substrings: tuple[str, ...] = ()  # every matching message contains each of these
    json: bool = False  # only messages that are JSON objects or arrays can match
    regexes: int = 0  # how many %regex% terms it holds (a log group's filters may hold few: REGEX_FILTERS_PER_GROUP)

    def matches(self, message: str) -> bool:
        return self._match(message) is not None

    def extract(self, message: str) -> dict[str, str] | None:
        """None when the message does not match; else the named values ({"$field": value}) of a space-delimited
        pattern."""
        return self._match(message)


def compile_pattern(text: str | None) -> FilterPattern:
    stripped = (text or "").strip()
    if not stripped:
        return FilterPattern("", lambda _message: {})
    regexes = [0]  # how many %regex% terms the pattern holds so far
    if stripped.startswith("{"):
        match = _compile_json(stripped, regexes)
        return FilterPattern(stripped, match, json=True, regexes=regexes[0])
    if stripped.startswith("["):
        match = _compile_delimited(stripped, regexes)
        return FilterPattern(stripped, match, regexes=regexes[0])
    substrings: list[str] = []
    match = _compile_terms(stripped, substrings, regexes)
    return FilterPattern(stripped, match, tuple(substrings), regexes=regexes[0])


# --- values: wildcards, numbers and regular expressions ----------------------------------------------

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


# "Supported regular expressions (regex) syntax" (regex-expressions.html): letters, digits, the symbols
# : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + . -- no parentheses, no multi-byte characters.
# AWS answers anything else with "Invalid character(s) in term" (escaping "(" does not help; \\x28 does).
_REGEX_CHARACTERS = frozenset(string.ascii_letters + string.digits + ":_#=@/;,-" + "^$?[]{}|\\*+.")
MAX_REGEXES = 2  # regular expressions in one filter pattern (the PutMetricFilter quota)
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 8 << 20  # a compiled program past 8 MB is refused: "pattern too large"


class _Regex:
    """A ``%regex%`` term compiled by RE2: search and fullmatch in time linear in the text."""

    __slots__ = ("_compiled",)

    def __init__(self, body: str) -> None:
        if not body or not _REGEX_CHARACTERS.issuperset(body):
            raise PatternError(f"Invalid character(s) in term '%{body}%'")
        try:
            self._compiled = re2.compile(body, _RE2_OPTIONS)
        except re2.error as exc:
            raise PatternError(f"Invalid regular expression: {body}") from exc

    def search(self, text: str) -> bool:
        return self._compiled.search(text) is not None


def _regex(body: str, counter: list[int]) -> _Regex:
    counter[0] += 1
    if counter[0] > MAX_REGEXES:
        raise PatternError(f"A filter pattern can contain at most {MAX_REGEXES} regular expressions")
    return _Regex(body)


@dataclass(frozen=True, slots=True)
class _Value:
    """A literal on the right of a comparison."""

    text: str
    quoted: bool
    number: float | None
    glob: Glob | None  # a value with * wildcards
    regex: _Regex | None  # %regex%

    @classmethod
    def parse(cls, raw: str, counter: list[int]) -> _Value:
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            body = raw[1:-1]
            return cls(body, True, None, _wildcard(body), None)
        if len(raw) >= 2 and raw[0] == raw[-1] == "%":
            return cls(raw, False, None, None, _regex(raw[1:-1], counter))
        number = float(raw) if _NUMBER.match(raw) else None
        return cls(raw, False, number, _wildcard(raw) if number is None else None, None)

    def equals(self, actual: Any) -> bool:
        if isinstance(actual, bool) or actual is None or isinstance(actual, (dict, list)):
            return False
        if self.number is not None:
            if isinstance(actual, (int, float)):
                return float(actual) == self.number
            return _as_number(actual) == self.number
        text = _text(actual)
        if self.regex is not None:
            return self.regex.search(text)
        if self.glob is not None:
            return self.glob.fullmatch(text)
        return text == self.text


def _wildcard(body: str) -> Glob | None:
    return Glob(tuple(body.split("*"))) if "*" in body else None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compare(op: str, value: _Value, actual: Any) -> bool:
    if op == "=":
        return value.equals(actual)
    if op == "!=":
        return not value.equals(actual)
    number = _as_number(actual)
    if number is None or value.number is None:
        return False
    return _ORDER[op](number, value.number)


_ORDER: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


# --- terms ---------------------------------------------------------------------------------------------

_TERM = re.compile(r'\s*([?-]?)("(?:[^"\\]|\\.)*"|%[^%]+%|[^\s"]+)')


def _contains(text: str) -> Callable[[str], bool]:
    def test(message: str) -> bool:
        return text in message

    return test


def _compile_terms(text: str, substrings: list[str], regexes: list[int]) -> Callable[[str], dict[str, str] | None]:
    required: list[Callable[[str], bool]] = []
    optional: list[Callable[[str], bool]] = []
    excluded: list[Callable[[str], bool]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TERM.match(text, pos)
        if found is None:
            raise PatternError(f"Invalid character(s) in term '{text[pos:].strip()}'")
        pos = found.end()
        kind, term = found.groups()
        if term.startswith('"'):
            if len(term) < 2 or not term.endswith('"'):
                raise PatternError(f"Unterminated quoted term {term}")
            phrase = term[1:-1].replace('\\"', '"')
            test = _contains(phrase)
            if not kind:
                substrings.append(phrase)
        elif len(term) >= 2 and term.startswith("%") and term.endswith("%"):
            test = _regex(term[1:-1], regexes).search
        else:
            test = _contains(term)
            if not kind:
                substrings.append(term)
        {"": required, "?": optional, "-": excluded}[kind].append(test)

    def match(message: str) -> dict[str, str] | None:
        for test in required:
            if not test(message):
                return None
        if optional and not any(test(message) for test in optional):
            return None
        for test in excluded:
            if test(message):
                return None
        return {}

    return match


# --- JSON ---------------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""\s*(?:
        (?P<selector>\$(?:\.(?:[A-Za-z0-9_@\-:]+|\*)|\[(?:\d+|\*)\])*)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<regex>%[^%]+%)
      | (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\})
      | (?P<word>[^\s()&|=!<>{}"]+)
    )""",
    re.VERBOSE,
)


def _json_tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = _JSON_TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise PatternError(f"Invalid JSON filter pattern near '{text[pos:].strip()}'")
        pos = match.end()
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
    return tokens


def _select(doc: Any, selector: str) -> list[Any]:
    """Every value the selector reaches ([*] and .* fan out); [] when the path does not exist."""
    current = [doc]
    for step in re.findall(r"\.([^.\[]+)|\[(\d+|\*)\]", selector[1:]):
        name, index = step
        nxt: list[Any] = []
        for value in current:
            if name == "*" or index == "*":
                if isinstance(value, dict):
                    nxt.extend(value.values())
                elif isinstance(value, list):
                    nxt.extend(value)
            elif name:
                if isinstance(value, dict) and name in value:
                    nxt.append(value[name])
            elif isinstance(value, list) and int(index) < len(value):
                nxt.append(value[int(index)])
        current = nxt
    return current


class _JsonParser:
    def __init__(self, tokens: list[tuple[str, str]], regexes: list[int]) -> None:
        self.tokens = tokens
        self.regexes = regexes
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1].upper() != expected):
            raise PatternError(f"Invalid JSON filter pattern: expected {expected or 'more'}")
        self.pos += 1
        return token

    def parse_or(self) -> Callable[[Any], bool]:
        parts = [self.parse_and()]
        while (token := self.peek()) is not None and token[1] == "||":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))

    def parse_and(self) -> Callable[[Any], bool]:
        parts = [self.parse_unary()]
        while (token := self.peek()) is not None and token[1] == "&&":
            self.take()
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else (lambda doc: all(p(doc) for p in parts))

    def parse_unary(self) -> Callable[[Any], bool]:
        token = self.take()
        if token[1] == "(":
            inner = self.parse_or()
            self.take(")")
            return inner
        if token[0] != "selector":
            raise PatternError(f"Invalid JSON filter pattern: expected a selector ($.field), got {token[1]}")
        selector = token[1]
        kind, word = self.take()
        upper = word.upper()
        if kind == "word" and upper == "IS":
            what = self.take()[1].upper()
            expected: dict[str, Callable[[Any], bool]] = {
                "NULL": lambda v: v is None,
                "TRUE": lambda v: v is True,
                "FALSE": lambda v: v is False,
            }
            if what not in expected:
                raise PatternError(f"Invalid JSON filter pattern: IS {what}")
            check = expected[what]
            return lambda doc: any(check(v) for v in _select(doc, selector))
        if kind == "word" and upper == "NOT":
            self.take("EXISTS")
            return lambda doc: not _select(doc, selector)
        if kind == "word" and upper == "EXISTS":
            return lambda doc: bool(_select(doc, selector))
        if kind != "op" or word not in ("=", "!=", "<", ">", "<=", ">="):
            raise PatternError(f"Invalid JSON filter pattern: unexpected {word}")
        value_kind, raw = self.take()
        if value_kind not in ("string", "regex", "word"):
            raise PatternError(f"Invalid JSON filter pattern: expected a value after {word}")
        value = _Value.parse(raw, self.regexes)
        if word in ("<", ">", "<=", ">=") and value.number is None:
            raise PatternError(f"Invalid JSON filter pattern: {word} needs a number")
        return lambda doc: any(_compare(word, value, v) for v in _select(doc, selector))


def _compile_json(text: str, regexes: list[int]) -> Callable[[str], dict[str, str] | None]:
    tokens = _json_tokens(text)
    if len(tokens) < 3 or tokens[0][1] != "{" or tokens[-1][1] != "}":
        raise PatternError("Invalid JSON filter pattern: it must be enclosed in { }")
    parser = _JsonParser(tokens[1:-1], regexes)
    predicate = parser.parse_or()
    if parser.peek() is not None:
        raise PatternError(f"Invalid JSON filter pattern: unexpected {parser.peek()[1]}")  # type: ignore[index]

    def match(message: str) -> dict[str, str] | None:
        stripped = message.strip(" \t\n\r")  # JSON's whitespace
        if not stripped.startswith(("{", "[")):
            return None
        try:
            doc = safejson.loads(stripped)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's stack
            return None
        return {} if predicate(doc) else None

    return match


# --- space-delimited ----------------------------------------------------------------------------------

_ELLIPSIS = "..."
_CONDITION = re.compile(r'^\s*([A-Za-z0-9_$]*)\s*(!=|<=|>=|=|<|>)\s*("(?:[^"\\]|\\.)*"|%[^%]+%|[^\s"]+)\s*$')


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    test: Callable[[str], bool] | None


def _split_top(text: str, sep: str) -> list[str]:
    """Split on sep outside double quotes."""
    parts, current, quoted, i = [], "", False, 0
    while i < len(text):
        if text[i] == '"':
            quoted = not quoted
        if not quoted and text.startswith(sep, i):
            parts.append(current)
            current = ""
            i += len(sep)
            continue
        current += text[i]
        i += 1
    parts.append(current)
    return parts


def _condition(text: str, regexes: list[int]) -> Callable[[str], bool]:
    match = _CONDITION.match(text)
    if match is None:
        raise PatternError(f"Invalid space-delimited filter pattern condition '{text.strip()}'")
    _, op, raw = match.groups()
    value = _Value.parse(raw, regexes)
    if op in ("<", ">", "<=", ">=") and value.number is None:
        raise PatternError(f"Invalid space-delimited filter pattern: {op} needs a number")
    return lambda actual: _compare(op, value, actual)


def _field(entry: str, regexes: list[int]) -> _Field | str:
    entry = entry.strip()
    if entry == _ELLIPSIS:
        return _ELLIPSIS
    name_match = re.match(r"^([A-Za-z0-9_$]*)", entry)
    name = name_match.group(1) if name_match else ""
    if entry == name:
        if not name:
            raise PatternError("Invalid space-delimited filter pattern: empty field")
        return _Field(name, None)
    alternatives = [[_condition(part, regexes) for part in _split_top(alt, "&&")] for alt in _split_top(entry, "||")]
    if len(alternatives) == 1 and len(alternatives[0]) == 1:
        return _Field(name, alternatives[0][0])
    return _Field(name, lambda actual: any(all(c(actual) for c in conj) for conj in alternatives))


_FIELD = re.compile(r'"([^"]*)"|\[([^\]]*)\]|(\S+)')


def split_fields(message: str) -> list[str]:
    """A log line's space-delimited fields; "quoted" and [bracketed] runs are one field each (without the marks)."""
    return [quoted or bracketed or bare for quoted, bracketed, bare in _FIELD.findall(message)]


def _fits(segment: list[_Field], fields: list[str], at: int) -> bool:
    for spec in segment:
        if spec.test is not None and not spec.test(fields[at]):
            return False
        at += 1
    return True


def _compile_delimited(text: str, regexes: list[int]) -> Callable[[str], dict[str, str] | None]:
    if not text.endswith("]"):
        raise PatternError("Invalid space-delimited filter pattern: it must be enclosed in [ ]")
    body = text[1:-1]
    specs = [_field(entry, regexes) for entry in _split_top(body, ",")] if body.strip() else []
    # fields between ellipses: the first is anchored at the start, the last at the end, and each middle one
    # placed leftmost (placing a run as early as possible never prevents a later run from fitting)
    segments: list[list[_Field]] = [[]]
    for spec in specs:
        if spec == _ELLIPSIS:
            segments.append([])
        else:
            assert isinstance(spec, _Field)
            segments[-1].append(spec)
    head, middle, tail = segments[0], segments[1:-1], segments[-1]
    anchored = len(segments) == 1
    minimum = sum(len(segment) for segment in segments)

    def match(message: str) -> dict[str, str] | None:
        fields = split_fields(message)
        n = len(fields)
        if (anchored and n != minimum) or n < minimum or not _fits(head, fields, 0):
            return None
        placed = [(head, 0)]
        pos = len(head)
        if not anchored:
            end = n - len(tail)
            for segment in middle:
                while pos + len(segment) <= end and not _fits(segment, fields, pos):
                    pos += 1
                if pos + len(segment) > end:
                    return None
                placed.append((segment, pos))
                pos += len(segment)
            if not _fits(tail, fields, end):
                return None
            placed.append((tail, end))
        return {f"${spec.name}": fields[at + i] for segment, at in placed for i, spec in enumerate(segment)}

    return match
