"""One pattern engine for EventBridge event patterns and SNS subscription filter policies.

    compile_event_pattern(pattern) -> EventPattern        .matches(event)
    compile_filter_policy(policy, scope) -> FilterPolicy   .matches_attributes(attrs) / .matches_body(body)

Both validate as AWS does and raise ``PatternError`` subclasses whose ``message`` is AWS's text; services
map them to their error codes. The engine mirrors event-ruler, the library behind both services:
``_json`` (Jackson-compatible tokens and locations) -> ``compile`` (branches of per-field terms) ->
``match`` (flattening, array consistency). Imports nothing from the rest of gureum.
"""

from .errors import EventPatternError, EventPatternTooLarge, FilterPolicyError, PatternError
from .eventbridge import EVENT_PATTERN_MAX_LENGTH, EventPattern, compile_event_pattern, event_pattern_matches
from .sns import (
    MAX_COMBINATIONS,
    MAX_KEYS,
    MAX_POLICY_BYTES,
    SCOPES,
    FilterPolicy,
    attribute_values,
    compile_filter_policy,
    filter_policy_combinations,
)

__all__ = [
    "EVENT_PATTERN_MAX_LENGTH",
    "MAX_COMBINATIONS",
    "MAX_KEYS",
    "MAX_POLICY_BYTES",
    "SCOPES",
    "EventPattern",
    "EventPatternError",
    "EventPatternTooLarge",
    "FilterPolicy",
    "FilterPolicyError",
    "PatternError",
    "attribute_values",
    "compile_event_pattern",
    "compile_filter_policy",
    "event_pattern_matches",
    "filter_policy_combinations",
]
