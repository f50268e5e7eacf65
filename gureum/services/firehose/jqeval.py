"""JQ metadata-extraction queries (dynamic partitioning's MetadataExtractionQuery, "JQ-1.6") through the jq
library, in a worker process of its own: a user's query may loop forever or blow up, so it never runs on the event
loop or in gureum's process; a worker that overruns its time is killed and replaced."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import multiprocessing
from typing import Any

_MAX_DEPTH = 256


def check(query: str) -> str | None:
    """The compile error of a query, or None (in the worker)."""
    import jq

    try:
        jq.compile(query)
    except ValueError as error:
        return str(error)
    return None


def extract_many(query: str, documents: list[str]) -> list[dict[str, str] | str]:
    """Per JSON text: the query's first result as {key: text} (an object of scalars), or an error message."""
    import jq

    program = jq.compile(query)
    out: list[dict[str, str] | str] = []
    for text in documents:
        try:
            value = program.input_text(text).first()
        except (ValueError, StopIteration) as error:
            out.append(f"jq could not evaluate the query on the record: {error}")
            continue
        if not isinstance(value, dict):
            out.append("the MetadataExtractionQuery must produce a JSON object")
            continue
        keys: dict[str, str] = {}
        for key, item in value.items():
            if item is None or isinstance(item, (dict, list)):
                keys = {}
                out.append(f"partition key {key!r} is not a scalar value")
                break
            keys[key] = item if isinstance(item, str) else json.dumps(item)
        else:
            out.append(keys)
    return out


class JqWorker:
    """One worker process; calls are serialised and bounded in time."""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = asyncio.Lock()

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def _kill(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn: Any, *args: Any, timeout: float) -> Any:
        async with self._lock:
            future = asyncio.get_running_loop().run_in_executor(self._executor(), fn, *args)
            try:
                return await asyncio.wait_for(future, timeout)
            except (TimeoutError, concurrent.futures.process.BrokenProcessPool):
                self._kill()
                raise TimeoutError("the MetadataExtractionQuery did not finish in time") from None

    def close(self) -> None:
        self._kill()
