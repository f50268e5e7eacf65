"""IAM wildcards: ``*`` (any run of characters, none included) and ``?`` (any one character) in Action, Resource,
StringLike and ArnLike values, with the policy variables of version 2012-10-17 (``${aws:username}``, ``${key,
'default'}``, and ``${*}``/``${?}``/``${$}`` for literal characters).

Matching never backtracks and builds no regex from policy text: a pattern is its segments between stars, the first
a prefix, the last a suffix and each middle one placed leftmost (placing it leftmost never stops a later one from
fitting), so each segment is placed once. A segment without ``?`` is found with ``str.find``; one with ``?`` by a
bit-parallel AND of where each of its literal characters occurs (CharMasks): C-speed work linear in the value per
literal character, never a Python step per position. Imports nothing from gureum.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

Resolve = Callable[[str], str | None]  # a policy variable's value in the request context, None when absent


class CharMasks:
    """Where each character occurs in one value, as an int with bit 8·p set when value[p] is that character: the
    0/1 bytes come from str.translate and int.from_bytes, so building a mask costs C-speed work linear in the value,
    once per character a pattern needs."""

    def __init__(self, value: str) -> None:
        self.value = value
        self._present = frozenset(value)
        self._table: dict[int, int] | None = None
        self._masks: dict[str, int] = {}

    def of(self, char: str) -> int:
        mask = self._masks.get(char)
        if mask is None:
            if char not in self._present:
                mask = 0
            else:
                if self._table is None:
                    self._table = dict.fromkeys(map(ord, self._present), 0)
                self._table[ord(char)] = 1
                mask = int.from_bytes(self.value.translate(self._table).encode("latin-1"), "little")
                self._table[ord(char)] = 0
            self._masks[char] = mask
        return mask


@functools.lru_cache(maxsize=8)
def char_masks(value: str) -> CharMasks:
    """One value's masks, shared by every pattern a policy matches against it."""
    return CharMasks(value)


@dataclass(frozen=True, slots=True)
class Segment:
    """Literal text in which the positions in ``any_one`` stand for any single character."""

    text: str
    any_one: frozenset[int]

    @property
    def literals(self) -> tuple[tuple[int, str], ...]:
        return tuple((i, ch) for i, ch in enumerate(self.text) if i not in self.any_one)

    def matches_at(self, value: str, start: int) -> bool:
        if start < 0 or start + len(self.text) > len(value):
            return False
        if not self.any_one:
            return value.startswith(self.text, start)
        return all(value[start + i] == ch for i, ch in self.literals)

    def find(self, value: str, start: int, end: int, masks: CharMasks | None = None) -> int:
        """The leftmost position >= start where the segment fits entirely before ``end``; -1 when none."""
        if not self.any_one:
            return value.find(self.text, start, end)
        last = end - len(self.text)
        if last < start:
            return -1
        # bit-parallel over the value: the starts where every literal character is at its offset, one big-int
        # AND per literal character (no per-position loop, whatever the value's length)
        masks = masks if masks is not None else char_masks(value)
        starts = (1 << (8 * (last + 1))) - 1  # bits 8·p for p <= last, and the bits between (cleared below)
        for offset, ch in self.literals:
            starts &= masks.of(ch) >> (8 * offset)
            if not starts:
                return -1
        starts >>= 8 * start
        if not starts:
            return -1
        return start + ((starts & -starts).bit_length() - 1) // 8


@dataclass(frozen=True, slots=True)
class Glob:
    """A wildcard pattern as its segments between stars (one segment: no star)."""

    segments: tuple[Segment, ...]
    ignore_case: bool = False

    def fullmatch(self, value: str) -> bool:
        if self.ignore_case:
            value = value.lower()
        segments = self.segments
        first = segments[0]
        if len(segments) == 1:
            return len(value) == len(first.text) and first.matches_at(value, 0)
        last = segments[-1]
        end = len(value) - len(last.text)
        if end < len(first.text) or not first.matches_at(value, 0) or not last.matches_at(value, end):
            return False
        pos = len(first.text)
        masks = char_masks(value) if any(segment.any_one for segment in segments[1:-1]) else None
        for segment in segments[1:-1]:
            found = segment.find(value, pos, end, masks)
            if found < 0:
                return False
            pos = found + len(segment.text)
        return True


