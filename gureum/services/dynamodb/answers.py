"""Answers written from items' stored JSON: an item is stored as the JSON the protocol writes of it
(values.dump_item), so GetItem, Query and Scan join that text into their body (Prewritten) instead of decoding every
item and writing it again; byte for byte what the engine writes of the same answer's dict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from ...aws.protocols.json import Prewritten, dumps
from . import values
from .values import Item

_ITEM_MEMBERS = ("LastEvaluatedKey",)  # the other members holding an item (binary values base64 on the wire)


def prewritten(out: dict[str, Any], member: str, written: str | Sequence[str]) -> Prewritten:
    """``out`` (its members in the order they are written) whose ``member`` is ``written``: one item's stored text
    (GetItem's Item; ``out`` holds it decoded) or a list of them (Query's and Scan's Items, decoded when asked
    for); the other members are plain JSON values or items."""
    parts = []
    value = dict(out)
    for key, item in out.items():
        if item is None:
            continue
        if key == member:
            if isinstance(written, str):
                parts.append(f'"{key}":{written}')
            else:
                parts.append(f'"{key}":[' + ",".join(written) + "]")
                value[key] = StoredItems(written)
        elif key in _ITEM_MEMBERS:
            parts.append(f'"{key}":' + dumps(values.wire_item(item)).decode())
        else:
            parts.append(f'"{key}":' + dumps(item).decode())
    return Prewritten(value, ("{" + ",".join(parts) + "}").encode())


class StoredItems(Sequence[Item]):
    """Items as stored (values.dump_item), decoded when asked for (anything but the JSON protocol's body)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, at: int) -> Item: ...

    @overload
    def __getitem__(self, at: slice) -> list[Item]: ...

    def __getitem__(self, at: int | slice) -> Item | list[Item]:
        if isinstance(at, slice):
            return [values.load_item(text) for text in self._texts[at]]
        return values.load_item(self._texts[at])
