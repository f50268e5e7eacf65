"""A streaming JSON reader that reports positions the way Jackson's ``ReaderBasedJsonParser`` does.

EventBridge and SNS compile patterns with event-ruler, which reads them token by token with Jackson and
appends Jackson's location ("\\n at [Source: (String)"..."; line: 1, column: 28]") to every error. To give
the same messages we mirror the parser's pointer: a string token is left unread (pointer just past its
opening quote) until its text is asked for; after a field name the parser has already stepped into the
value's first token; numbers and literals are consumed whole. Syntax-error wording follows Jackson 2.x for
the common cases. Imports nothing from gureum.
"""

from __future__ import annotations

import json
from enum import Enum

_WS = " \t\n\r"
_EXPECTING_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_SOURCE_MAX = 500  # Jackson's ErrorReportConfiguration default for raw content
MAX_DEPTH = 1000  # Jackson's StreamReadConstraints default
TOO_DEEP = (
    f"Document nesting depth ({MAX_DEPTH + 1}) exceeds the maximum allowed ({MAX_DEPTH}, from "
    "`StreamReadConstraints.getMaxNestingDepth()`)"
)


class Tok(Enum):
    START_OBJECT = "{"
    END_OBJECT = "}"
    START_ARRAY = "["
    END_ARRAY = "]"
    FIELD_NAME = "name"
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    TRUE = "true"
    FALSE = "false"
    NULL = "null"


NUMBER_TOKENS = (Tok.INT, Tok.FLOAT)


class JsonSyntaxError(Exception):
    def __init__(self, reason: str, location: str) -> None:
        super().__init__(reason + location)
        self.reason = reason
        self.location = location