class _Builder:
    def __init__(self, ignore_case: bool) -> None:
        self.ignore_case = ignore_case
        self.segments: list[Segment] = []
        self.text: list[str] = []
        self.length = 0
        self.any_one: set[int] = set()

    def literal(self, text: str) -> None:
        if self.ignore_case:
            text = text.lower()
        self.text.append(text)
        self.length += len(text)

    def one(self) -> None:
        self.any_one.add(self.length)
        self.text.append("?")
        self.length += 1

    def star(self) -> None:
        self.segments.append(Segment("".join(self.text), frozenset(self.any_one)))
        self.text, self.length, self.any_one = [], 0, set()

    def glob(self) -> Glob:
        self.star()
        return Glob(tuple(self.segments), self.ignore_case)


def variable_value(inner: str, resolve: Resolve) -> str | None:
    """The text a ``${...}`` stands for: a literal for ``*``, ``?`` and ``$``, else the key's value (or the
    quoted default after a comma); None when the key is absent and there is no default."""
    if inner in ("*", "?", "$"):
        return inner
    key, comma, default = inner.partition(",")
    value = resolve(key.strip())
    if value is not None:
        return value
    default = default.strip()
    if comma and len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    return None


def compile_glob(pattern: str, *, ignore_case: bool = False, resolve: Resolve | None = None) -> Glob | None:
    """The pattern as a Glob; ``resolve`` substitutes policy variables (version 2012-10-17 only). None when a
    variable names a key the request does not have: the value then matches nothing, as on AWS."""
    if resolve is None or "${" not in pattern:
        return _cached(pattern, ignore_case)
    builder = _Builder(ignore_case)
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        close = pattern.find("}", i + 2) if pattern.startswith("${", i) else -1
        if close >= 0:
            value = variable_value(pattern[i + 2 : close], resolve)
            if value is None:
                return None
            builder.literal(value)  # a variable's value is literal text, its stars and question marks included
            i = close + 1
            continue
        if ch == "*":
            builder.star()
        elif ch == "?":
            builder.one()
        else:
            builder.literal(ch)
        i += 1
    return builder.glob()


@functools.lru_cache(maxsize=4096)
def _cached(pattern: str, ignore_case: bool) -> Glob:
    builder = _Builder(ignore_case)
    start = 0
    for i, ch in enumerate(pattern):
        if ch in "*?":
            builder.literal(pattern[start:i])
            if ch == "*":
                builder.star()
            else:
                builder.one()
            start = i + 1
    builder.literal(pattern[start:])
    return builder.glob()


def like(pattern: str, value: str, *, ignore_case: bool = False, resolve: Resolve | None = None) -> bool:
    """Does ``value`` match the whole wildcard ``pattern``?"""
    if "*" not in pattern and "?" not in pattern and (resolve is None or "${" not in pattern):
        # no wildcard and nothing to substitute: the pattern is literal text (the common case: one action, one ARN)
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    glob = compile_glob(pattern, ignore_case=ignore_case, resolve=resolve)
    return glob is not None and glob.fullmatch(value)


def substitute(text: str, resolve: Resolve | None) -> str | None:
    """``text`` with its policy variables replaced (for the operators that compare exactly); None when one names
    a key the request does not have."""
    if resolve is None or "${" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        close = text.find("}", i + 2) if text.startswith("${", i) else -1
        if close < 0:
            out.append(text[i])
            i += 1
            continue
        value = variable_value(text[i + 2 : close], resolve)
        if value is None:
            return None
        out.append(value)
        i = close + 1
    return "".join(out)
