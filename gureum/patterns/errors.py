"""Errors raised while compiling event patterns and filter policies.

``PatternError`` carries the bare reason (what event-ruler says) and, for errors the Jackson-based rule
compiler raises, the Jackson location suffix. Each service formats the reason its own way; services
map these to their AWS error codes (``InvalidEventPatternException``, ``InvalidParameter``).
Imports nothing from gureum.
"""

from __future__ import annotations


class PatternError(ValueError):
    """A pattern or policy AWS would reject. ``reason`` is event-ruler's text; ``location`` is Jackson's
    ``"\\n at [Source: ...; line: L, column: C]"`` suffix, or "" for errors raised outside the parser."""

    def __init__(self, reason: str, location: str = "") -> None:
        super().__init__(reason + location)
        self.reason = reason
        self.location = location

    @property
    def detail(self) -> str:
        return self.reason + self.location

    @property
    def message(self) -> str:
        return self.detail


class TooManyBranches(PatternError):
    """``$or`` combinations past MAX_BRANCHES: each ``$or`` multiplies the branches, so a short pattern could
    otherwise ask for billions. SNS rejects such policies as too complex long before; EventBridge's limit is
    not documented (the message is ours)."""


class EventPatternError(PatternError):
    """EventBridge ``InvalidEventPatternException`` (PutRule, TestEventPattern)."""

    @property
    def message(self) -> str:
        return f"Event pattern is not valid. Reason: {self.detail}"


class EventPatternTooLarge(EventPatternError):
    """The pattern is longer than the account's "Event pattern size" quota (2,048 characters by default).

    The quota is documented (eb-quota.html); the exact error AWS returns for it is not, so the service
    chooses the code. The message below is ours."""


class FilterPolicyError(PatternError):
    """SNS ``InvalidParameter`` for a FilterPolicy (Subscribe, SetSubscriptionAttributes).

    ``field`` is the prefix AWS puts before the reason: "FilterPolicy: " for most errors, "" for the
    scope error ("Filter policy scope MessageAttributes does not support nested filter policy")."""

    def __init__(self, reason: str, location: str = "", *, field: str = "FilterPolicy: ") -> None:
        super().__init__(reason, location)
        self.field = field

    @property
    def message(self) -> str:
        return self.message_for("SetSubscriptionAttributes")

    def message_for(self, operation: str) -> str:
        """Subscribe wraps attribute errors as "Attributes Reason: ..."; SetSubscriptionAttributes does not."""
        prefix = "Invalid parameter: Attributes Reason: " if operation == "Subscribe" else "Invalid parameter: "
        return f"{prefix}{self.field}{self.detail}"
