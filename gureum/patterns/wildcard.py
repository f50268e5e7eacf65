"""Wildcard operands: syntax (escapes, consecutive stars), matching, and EventBridge's complexity limit.

Syntax is event-ruler's WildcardParser: ``*`` matches any run of characters (including none), ``\\*`` is a
literal star, ``\\\\`` a literal backslash, any other escape is an error, and ``**`` is rejected. Positions
in messages are byte offsets into the quoted UTF-8 value, as event-ruler reports them.

Matching never backtracks: an operand is its literal segments between stars, the first a prefix, the last a
suffix and each middle one found leftmost (str.find), so a value is read in time linear in its length.

Complexity follows the idea of event-ruler's MachineComplexityEvaluator: build one automaton per field
from every wildcard operand (prefixes before the first star are shared, as in event-ruler's byte
machine), then find the input that keeps the most weighted states alive at once. EventBridge rejects a
rule above 10 ("Rule is too complex - ..."); the threshold is inferred from observed AWS behaviour, not
documented. Imports nothing from gureum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STAR = -1
COMPLEXITY_LIMIT = 10
TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences "
    "after a wildcard character"
)
_OTHER_BYTE = 256  # stands for every byte no operand mentions
_MAX_STATE_SETS = 20_000  # bound on the subset search; real patterns stay far below it


def parse(text: str) -> list[str | int]:
    """Literal characters and STAR markers; raises ValueError with event-ruler's message."""
    out: list[str | int] = []
    pos = 1  # byte offset in '"' + text + '"'
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "*":
            if i + 1 < n and text[i + 1] == "*":
                raise ValueError(f"Consecutive wildcard characters at pos {pos}")
            out.append(STAR)
        elif ch == "\\":
            following = text[i + 1] if i + 1 < n else '"'
            if following not in "*\\":
                raise ValueError(f"Invalid escape character at pos {pos}")
            out.append(following)
            pos += 1
            i += 1
        else:
            out.append(ch)
        pos += len(ch.encode("utf-8", "surrogatepass"))
        i += 1
    return out


@dataclass(frozen=True, slots=True)
class Glob:
    """A wildcard as its literal segments between stars (one segment: no star, an exact value)."""

    segments: tuple[str, ...]

    @classmethod
    def of(cls, tokens: Sequence[str | int]) -> Glob:
        segments: list[str] = []
        current: list[str] = []
        for token in tokens:
            if token == STAR:
                segments.append("".join(current))
                current = []
            else:
                current.append(str(token))
        segments.append("".join(current))
        return cls(tuple(segments))

    def fullmatch(self, text: str) -> bool:
        """Does ``text`` match the whole wildcard? Placing each middle segment leftmost never prevents a later
        one from fitting, so no placement is ever revisited."""
        segments = self.segments
        if len(segments) == 1:
            return text == segments[0]
        first, last = segments[0], segments[-1]
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False
        pos, end = len(first), len(text) - len(last)
        for segment in segments[1:-1]:
            found = text.find(segment, pos, end)
            if found < 0:
                return False
            pos = found + len(segment)
        return True


@dataclass(frozen=True, slots=True)
class IamGlob:
    """An IAM-style wildcard, as resource policies write ARNs: ``*`` any run of characters, ``?`` any one (no
    escapes). Matched like Glob, each fixed-length segment placed leftmost: time O(len(text) x len(pattern)) at
    worst, where a ``.*``/``.`` regex built from the same pattern backtracks polynomially in the text."""

    segments: tuple[str, ...]

    @classmethod
    def of(cls, pattern: str) -> IamGlob:
        return cls(tuple(pattern.split("*")))

    def fullmatch(self, text: str) -> bool:
        segments = self.segments
        if len(segments) == 1:
            return len(text) == len(segments[0]) and _fits(segments[0], text, 0)
        first, last = segments[0], segments[-1]
        if len(text) < len(first) + len(last):
            return False
        if not _fits(first, text, 0) or not _fits(last, text, len(text) - len(last)):
            return False
        pos, end = len(first), len(text) - len(last)
        for segment in segments[1:-1]:
            found = _find(segment, text, pos, end)
            if found < 0:
                return False
            pos = found + len(segment)
        return True


