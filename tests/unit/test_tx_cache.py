"""TxCache: the SQLite store's cache of committed values between transactions."""

from __future__ import annotations

from gureum.store.base import TxCache


def test_invalidate_drops_one_namespace() -> None:
    cache = TxCache()
    cache.put("a", 1, "one")
    cache.put("b", 1, "uno")
    cache.invalidate("a")
    assert cache.get("a", 1) is None and cache.get("b", 1) == "uno"


def test_a_failed_batch_after_an_invalidation_forgets_everything() -> None:
    cache = TxCache()
    cache.invalidate("a")  # a job changed rows behind "a" …
    cache.put("a", 1, "read after the change, not committed")  # … a later job of the batch read them
    cache.put("b", 1, "also read inside the batch")
    cache.settle(failed=True)  # the batch did not commit
    assert cache.get("a", 1) is None and cache.get("b", 1) is None


def test_a_failed_batch_without_invalidation_keeps_values() -> None:
    cache = TxCache()
    cache.put("a", 1, "one")
    cache.settle(failed=True)  # e.g. a request for a queue that does not exist
    assert cache.get("a", 1) == "one"
    cache.invalidate("b")
    cache.settle(failed=False)  # committed: the invalidation is done with
    cache.put("b", 2, "two")
    cache.settle(failed=True)
    assert cache.get("b", 2) == "two"
