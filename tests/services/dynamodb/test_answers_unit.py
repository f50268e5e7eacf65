"""GetItem, Query and Scan answers joined from items' stored JSON (answers.prewritten) are byte for byte what the
protocol engine writes of the same answers' dicts, for random items (every type, nested documents, binary, any
text), with and without LastEvaluatedKey and ConsumedCapacity; their dicts hold the items. The shortcuts of
values (a positive integer's key bytes, an item's size) agree with the general code."""

from __future__ import annotations

from typing import Any

import botocore.session
from hypothesis import given, settings
from hypothesis import strategies as st

from gureum.aws.protocols.json import JsonProtocol
from gureum.services.dynamodb import answers, items, values

MODEL = botocore.session.get_session().get_service_model("dynamodb")

_names = st.text(min_size=1, max_size=12)
_numbers = st.one_of(st.integers(-(10**30), 10**30).map(str), st.decimals(allow_nan=False, allow_infinity=False,
                     places=6, min_value=-(10**9), max_value=10**9).map(str))  # fmt: skip
_scalars = st.one_of(
    st.text(max_size=30).map(lambda s: {"S": s}),
    _numbers.map(lambda n: {"N": n}),
    st.binary(max_size=20).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(st.text(max_size=8), min_size=1, max_size=4, unique=True).map(lambda v: {"SS": v}),
    st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=3, unique=True).map(lambda v: {"BS": v}),
    st.lists(st.integers(-1000, 1000).map(str), min_size=1, max_size=4, unique=True).map(lambda v: {"NS": v}),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(_names, inner, max_size=3).map(lambda v: {"M": v}),
    ),
    max_leaves=8,
)
_items = st.dictionaries(_names, _values, min_size=1, max_size=5).map(values.check_item)


def _engine(operation: str, out: dict[str, Any]) -> bytes:
    return JsonProtocol().serialize(MODEL.operation_model(operation), dict(out), "rid").body


@settings(max_examples=80, deadline=None)
@given(item=_items, capacity=st.booleans())
def test_get_item_answer(item: dict[str, Any], capacity: bool) -> None:
    out: dict[str, Any] = {"Item": item}
    if capacity:
        out["ConsumedCapacity"] = items.consumed("TOTAL", "t", 0.5, write=False)
    fast = answers.prewritten(out, "Item", values.dump_item(item))
    assert fast.body == _engine("GetItem", out)
    assert fast["Item"] == item


@settings(max_examples=60, deadline=None)
@given(found=st.lists(_items, max_size=6), more=st.booleans(), capacity=st.sampled_from([None, "TOTAL", "INDEXES"]))
def test_query_and_scan_answers(found: list[dict[str, Any]], more: bool, capacity: str | None) -> None:
    out: dict[str, Any] = {"Count": len(found), "ScannedCount": len(found) + 2, "Items": found}
    if more and found:
        out["LastEvaluatedKey"] = {"k": {"B": b"\x00\xff"}, "n": {"N": "7"}}
    units = items.consumed(capacity, "t", 12.5, {"g": 1.0}, write=False)
    if units is not None:
        out["ConsumedCapacity"] = units
    fast = answers.prewritten(out, "Items", [values.dump_item(i) for i in found])
    for operation in ("Query", "Scan"):
        assert fast.body == _engine(operation, out)
    assert list(fast["Items"]) == found and fast["Count"] == len(found)


@settings(max_examples=200, deadline=None)
@given(number=st.one_of(st.integers(-(10**38) + 1, 10**38 - 1), st.integers(1, 10**6)))
def test_integer_keys_encode_as_decimals_do(number: int) -> None:
    text = values.normalise_number(str(number))
    assert values.encode_key({"N": text}) == values._encode_number(values.number(text))


@settings(max_examples=80, deadline=None)
@given(item=_items)
def test_item_size_is_the_sum_of_value_sizes(item: dict[str, Any]) -> None:
    assert values.item_size(item) == sum(len(k.encode()) + values.value_size(v) for k, v in item.items())
