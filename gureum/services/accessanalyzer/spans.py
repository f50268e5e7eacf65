"""A JSON reader that keeps where every value sits in the text (IAM Access Analyzer's findings locate what they
name: a path through the document and the span of the value, as line (1-based), column and offset (0-based)).
Bounded: nesting deeper than MAX_DEPTH is a syntax error; no regex, no recursion beyond that depth."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 64
_WHITESPACE = " \t\n\r"
_NUMBER_CHARS = frozenset("0123456789+-.eE")


@dataclass(slots=True)
class Node:
    """One JSON value: its kind ("object", "array", "string", "number", "bool", "null"), its Python value for
    scalars, its members (an object's (key, node) pairs in order, duplicates kept; an array's nodes) and its span."""

    kind: str
    start: int
    end: int
    value: Any = None
    members: list[tuple[str, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        """An object's member (the last one of that name, as JSON readers take it)."""
        found = None
        for name, node in self.members:
            if name == key:
                found = node
        return found


class SyntaxProblem(ValueError):
    def __init__(self, index: int) -> None:
        super().__init__(f"JSON syntax error at {index}")
        self.index = index


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def skip(self) -> None:
        text, i = self.text, self.i
        while i < len(text) and text[i] in _WHITESPACE:
            i += 1
        self.i = i

    def value(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise SyntaxProblem(self.i)
        self.skip()
        if self.i >= len(self.text):
            raise SyntaxProblem(self.i)
        char = self.text[self.i]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            start = self.i
            text = self.string()
            return Node("string", start, self.i, text)
        for word, value, kind in (("true", True, "bool"), ("false", False, "bool"), ("null", None, "null")):
            if self.text.startswith(word, self.i):
                start, self.i = self.i, self.i + len(word)
                return Node(kind, start, self.i, value)
        return self.number()

    def string(self) -> str:
        start, text = self.i, self.text
        i = start + 1
        while i < len(text):
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == '"':
                self.i = i + 1
                try:
                    return str(json.loads(text[start : i + 1]))
                except ValueError:
                    raise SyntaxProblem(start) from None
            if char < " ":
                raise SyntaxProblem(i)
            i += 1
        raise SyntaxProblem(len(text))

    def number(self) -> Node:
        start, text = self.i, self.text
        i = start
        while i < len(text) and text[i] in _NUMBER_CHARS:
            i += 1
        try:
            value = json.loads(text[start:i]) if i > start else None
        except ValueError:
            value = None
        if value is None:
            raise SyntaxProblem(start)
        self.i = i
        return Node("number", start, i, value)

    def object(self, depth: int) -> Node:
        node = Node("object", self.i, self.i)
        self.i += 1
        self.skip()
        if self.text.startswith("}", self.i):
            self.i += 1
            node.end = self.i
            return node
        while True:
            self.skip()
            if not self.text.startswith('"', self.i):
                raise SyntaxProblem(self.i)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.i):
                raise SyntaxProblem(self.i)
            self.i += 1
            node.members.append((key, self.value(depth + 1)))
            self.skip()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            if self.text.startswith("}", self.i):
                self.i += 1
                node.end = self.i
                return node
            raise SyntaxProblem(self.i)

    def array(self, depth: int) -> Node:
        node = Node("array", self.i, self.i)
        self.i += 1
        self.skip()
        if self.text.startswith("]", self.i):
            self.i += 1
            node.end = self.i
            return node
        while True:
            node.items.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            if self.text.startswith("]", self.i):
                self.i += 1
                node.end = self.i
                return node
            raise SyntaxProblem(self.i)


def parse(text: str) -> Node:
    """The document's root value; SyntaxProblem (with the index) when it is not one JSON value."""
    reader = _Reader(text)
    root = reader.value(0)
    reader.skip()
    if reader.i != len(text):
        raise SyntaxProblem(reader.i)
    return root


class Positions:
    """Offsets as AWS's spans give them: {"line": 1-based, "column": 0-based, "offset": 0-based}."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]

    def at(self, offset: int) -> dict[str, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return {"line": line + 1, "column": offset - self.starts[line], "offset": offset}

    def span(self, start: int, end: int) -> dict[str, dict[str, int]]:
        return {"start": self.at(start), "end": self.at(end)}
