"""Amazon Ion text for DynamoDB's ION export and import format: items written as AWS writes them
(``$ion_1_0`` then one ``{Item:{…}}`` per line; numbers as decimals, binary as blobs, sets as lists annotated
``$dynamodb_SS``/``NS``/``BS``), and a reader of Ion text's values (comments, every scalar form, annotations,
long strings) that yields each top-level value's item. A hand-written scanner, depth-bounded, no regex."""

from __future__ import annotations

import base64
import binascii
import decimal
from collections.abc import Iterator
from typing import Any

from . import limits, values
from .values import Item, Value

VERSION_MARKER = "$ion_1_0"
_SET_ANNOTATIONS = {"$dynamodb_SS": "SS", "$dynamodb_NS": "NS", "$dynamodb_BS": "BS"}
_KEYWORDS = {"null", "true", "false", "nan"}
_IDENT_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$")
_IDENT = _IDENT_START | set("0123456789")
_DELIMITERS = set(" \t\r\n\f\v,:]})[{(/'\"")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "b": "\b", "a": "\a", "0": "\0", "/": "/",
            "\\": "\\", "'": "'", '"': '"', "?": "?"}  # fmt: skip


class IonError(ValueError):
    """Text that is not Ion, or an Ion value that is no DynamoDB item."""


# --- writing -----------------------------------------------------------------------------------------------------


