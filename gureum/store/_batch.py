"""Group commit shared by the SQL backends: batches of jobs, one savepoint each, results handed back to asyncio."""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Callable
from typing import Any

MAX_BATCH = 512
STOP = object()

Result = tuple["asyncio.Future[Any]", Any, BaseException | None]
Pending = list[tuple[str, str]]


def settle(
    results: list[Result], deliver: Callable[[Pending], None] | None = None, pending: Pending | None = None
) -> None:
    """On the event loop: wake subscribers first (so long polls see the commit), then resolve futures."""
    if deliver is not None and pending:
        deliver(pending)
    for future, value, error in results:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)


def run_jobs(
    tx: Any,
    batch: list[Any],
    execute: Callable[[str], Any],
    fatal: tuple[type[BaseException], ...] = (),
    chained: bool = False,
) -> list[Result]:
    """Run each job in its own savepoint (a lone job needs none); a failing job leaves no trace.

    An exception of a ``fatal`` type (a deadlock, a lost connection) aborts the whole batch instead.
    ``chained`` (a server a statement away: PostgreSQL): the caller's BEGIN set the first savepoint already, one
    statement releases a job's savepoint and sets the next one's, a savepoint rolled back to is used again by the
    next job, and the last job's is released by COMMIT — one round trip per job instead of two.
    """
    results: list[Result] = []
    single = len(batch) == 1
    last = len(batch) - 1
    for index, (fn, future, _loop) in enumerate(batch):
        mark = len(tx.pending)
        if not single and not chained:
            execute("SAVEPOINT job")
        try:
            value = fn(tx)
        except fatal:
            raise
        except BaseException as exc:
            del tx.pending[mark:]
            if not single:
                execute("ROLLBACK TO SAVEPOINT job")
                if not chained:
                    execute("RELEASE SAVEPOINT job")
            results.append((future, None, exc))
            if single:
                raise SingleFailed(exc) from exc
        else:
            if not single:
                if not chained:
                    execute("RELEASE SAVEPOINT job")
                elif index != last:
                    execute("RELEASE SAVEPOINT job; SAVEPOINT job")
            results.append((future, value, None))
    return results


class SingleFailed(Exception):
    """A lone job failed: roll the whole transaction back (cheaper than a savepoint)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class TurnQueue:
    """Jobs submitted on an event loop reach the worker threads' queue together, at the end of the loop's turn: one
    wake-up (and one GIL hand-over) for all of them instead of one each. SQLite's one writer uses it; PostgreSQL's
    several workers take jobs one by one (tried: no measurable gain, and Kinesis readers lagged under load)."""

    __slots__ = ("jobs", "queued")

    def __init__(self, jobs: queue.SimpleQueue[Any]) -> None:
        self.jobs = jobs  # lists of jobs, or STOP
        self.queued: dict[asyncio.AbstractEventLoop, list[Any]] = {}  # jobs submitted in this turn of each loop

    def submit(self, job: tuple[Any, asyncio.Future[Any], asyncio.AbstractEventLoop]) -> None:
        """On the event loop: queue a job."""
        loop = job[2]
        queued = self.queued.get(loop)
        if queued is None:
            queued = self.queued[loop] = []
            loop.call_soon(self._flush, loop)
        queued.append(job)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        jobs = self.queued.pop(loop, None)
        if jobs is not None:  # not already handed over by flush_all()
            self.jobs.put(jobs)

    def flush_all(self) -> None:
        """Hand over every queued job now (before STOP, so none is left waiting at close)."""
        for loop in list(self.queued):
            self._flush(loop)


def take_batch(jobs: queue.SimpleQueue[Any], first: list[Any]) -> list[Any]:
    """``first`` and the lists of jobs queued after it (up to about MAX_BATCH jobs)."""
    batch = list(first)
    while len(batch) < MAX_BATCH:
        try:
            more = jobs.get_nowait()
        except queue.Empty:
            break
        if more is STOP:
            jobs.put(STOP)
            break
        batch.extend(more)
    return batch


def hand_back(
    batch: list[Any], results: list[Result], deliver: Callable[[Pending], None] | None, pending: Pending
) -> None:
    """Resolve each job's future on its own loop, in one call per loop."""
    loops: dict[Any, list[Result]] = {}
    for (_fn, _future, loop), result in zip(batch, results):
        loops.setdefault(loop, []).append(result)
    for loop, items in loops.items():
        try:
            loop.call_soon_threadsafe(settle, items, deliver, pending)
        except RuntimeError:  # loop closed during shutdown
            pass
        pending = []


def commit_batch(
    tx: Any,
    batch: list[Any],
    begin: str,
    execute: Callable[[str], Any],
    in_transaction: Callable[[], bool],
    fatal: tuple[type[BaseException], ...] = (),
    chained: bool = False,
) -> list[Result]:
    """BEGIN, run the jobs, COMMIT; return one result per job.

    A lone failing job rolls back the transaction; a failed COMMIT fails every job (nothing in the batch is
    durable).  ``fatal`` errors propagate so the caller can retry the batch.  ``chained``: see run_jobs.
    """
    tx.pending = []
    try:
        execute(f"{begin}; SAVEPOINT job" if chained and len(batch) > 1 else begin)
        results = run_jobs(tx, batch, execute, fatal, chained)
        execute("COMMIT")
        return results
    except SingleFailed as failed:
        execute("ROLLBACK")
        return [(batch[0][1], None, failed.error)]
    except fatal:
        if in_transaction():
            execute("ROLLBACK")
        tx.pending = []
        raise
    except BaseException as exc:
        if in_transaction():
            execute("ROLLBACK")
        tx.pending = []
        return [(future, None, exc) for _fn, future, _loop in batch]