def char_desc(ch: str) -> str:
    """Jackson's ``_getCharDesc``."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{ch}' (code {code} / 0x{code:x})"
    return f"'{ch}' (code {code})"


def _is_ident_part(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


class _Ctx:
    __slots__ = ("kind", "start", "state")

    def __init__(self, kind: str, start: int) -> None:
        self.kind = kind  # "Object" or "Array"
        self.start = start  # index of the opening bracket
        self.state = "first"  # "first" | "value" (after a value) | "comma" (after a comma)


class JsonReader:
    """``next_token()`` / ``text()`` / ``name`` / ``location()``, like the Jackson calls event-ruler makes."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.token: Tok | None = None
        self.name = ""
        self._raw = ""
        self._stack: list[_Ctx] = []
        self._pending: int | None = None  # index just past the opening quote of an unread string
        self._decoded: str | None = None
        self._next: Tok | None = None

    # -- locations ---------------------------------------------------------------------------------
    def describe(self, index: int) -> str:
        src = self.src
        line, line_start, i = 1, 0, 0
        while True:
            j = min((k for k in (src.find("\n", i, index), src.find("\r", i, index)) if k != -1), default=-1)
            if j == -1:
                break
            if src[j] == "\r" and j + 1 < len(src) and src[j + 1] == "\n":
                j += 1
            line, line_start, i = line + 1, j + 1, j + 1
        content = src if len(src) <= _SOURCE_MAX else f'{src[:_SOURCE_MAX]}"[truncated {len(src) - _SOURCE_MAX} chars]'
        quoted = f'"{content}"' if len(src) <= _SOURCE_MAX else f'"{content}'
        return f"[Source: (String){quoted}; line: {line}, column: {index - line_start + 1}]"

    def location(self) -> str:
        return "\n at " + self.describe(self.pos)

    def _fail(self, reason: str) -> JsonSyntaxError:
        return JsonSyntaxError(reason, self.location())

    def _eof_in_container(self) -> JsonSyntaxError:
        ctx = self._stack[-1]
        return self._fail(
            f"Unexpected end-of-input: expected close marker for {ctx.kind}"
            f" (start marker at {self.describe(ctx.start)})"
        )

    def _eof_between(self) -> JsonSyntaxError:
        return self._fail(f"Unexpected end-of-input within/between {self._stack[-1].kind} entries")

    # -- tokens ------------------------------------------------------------------------------------
    def next_token(self) -> Tok | None:
        if self._next is not None:
            self.token, self._next = self._next, None
            return self.token
        if self._pending is not None:
            self._read_string()
        c = self._skip_ws()
        if not self._stack:
            self.token = None if c is None else self._value(c)
            return self.token
        ctx = self._stack[-1]
        if c is None:
            raise self._eof_in_container() if ctx.state != "comma" else self._eof_between()
        if c in "]}" and ctx.state == "comma":  # a trailing comma: Jackson reads the closer as the next entry
            self.pos += 1
            if ctx.kind == "Object":
                raise self._fail(
                    f"Unexpected character ({char_desc(c)}): was expecting double-quote to start field name"
                )
            raise self._fail(f"Unexpected character ({char_desc(c)}): expected a value")
        if c in "]}":
            self.pos += 1
            want = "}" if ctx.kind == "Object" else "]"
            if c != want:
                raise self._fail(
                    f"Unexpected close marker '{c}': expected '{want}'"
                    f" (for {ctx.kind} starting at {self.describe(ctx.start)})"
                )
            self._stack.pop()
            self.token = Tok.END_OBJECT if c == "}" else Tok.END_ARRAY
            return self.token
        if ctx.state == "value":
            if c != ",":
                self.pos += 1
                raise self._fail(
                    f"Unexpected character ({char_desc(c)}): was expecting comma to separate {ctx.kind} entries"
                )
            self.pos += 1
            ctx.state = "comma"
            return self.next_token()
        ctx.state = "value"
        if ctx.kind == "Array":
            self.token = self._value(c)
            return self.token
        self.pos += 1
        if c != '"':
            raise self._fail(f"Unexpected character ({char_desc(c)}): was expecting double-quote to start field name")
        self.name = self._scan_string(self.pos)
        c = self._skip_ws()
        if c is None:
            raise self._eof_between()
        self.pos += 1
        if c != ":":
            raise self._fail(
                f"Unexpected character ({char_desc(c)}): was expecting a colon to separate field name and value"
            )
        c = self._skip_ws()
        if c is None:
            raise self._eof_between()
        self._next = self._value(c)
        self.token = Tok.FIELD_NAME
        return self.token

    def text(self) -> str:
        """Jackson's ``getText()``: finishes an unread string, so the pointer moves past it."""
        token = self.token
        if token is Tok.FIELD_NAME:
            return self.name
        if token is Tok.STRING:
            if self._decoded is None:
                self._read_string()
            return self._decoded or ""
        if token in NUMBER_TOKENS:
            return self._raw
        return "" if token is None else token.value

    # -- scanning ----------------------------------------------------------------------------------
    def _skip_ws(self) -> str | None:
        src, n, i = self.src, len(self.src), self.pos
        while i < n and src[i] in _WS:
            i += 1
        self.pos = i
        return src[i] if i < n else None

    def _read_string(self) -> None:
        assert self._pending is not None
        start, self._pending = self._pending, None
        self._decoded = self._scan_string(start)

    def _scan_string(self, start: int) -> str:
        """Reads a string whose opening quote ends at ``start``; leaves the pointer past the closing quote."""
        src, n, i = self.src, len(self.src), start
        while True:
            if i >= n:
                self.pos = n
                raise self._fail("Unexpected end-of-input: was expecting closing quote for a string value")
            ch = src[i]
            if ch == '"':
                break
            if ch == "\\":
                esc = src[i + 1] if i + 1 < n else ""
                if esc == "u":
                    digits = src[i + 2 : i + 6]
                    bad = next((d for d in digits if d not in "0123456789abcdefABCDEF"), None)
                    if bad is not None or len(digits) < 4:
                        self.pos = i + 2 + (digits.index(bad) + 1 if bad is not None else len(digits))
                        if bad is None:
                            raise self._fail("Unexpected end-of-input in character escape sequence")
                        raise self._fail(
                            f"Unexpected character ({char_desc(bad)}):"
                            " expected a hex-digit for character escape sequence"
                        )
                    i += 6
                    continue
                if esc == "":
                    self.pos = n
                    raise self._fail("Unexpected end-of-input in character escape sequence")
                if esc not in '"\\/bfnrt':
                    self.pos = i + 2
                    raise self._fail(f"Unrecognized character escape {char_desc(esc)}")
                i += 2
                continue
            if ord(ch) < 0x20:
                self.pos = i + 1
                raise self._fail(
                    f"Illegal unquoted character ({char_desc(ch)}):"
                    " has to be escaped using backslash to be included in string value"
                )
            i += 1
        self.pos = i + 1
        return str(json.loads(src[start - 1 : i + 1]))

    def _value(self, c: str) -> Tok:
        """Starts a value at ``c`` (not yet consumed), as Jackson does right after a name or comma."""
        if c == '"':
            self.pos += 1
            self._pending, self._decoded = self.pos, None
            return Tok.STRING
        if c in "{[":
            if self._stack:
                self._stack[-1].state = "value"
            self._stack.append(_Ctx("Object" if c == "{" else "Array", self.pos))
            self.pos += 1
            if len(self._stack) > MAX_DEPTH:
                raise self._fail(TOO_DEEP)
            return Tok.START_OBJECT if c == "{" else Tok.START_ARRAY
        if c == "-" or c.isdigit() and c.isascii():
            return self._number()
        if c in "]}":
            self.pos += 1
            raise self._fail(f"Unexpected character ({char_desc(c)}): expected a value")
        if _is_ident_part(c):
            end = self.pos
            while end < len(self.src) and _is_ident_part(self.src[end]):
                end += 1
            word, self.pos = self.src[self.pos : end], end
            literal = {"true": Tok.TRUE, "false": Tok.FALSE, "null": Tok.NULL}.get(word)
            if literal is None:
                raise self._fail(f"Unrecognized token '{word}': was expecting {_EXPECTING_VALUE}")
            return literal
        self.pos += 1
        raise self._fail(f"Unexpected character ({char_desc(c)}): expected a valid value {_EXPECTING_VALUE}")

    def _number(self) -> Tok:
        src, n, start = self.src, len(self.src), self.pos
        i = start + (src[start] == "-")

        def digits(j: int) -> int:
            while j < n and "0" <= src[j] <= "9":
                j += 1
            return j

        def bad(j: int, why: str) -> JsonSyntaxError:
            self.pos = min(j + 1, n)
            if j >= n:
                return self._fail("Unexpected end-of-input in numeric value")
            return self._fail(f"Unexpected character ({char_desc(src[j])}) in numeric value: {why}")

        if i >= n or not "0" <= src[i] <= "9":
            raise bad(i, "expected digit (0-9) to follow minus sign, for valid numeric value")
        end = digits(i)
        if src[i] == "0" and end - i > 1:
            self.pos = i + 2
            raise self._fail("Invalid numeric value: Leading zeroes not allowed")
        kind = Tok.INT
        if end < n and src[end] == ".":
            after = digits(end + 1)
            if after == end + 1:
                raise bad(end + 1, "Decimal point not followed by a digit")
            end, kind = after, Tok.FLOAT
        if end < n and src[end] in "eE":
            j = end + 1 + (end + 1 < n and src[end + 1] in "+-")
            after = digits(j)
            if after == j:
                raise bad(j, "Exponent indicator not followed by a digit")
            end, kind = after, Tok.FLOAT
        self._raw, self.pos = src[start:end], end
        return kind
