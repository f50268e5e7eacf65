"""What the SQS and the stream pollers of event source mappings share: reading a ReportBatchItemFailures response and
recording a mapping's LastProcessingResult."""

from __future__ import annotations

from ... import safejson
from ...store.base import Tx
from . import store_esm


def set_result(tx: Tx, uuid: str, result: str) -> None:
    """Record a mapping's LastProcessingResult."""
    m = store_esm.get_mapping(tx, uuid)
    if m is not None:
        store_esm.set_config(tx, uuid, {**m.config, "LastProcessingResult": result})


def failed_items(payload: bytes, ids: set[str]) -> set[str] | None:
    """The message ids a ReportBatchItemFailures response names; None when the response is invalid (the whole
    batch failed). An empty or null response, or an empty or null batchItemFailures, is complete success."""
    text = payload.decode("utf-8", "replace").strip()
    if not text or text == "null":
        return set()
    try:
        doc = safejson.loads(text)  # the function's answer: bounded depth and size
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    items = doc.get("batchItemFailures")
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    out = set()
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident or ident not in ids:
            return None
        out.add(ident)
    return out
