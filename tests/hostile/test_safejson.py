"""gureum.safejson, the bounded loader services decode client JSON with: deep or oversized documents are
UnsafeJson (a ValueError) before the recursive decoder runs; brackets inside strings do not count."""

from __future__ import annotations

import pytest

from gureum import safejson


def test_deep_documents_are_refused_without_recursion() -> None:
    for text in ('{"a":' * 1500 + "1" + "}" * 1500, "[" * 100_000, b"[" * 2000 + b"]" * 2000):
        with pytest.raises(safejson.UnsafeJson):
            safejson.loads(text)


def test_documents_within_the_bounds_are_json() -> None:
    assert safejson.loads("[" * 200 + "]" * 200) is not None
    assert safejson.loads('{"a": "' + "[" * 5000 + '"}') == {"a": "[" * 5000}
    assert safejson.loads(b'{"a": "\\"[[["}') == {"a": '"[[['}
    with pytest.raises(ValueError):
        safejson.loads("{not json")
    with pytest.raises(safejson.UnsafeJson):
        safejson.loads("[1]" + " " * 100, max_size=50)