def _string(text: str, quote: str) -> str:
    out = [quote]
    for ch in text:
        if ch in (quote, "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


def _field(name: str) -> str:
    if name and name[0] in _IDENT_START and name[0] != "$" and all(c in _IDENT for c in name) and name not in _KEYWORDS:
        return name
    return _string(name, "'")


def _number(text: str) -> str:
    return text if "." in text else text + "."  # an Ion decimal (a bare 103 would be an Ion int)


def _value(value: Value) -> str:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return _string(inner, '"')
    if kind == "N":
        return _number(inner)
    if kind == "B":
        return "{{" + base64.b64encode(inner).decode() + "}}"
    if kind == "BOOL":
        return "true" if inner else "false"
    if kind == "NULL":
        return "null"
    if kind in ("SS", "NS", "BS"):
        parts = [_value({kind[0]: v}) for v in inner]
        return f"$dynamodb_{kind}::[" + ",".join(parts) + "]"
    if kind == "L":
        return "[" + ",".join(_value(v) for v in inner) + "]"
    return "{" + ",".join(f"{_field(k)}:{_value(v)}" for k, v in inner.items()) + "}"


def dump_item(item: Item) -> str:
    """One item as AWS's ION export line (without the newline)."""
    return "{Item:" + _value({"M": item}) + "}"


def dump_record(record: dict[str, Item | dict[str, Value]]) -> str:
    """A struct of item-valued fields (an incremental export's Keys/NewImage/OldImage/Metadata) as one line."""
    return "{" + ",".join(f"{_field(k)}:{_value({'M': v})}" for k, v in record.items()) + "}"


# --- reading -----------------------------------------------------------------------------------------------------


class _Scanner:
    """A cursor over Ion text reading one value at a time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> IonError:
        return IonError(f"{what} at offset {self.pos}")

    def skip_space(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in " \t\r\n\f\v":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated comment")
                self.pos = end + 2
            else:
                return

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise self.fail(f"expected {ch!r}")
        self.pos += 1

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _DELIMITERS:
            self.pos += 1
        return self.text[start : self.pos]

    def _quoted(self, quote: str) -> str:
        self.pos += 1
        out: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise self.fail("unterminated string")
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                out.append(self._escape())
                continue
            out.append(ch)
            self.pos += 1

    def _escape(self) -> str:
        code = self.text[self.pos + 1 : self.pos + 2]
        if code in _ESCAPES:
            self.pos += 2
            return _ESCAPES[code]
        if code == "\n":
            self.pos += 2
            return ""
        width = {"x": 2, "u": 4, "U": 8}.get(code)
        if width is None:
            raise self.fail("bad escape")
        digits = self.text[self.pos + 2 : self.pos + 2 + width]
        try:
            point = int(digits, 16)
            char = chr(point)
        except (ValueError, OverflowError):
            raise self.fail("bad escape") from None
        if len(digits) != width:
            raise self.fail("bad escape")
        self.pos += 2 + width
        return char

    def _long_strings(self) -> str:
        parts = []
        while self.text.startswith("'''", self.pos):
            self.pos += 3
            out: list[str] = []
            while not self.text.startswith("'''", self.pos):
                if self.pos >= len(self.text):
                    raise self.fail("unterminated long string")
                if self.text[self.pos] == "\\":
                    out.append(self._escape())
                else:
                    out.append(self.text[self.pos])
                    self.pos += 1
            self.pos += 3
            parts.append("".join(out))
            self.skip_space()
        return "".join(parts)

    def _symbol_or_field(self) -> tuple[str, bool]:
        """A symbol (or field name): its text and whether it was quoted."""
        ch = self.peek()
        if ch == "'" and not self.text.startswith("'''", self.pos):
            return self._quoted("'"), True
        if ch == '"':
            return self._quoted('"'), True
        if ch == "'":
            return self._long_strings(), True
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _IDENT:
            self.pos += 1
        if start == self.pos:
            raise self.fail("expected a symbol")
        return self.text[start : self.pos], False

    def value(self, depth: int = 0) -> Any:
        """The next value as ("kind", payload, annotations)."""
        if depth > limits.MAX_DEPTH:
            raise self.fail("nesting too deep")
        annotations: list[str] = []
        while True:
            ch = self.peek()
            if ch == "" or ch in "]}),":
                raise self.fail("expected a value")
            if ch in _IDENT_START or (ch == "'" and not self.text.startswith("'''", self.pos)):
                mark = self.pos
                name, quoted = self._symbol_or_field()
                after = self.pos
                self.skip_space()
                if self.text.startswith("::", self.pos):
                    self.pos += 2
                    annotations.append(name)
                    continue
                if quoted:
                    self.pos = after
                    return ("symbol", name, annotations)
                self.pos = mark
            break
        ch = self.peek()
        if ch == "{":
            if self.text.startswith("{{", self.pos):
                return self._lob(annotations)
            self.pos += 1
            fields: list[tuple[str, Any]] = []
            while self.peek() != "}":
                name, _ = self._symbol_or_field()
                self.expect(":")
                fields.append((name, self.value(depth + 1)))
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "}":
                    raise self.fail("expected ',' or '}'")
            self.pos += 1
            return ("struct", fields, annotations)
        if ch == "[":
            self.pos += 1
            elements = []
            while self.peek() != "]":
                elements.append(self.value(depth + 1))
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "]":
                    raise self.fail("expected ',' or ']'")
            self.pos += 1
            return ("list", elements, annotations)
        if ch == "(":
            raise self.fail("s-expressions have no DynamoDB type")
        if ch == '"':
            return ("string", self._quoted('"'), annotations)
        if ch == "'":
            return ("string", self._long_strings(), annotations)
        word = self._word()
        return self._scalar(word, annotations)

    def _lob(self, annotations: list[str]) -> Any:
        self.pos += 2
        self.skip_space()
        if self.peek() in ('"', "'"):
            text = self._quoted('"') if self.peek() == '"' else self._long_strings()
            self.skip_space()
            if not self.text.startswith("}}", self.pos):
                raise self.fail("expected '}}'")
            self.pos += 2
            try:
                return ("blob", text.encode("latin-1"), annotations)
            except UnicodeEncodeError:
                raise self.fail("bad clob") from None
        end = self.text.find("}}", self.pos)
        if end < 0:
            raise self.fail("unterminated blob")
        body = "".join(self.text[self.pos : end].split())
        self.pos = end + 2
        try:
            return ("blob", base64.b64decode(body, validate=True), annotations)
        except (binascii.Error, ValueError):
            raise self.fail("bad blob") from None

    def _scalar(self, word: str, annotations: list[str]) -> Any:
        if word == "null" or word.startswith("null."):
            return ("null", None, annotations)
        if word in ("true", "false"):
            return ("bool", word == "true", annotations)
        if word in ("nan", "+inf", "-inf"):
            raise self.fail(f"{word} is no DynamoDB number")
        if not word:
            raise self.fail("expected a value")
        if word[0] in _IDENT_START:
            return ("symbol", word, annotations)
        if len(word) > 4 and word[:4].isdigit() and word[4] in "-T":
            raise self.fail("timestamps have no DynamoDB type")
        text = word.replace("_", "")
        try:
            lowered = text.lower()
            if lowered.lstrip("-").startswith(("0x", "0b")):
                sign = -1 if lowered.startswith("-") else 1
                digits = lowered.lstrip("-")
                number = decimal.Decimal(sign * int(digits[2:], 16 if digits[1] == "x" else 2))
            else:
                number = decimal.Decimal(lowered.replace("d", "e"))
        except (ValueError, decimal.InvalidOperation):
            raise self.fail(f"bad number {word!r}") from None
        if not number.is_finite():
            raise self.fail(f"bad number {word!r}")
        return ("number", number, annotations)


def _to_value(node: Any, depth: int = 0) -> Value:
    kind, payload, annotations = node
    if depth > limits.MAX_DEPTH:
        raise IonError("nesting too deep")
    if kind == "list":
        set_kind = next((_SET_ANNOTATIONS[a] for a in annotations if a in _SET_ANNOTATIONS), None)
        elements = [_to_value(e, depth + 1) for e in payload]
        if set_kind is None:
            return {"L": elements}
        inner = set_kind[0]
        if any(inner not in e for e in elements):
            raise IonError(f"{set_kind} set with an element of another type")
        return {set_kind: [e[inner] for e in elements]}
    if kind == "struct":
        return {"M": {name: _to_value(v, depth + 1) for name, v in payload}}
    if kind in ("string", "symbol"):
        return {"S": payload}
    if kind == "number":
        return {"N": values.format_number(payload)}
    if kind == "blob":
        return {"B": payload}
    if kind == "bool":
        return {"BOOL": payload}
    return {"NULL": True}


def items(text: str) -> Iterator[Item | IonError]:
    """Each top-level value's item (its ``Item`` field), or the IonError of a value that is none; a syntax error
    ends the text (the rest of it cannot be read) after yielding its IonError."""
    scanner = _Scanner(text)
    while True:
        try:
            if scanner.at_end():
                return
            node = scanner.value()
        except IonError as error:
            yield error
            return
        kind, payload, annotations = node
        if kind == "symbol" and payload == VERSION_MARKER:
            continue
        if kind == "struct" and "$ion_symbol_table" in annotations:
            continue
        if kind != "struct":
            yield IonError(f"a top-level {kind} is not an item")
            continue
        found = [v for name, v in payload if name == "Item"]
        if len(found) != 1 or found[0][0] != "struct":
            yield IonError("a top-level struct without an Item struct")
            continue
        try:
            yield {name: _to_value(v) for name, v in found[0][1]}
        except (IonError, ValueError) as error:
            yield IonError(str(error))