def _fits(segment: str, text: str, at: int) -> bool:
    """Does ``segment`` (``?`` matching any character) match ``text`` at ``at``?"""
    if "?" not in segment:
        return text.startswith(segment, at)
    if at + len(segment) > len(text):
        return False
    return all(want == "?" or want == got for want, got in zip(segment, text[at : at + len(segment)]))


def _find(segment: str, text: str, start: int, end: int) -> int:
    """The leftmost index in [start, end - len(segment)] where ``segment`` fits, or -1."""
    if "?" not in segment:
        return text.find(segment, start, end)
    anchor = max(segment.split("?"), key=len)  # the longest literal run, found with str.find
    if not anchor:
        return start if end - start >= len(segment) else -1
    offset = segment.index(anchor)
    at = text.find(anchor, start + offset, end)
    while at >= 0:
        begin = at - offset
        if begin + len(segment) > end:
            return -1
        if _fits(segment, text, begin):
            return begin
        at = text.find(anchor, at + 1, end)
    return -1


def compile_wildcard(text: str) -> Glob:
    """An event-ruler wildcard operand (escapes as ``parse`` reads them); raises ValueError as ``parse`` does."""
    return Glob.of(parse(text))


class _Automaton:
    """A byte NFA over quoted operands; each state remembers which operands pass through it."""

    def __init__(self) -> None:
        self.lit: list[dict[int, set[int]]] = [{}]
        self.eps: list[set[int]] = [set()]
        self.loops: list[bool] = [False]
        self.weight: list[set[int]] = [set()]
        self._trie: dict[tuple[int, int], int] = {}
        self._first_star: dict[int, int] = {}

    def _new(self) -> int:
        self.lit.append({})
        self.eps.append(set())
        self.loops.append(False)
        self.weight.append(set())
        return len(self.lit) - 1

    def add(self, identity: int, tokens: Sequence[str | int]) -> None:
        stream: list[int] = [ord('"')]
        for token in tokens:
            stream.extend([STAR] if token == STAR else str(token).encode("utf-8", "surrogatepass"))
        stream.append(ord('"'))
        current, shared = 0, True  # shared while still in the determinate prefix
        for byte in stream:
            if byte == STAR:
                star = self._first_star.get(current) if shared else None
                if star is None:
                    star = self._new()
                    if shared:
                        self._first_star[current] = star
                self.eps[current].add(star)
                self.loops[star] = True
                current, shared = star, False
            else:
                nxt = self._trie.get((current, byte)) if shared else None
                if nxt is None:
                    nxt = self._new()
                    if shared:
                        self._trie[(current, byte)] = nxt
                    self.lit[current].setdefault(byte, set()).add(nxt)
                current = nxt
            self.weight[current].add(identity)

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        stack = list(seen)
        while stack:
            for nxt in self.eps[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return frozenset(seen)

    def worst_case(self, limit: int) -> int:
        alphabet = {b for table in self.lit for b in table} | {_OTHER_BYTE}
        start = self.closure([0])
        seen, pending, worst = {start}, [start], 0
        while pending and len(seen) < _MAX_STATE_SETS:
            active = pending.pop()
            for byte in alphabet:
                reached = [s for s in active if self.loops[s]]
                for s in active:
                    reached.extend(self.lit[s].get(byte, ()))
                if not reached:
                    continue
                nxt = self.closure(reached)
                worst = max(worst, sum(len(self.weight[s]) for s in nxt))
                if worst > limit:
                    return worst
                if nxt not in seen:
                    seen.add(nxt)
                    pending.append(nxt)
        return worst


def complexity(operands: Iterable[Sequence[str]], limit: int = COMPLEXITY_LIMIT) -> int:
    """Worst-case live weight for one field; each operand group (one wildcard term, or one anything-but
    wildcard list) counts as one pattern. Stops early once above ``limit``."""
    automaton = _Automaton()
    for identity, group in enumerate(operands):
        for text in group:
            automaton.add(identity, parse(text))
    return automaton.worst_case(limit)
