"""Matching compiled branches against an event: per-field checks, flattening, array consistency.

A field path is the pattern's keys joined with "." (event-ruler does the same, so ``{"a.b": [...]}`` and
``{"a": {"b": [...]}}`` are one field). An event is flattened once into leaf values per wanted path;
arrays are transparent, but, like event-ruler's ``rulesForJSONEvent``, two fields never match through
objects in different elements of the same array. Imports nothing from gureum.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .operators import (
    NEGATIVE_TERMS,
    ExactLiteral,
    ExactNumber,
    ExactString,
    Exists,
    Term,
    is_number,
    parse_ip,
)

Membership = tuple[tuple[int, int], ...]  # (array id, element index) for each array on the way to a leaf
Leaf = tuple[Any, Membership]
_NO_LEAVES: tuple[Leaf, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldRule:
    """All terms for one field, precomputed into set lookups plus the remaining predicates."""

    path: str
    strings: frozenset[str]
    numbers: frozenset[int | float]
    literals: tuple[bool, bool, bool]  # true, false, null
    addresses: frozenset[tuple[int, int]]
    positives: tuple[Term, ...]
    negatives: tuple[Term, ...]  # the anything-but family
    exists_true: bool
    exists_false: bool
    strict_exists: bool  # SNS: "exists": true needs a non-null, non-empty value

    @classmethod
    def build(cls, path: str, terms: Iterable[Term], *, strict_exists: bool = False) -> FieldRule:
        strings: set[str] = set()
        numbers: set[int | float] = set()
        addresses: set[tuple[int, int]] = set()
        literals = [False, False, False]
        positives: list[Term] = []
        negatives: list[Term] = []
        exists_true = exists_false = False
        for term in terms:
            if isinstance(term, ExactString):
                strings.add(term.value)
                if term.ip is not None:
                    addresses.add(term.ip)
            elif isinstance(term, ExactNumber):
                numbers.add(term.value)
            elif isinstance(term, ExactLiteral):
                literals[0 if term.value is True else 1 if term.value is False else 2] = True
            elif isinstance(term, Exists):
                exists_true, exists_false = exists_true or term.present, exists_false or not term.present
            elif isinstance(term, NEGATIVE_TERMS):
                negatives.append(term)
            else:
                positives.append(term)
        return cls(
            path, frozenset(strings), frozenset(numbers), (literals[0], literals[1], literals[2]), frozenset(addresses),
            tuple(positives), tuple(negatives), exists_true, exists_false, strict_exists,
        )  # fmt: skip

    def positive(self, value: Any) -> bool:
        """Terms other than anything-but: does this one leaf satisfy any of them?"""
        if self.exists_true and (not self.strict_exists or (value is not None and value != "")):
            return True
        if isinstance(value, str):
            if value in self.strings:
                return True
            if self.addresses and parse_ip(value) in self.addresses:
                return True
        elif value is None or isinstance(value, bool):
            if self.literals[0 if value is True else 1 if value is False else 2]:
                return True
        elif is_number(value) and value in self.numbers:
            return True
        return any(term.matches(value) for term in self.positives)

    def negative(self, value: Any) -> bool:
        return any(term.matches(value) for term in self.negatives)

    def test(self, value: Any) -> bool:
        return self.positive(value) or self.negative(value)


@dataclass(frozen=True, slots=True)
class CompiledBranch:
    fields: tuple[FieldRule, ...]


class PathIndex:
    """The paths a matcher reads, and every dotted prefix leading to them (to prune flattening)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        prefixes: set[str] = set()
        for path in self.paths:
            for i, ch in enumerate(path):
                if ch == ".":
                    prefixes.add(path[:i])
        self.prefixes = frozenset(prefixes)


def flatten(event: Mapping[str, Any], index: PathIndex) -> dict[str, list[Leaf]]:
    """Leaf values (with their array memberships) per wanted path, in document order. Iterative: an event
    nested thousands of arrays deep costs no Python stack."""
    out: dict[str, list[Leaf]] = {}
    if not isinstance(event, Mapping):
        return out
    arrays = 0
    stack: list[tuple[Any, str, Membership]] = [(event, "", ())]
    while stack:
        node, path, membership = stack.pop()
        if isinstance(node, Mapping):
            children = []
            for key, value in node.items():
                sub = f"{path}.{key}" if path else str(key)
                if sub in index.paths or sub in index.prefixes:
                    children.append((value, sub, membership))
            stack.extend(reversed(children))
        elif isinstance(node, (list, tuple)):
            arrays += 1
            array_id = arrays
            stack.extend(
                (item, path, (*membership, (array_id, position))) for position, item in reversed(list(enumerate(node)))
            )
        elif path in index.paths:
            out.setdefault(path, []).append((node, membership))
    return out


_CONSISTENCY_STEPS = 100_000  # bound on the search below; real events need a handful of steps


def _consistent(choices: Sequence[Sequence[Membership]]) -> bool:
    """Can one membership be picked per field with no array seen at two different indexes?

    Only arrays that two or more fields pass through can conflict, so memberships are first reduced to those
    arrays (which collapses the elements of arrays a single field owns) and deduplicated; the search that
    remains is small. A pathological event still cannot stall the caller: after _CONSISTENCY_STEPS the
    answer is "no match"."""
    seen_by: dict[int, int] = {}
    for memberships in choices:
        for array_id in {array_id for membership in memberships for array_id, _ in membership}:
            seen_by[array_id] = seen_by.get(array_id, 0) + 1
    reduced: list[list[Membership]] = []
    for memberships in choices:
        projected = list(
            dict.fromkeys(tuple(step for step in membership if seen_by[step[0]] > 1) for membership in memberships)
        )
        if () not in projected:  # some leaf of this field conflicts with nothing
            reduced.append(projected)
    ordered = sorted(reduced, key=len)
    chosen: dict[int, int] = {}
    steps = 0

    def pick(i: int) -> bool:
        nonlocal steps
        if i == len(ordered):
            return True
        for membership in ordered[i]:
            steps += 1
            if steps > _CONSISTENCY_STEPS:
                return False
            added: list[int] = []
            ok = True
            for array_id, position in membership:
                seen = chosen.get(array_id)
                if seen is None:
                    chosen[array_id] = position
                    added.append(array_id)
                elif seen != position:
                    ok = False
                    break
            if ok and pick(i + 1):
                return True
            for array_id in added:
                del chosen[array_id]
        return False

    return pick(0)


def branch_matches(branch: CompiledBranch, leaves: Mapping[str, Sequence[Leaf]]) -> bool:
    choices: list[list[Membership]] = []
    for rule in branch.fields:
        found = leaves.get(rule.path, _NO_LEAVES)
        if not found:
            if rule.exists_false:
                continue
            return False
        memberships = list(dict.fromkeys(m for value, m in found if rule.test(value)))
        if not memberships:
            return False
        if () not in memberships:  # a leaf outside every array constrains nothing
            choices.append(memberships)
    return len(choices) < 2 or _consistent(choices)


class Matcher:
    """A compiled EventBridge pattern (or SNS body policy): ``matches(event)``."""

    def __init__(self, branches: Sequence[CompiledBranch]) -> None:
        self.branches = tuple(branches)
        self.index = PathIndex(rule.path for branch in self.branches for rule in branch.fields)

    def matches(self, event: Mapping[str, Any] | str) -> bool:
        if isinstance(event, str):
            try:
                event = json.loads(event)
            except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's stack
                return False
        if not isinstance(event, Mapping):
            return False
        leaves = flatten(event, self.index)
        return any(branch_matches(branch, leaves) for branch in self.branches)
