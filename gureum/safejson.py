"""Bounded JSON decoding for text a client sent inside a request (policies, OpenAPI documents, event details,
payloads): ``loads`` refuses documents nested deeper than MAX_DEPTH or longer than a size limit with
``UnsafeJson`` (a ValueError, so callers that already map json's ValueError keep working) before the
recursive decoder runs, so no RecursionError or stack exhaustion can reach a service."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

# The protocol layer's bound (gureum.aws.protocols.json.MAX_DEPTH): deeper than any AWS document, with room left
# on Python's stack for the code that walks a document afterwards.
MAX_DEPTH = 256
# Larger than any AWS request (Lambda's synchronous payload: 6 MB); a caller passes its own tighter limit.
MAX_SIZE = 16 * 1024 * 1024

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class UnsafeJson(ValueError):
    """The text is too deep or too large to decode safely (a client's error: a 400 in the service's terms)."""


def depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (an upper bound for malformed text), without recursion."""
    opened = text.count("[") + text.count("{")
    if opened <= MAX_DEPTH:
        return opened
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[c] for c in brackets), default=0)


def check(text: str | bytes, *, max_size: int = MAX_SIZE) -> str:
    """``text`` as str when it may be decoded safely; UnsafeJson when it is too large or too deep."""
    if len(text) > max_size:
        raise UnsafeJson(f"JSON document larger than {max_size} bytes")
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode(json.detect_encoding(text))
        except UnicodeDecodeError as error:
            raise ValueError(f"JSON document is not valid text: {error}") from None
    if depth(text) > MAX_DEPTH:
        raise UnsafeJson(f"JSON document nested deeper than {MAX_DEPTH} levels")
    return text


def loads(text: str | bytes, *, max_size: int = MAX_SIZE) -> Any:
    """json.loads for client text: ValueError (json.JSONDecodeError) when it is not JSON, UnsafeJson (also a
    ValueError) when it is too deep or too large."""
    checked = check(text, max_size=max_size)
    try:
        return json.loads(checked)
    except RecursionError:  # deep stack at the call site: still the client's document, still a 400
        raise UnsafeJson(f"JSON document nested too deeply (limit {MAX_DEPTH} levels)") from None
