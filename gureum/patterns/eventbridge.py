"""EventBridge event patterns: ``compile_event_pattern(pattern) -> EventPattern``.

Validation is what PutRule and TestEventPattern do: event-ruler's compiler (errors with Jackson
locations), the wildcard complexity limit, and the account's pattern-size quota (2,048 characters by
default, adjustable up to the API's 4,096; eb-quota.html). Messages come from ``EventPatternError.message``
("Event pattern is not valid. Reason: ..."). Imports nothing from gureum outside this package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import wildcard
from .compile import EVENTBRIDGE, Branch, compile_branches
from .errors import EventPatternError, EventPatternTooLarge, PatternError
from .match import CompiledBranch, FieldRule, Matcher
from .operators import AnythingButWildcard, Wildcard

EVENT_PATTERN_MAX_LENGTH = 2048  # "Event pattern size" quota default, in characters


class EventPattern(Matcher):
    """A validated EventBridge pattern; ``matches(event)`` takes the event envelope (dict or JSON text)."""

    def __init__(self, source: str, branches: list[Branch]) -> None:
        super().__init__(
            [CompiledBranch(tuple(FieldRule.build(path, terms) for path, terms in b.items())) for b in branches]
        )
        self.source = source


def pattern_text(pattern: str | Mapping[str, Any]) -> str:
    return pattern if isinstance(pattern, str) else json.dumps(pattern)


def compile_event_pattern(
    pattern: str | Mapping[str, Any], *, max_length: int | None = EVENT_PATTERN_MAX_LENGTH
) -> EventPattern:
    """Validate and compile; raises EventPatternError (or EventPatternTooLarge)."""
    source = pattern_text(pattern)
    if max_length is not None and len(source) > max_length:
        raise EventPatternTooLarge(f"Event pattern size {len(source)} exceeds the maximum of {max_length} characters")
    try:
        branches = compile_branches(source, EVENTBRIDGE)
    except PatternError as error:
        raise EventPatternError(error.reason, error.location) from None
    if wildcard_complexity(branches) > wildcard.COMPLEXITY_LIMIT:
        raise EventPatternError(wildcard.TOO_COMPLEX)
    return EventPattern(source, branches)


def wildcard_complexity(branches: list[Branch]) -> int:
    """The highest per-field wildcard complexity across the rule's branches."""
    groups: dict[str, dict[tuple[str, ...], None]] = {}
    for branch in branches:
        for path, terms in branch.items():
            for term in terms:
                if isinstance(term, Wildcard):
                    groups.setdefault(path, {})[(term.pattern,)] = None
                elif isinstance(term, AnythingButWildcard):
                    groups.setdefault(path, {})[tuple(sorted({w.pattern for w in term.patterns}))] = None
    return max((wildcard.complexity(list(g), wildcard.COMPLEXITY_LIMIT) for g in groups.values()), default=0)


def event_pattern_matches(pattern: str | Mapping[str, Any], event: str | Mapping[str, Any]) -> bool:
    """TestEventPattern in one call (the pattern is validated first)."""
    return compile_event_pattern(pattern).matches(event if isinstance(event, str) else dict(event))
