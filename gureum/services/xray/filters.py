"""X-Ray filter expressions, the common forms: ``ok`` / ``error`` / ``fault`` / ``throttle`` (and ``= true|false``),
``responsetime`` and ``duration`` compared with a number, ``http.status`` / ``http.url`` / ``http.method``,
``annotation.<key>``, ``service("name")``, combined with ``AND``, ``OR``, ``!`` and parentheses. A bounded
hand-written parser (no regex, nesting depth and length capped); anything else is refused by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidRequestException, ServiceError

MAX_LENGTH = 2000
MAX_DEPTH = 16
_OPS = ("<=", ">=", "!=", "=", "<", ">")
_WORD_OPS = ("CONTAINS", "BEGINSWITH", "ENDSWITH")


@dataclass
class Facts:
    """What a trace offers the filter."""

    ok: bool = True
    error: bool = False
    fault: bool = False
    throttle: bool = False
    responsetime: float = 0.0
    duration: float = 0.0
    http: dict[str, Any] = field(default_factory=dict)  # status, url, method of the entry segment
    services: set[str] = field(default_factory=set)
    annotations: dict[str, Any] = field(default_factory=dict)


Test = Callable[[Facts], bool]


def _bad(expression: str, why: str) -> ServiceError:
    return InvalidRequestException(f"Invalid filter expression: {why} in {expression[:200]!r}")


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c == '"':
            j = text.find('"', i + 1)
            if j < 0:
                raise _bad(text, "unterminated string")
            out.append(text[i : j + 1])
            i = j + 1
        elif c in "(){},:!<>=":
            two = text[i : i + 2]
            if two in ("<=", ">=", "!="):
                out.append(two)
                i += 2
            else:
                out.append(c)
                i += 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in '(){},:!<>="':
                j += 1
            out.append(text[i:j])
            i = j
    return out


def _literal(token: str) -> Any:
    if token.startswith('"'):
        return token[1:-1]
    if token in ("true", "false"):
        return token == "true"
    try:
        return float(token)
    except ValueError:
        return None


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is None:
        return op == "!="
    if op in _WORD_OPS:
        if not isinstance(left, str) or not isinstance(right, str):
            return False
        return {"CONTAINS": right in left, "BEGINSWITH": left.startswith(right), "ENDSWITH": left.endswith(right)}[op]
    if isinstance(left, bool) or isinstance(right, bool):
        left, right = bool(left), bool(right)
    elif isinstance(left, (int, float)) != isinstance(right, (int, float)):
        return op == "!="
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if isinstance(left, bool):
        return False
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _bad(self.text, "unexpected end")
        self.pos += 1
        return token

    def expression(self, depth: int) -> Test:
        if depth > MAX_DEPTH:
            raise _bad(self.text, "nesting too deep")
        left = self.conjunction(depth)
        while (self.peek() or "").upper() == "OR":
            self.take()
            right = self.conjunction(depth)
            left = (lambda a, b: lambda f: a(f) or b(f))(left, right)
        return left

    def conjunction(self, depth: int) -> Test:
        left = self.unary(depth)
        while (self.peek() or "").upper() == "AND":
            self.take()
            right = self.unary(depth)
            left = (lambda a, b: lambda f: a(f) and b(f))(left, right)
        return left

    def unary(self, depth: int) -> Test:
        token = self.take()
        if token == "!":
            inner = self.unary(depth + 1)
            return lambda f: not inner(f)
        if token == "(":
            inner = self.expression(depth + 1)
            if self.take() != ")":
                raise _bad(self.text, "missing )")
            return inner
        return self.term(token)

    def term(self, token: str) -> Test:
        name = token.lower()
        if name == "service":
            if self.take() != "(":
                raise _bad(self.text, "service needs (")
            wanted = self.take()
            if self.take() != ")" or not wanted.startswith('"'):
                raise _bad(self.text, 'service takes one quoted name: service("name")')
            service = wanted[1:-1]
            return lambda f: service in f.services
        getter = self.getter(name, token)
        op = self.peek()
        if op is None or (op not in _OPS and op.upper() not in _WORD_OPS):
            if name in ("ok", "error", "fault", "throttle"):
                return lambda f: bool(getter(f))
            raise _bad(self.text, f"{token} needs a comparison")
        self.take()
        value = _literal(self.take())
        return lambda f: _compare(getter(f), op.upper(), value)

    def getter(self, name: str, token: str) -> Callable[[Facts], Any]:
        if name in ("ok", "error", "fault", "throttle", "responsetime", "duration"):
            return lambda f: getattr(f, name)
        if name in ("http.status", "http.url", "http.method"):
            key = name.split(".", 1)[1]
            return lambda f: f.http.get(key)
        if name.startswith("annotation.") or name.startswith("annotation["):
            key = token.split(".", 1)[1] if "." in token else token[len("annotation[") : -1]
            return lambda f: f.annotations.get(key)
        raise _bad(
            self.text,
            f"{token} is not a filter gureum supports (ok, error, fault, throttle, responsetime, "
            'duration, http.status/url/method, annotation.<key>, service("name"))',
        )


def compile_filter(expression: str | None) -> Test:
    """A test of a trace's facts; an empty expression keeps every trace."""
    if not expression or not expression.strip():
        return lambda f: True
    if len(expression) > MAX_LENGTH:
        raise _bad(expression, "too long")
    parser = _Parser(expression)
    test = parser.expression(0)
    if parser.peek() is not None:
        raise _bad(expression, f"unexpected {parser.peek()}")
    return test
