"""The Batch scheduler: one per deployment (the store's leadership; on PostgreSQL the other nodes only write). Each
pass, woken by SubmitJob, CancelJob/TerminateJob (the store's notification reaches every node) and finished
attempts, moves jobs SUBMITTED → PENDING (dependencies) → RUNNABLE, fails the dependents of failed jobs, finishes
array parents from their children, and starts RUNNABLE jobs — queues by priority, each queue first in first out
or by its fair-share policy — on the first compute environment in the queue's order with vCPUs to spare
(maxvCpus, or unmanagedvCpus) while this machine has the memory; runner.py runs each attempt on the engine.
Every status change is written with a "Batch Job State Change" event in the same transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ...clock import Clock
from ...containers import Containers
from ...delivery import Delivery
from ...store.base import Store, Tx
from . import jobs, resources, store
from .jobs import PRIVATE

log = logging.getLogger("gureum")

_ROLE = "batch-scheduler"
# the statusReason of a job that waits RUNNABLE and why (AWS's "jobs stuck in RUNNABLE" reasons, the part before
# " - " being what jobStateTimeLimitActions match)
MAX_RESOURCE = (
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU "
    "requirement of the job."
)
MISFIT = (
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that "
    "can be met by the CE(s) attached to the job queue."
)
NO_ENGINE = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - no container engine is reachable to run jobs on: "
INVALID = "ACTION_REQUIRED - CE(s) associated with the job queue are invalid."


class Scheduler:
    """The leader's scheduling passes; ``runner`` runs the attempts it starts."""

    def __init__(
        self,
        store_: Store,
        clock: Clock,
        delivery: Delivery,
        containers: Containers,
        tick: float = 1.0,
        second: float = 1.0,
    ) -> None:
        self.second = second  # the length of a time limit's second (GUREUM_BATCH_SECOND; tests shorten it)
        self.processes = False  # the host process executor stands in for a missing engine (processes.py)
        self.store = store_
        self.clock = clock
        self.delivery = delivery
        self.containers = containers
        self.tick = tick
        self._wake = asyncio.Event()
        self._leading = False
        # fair share: (queue ARN, share) → (vCPUs started, decayed, at when): each share's recent use of the queue
        self._history: dict[tuple[str, str], tuple[float, float]] = {}
        self.start_attempt: Callable[[str, bool], None] | None = None  # the runner's (job id, adopt)
        self.running: Callable[[], set[str]] = set  # the job ids whose attempts run on this node
        self.stop_attempt: Callable[[str], None] = lambda job_id: None

    def wake(self, _payload: str = "") -> None:
        self._wake.set()

    async def loop(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.tick)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                leading = await self.store.is_leader(_ROLE)
                if leading and not self._leading:
                    await self._adopt()
                self._leading = leading
                if leading:
                    await self.run_pass()
            except Exception:  # the next pass tries again
                log.exception("Batch scheduler pass failed")

    # --- writes ------------------------------------------------------------------------------------------------

    def save(self, tx: Tx, doc: dict[str, Any], old_status: str | None) -> None:
        """Write a job; a new status sends its "Batch Job State Change" event."""
        store.save_job(tx, doc, doc[PRIVATE].get("ce") if doc["status"] in ("STARTING", "RUNNING") else None)
        if old_status is not None and old_status != doc["status"]:
            self.emit(tx, jobs.event(doc, self.clock.now()))

    def emit(self, tx: Tx, event: dict[str, Any]) -> None:
        """Enqueue a "Batch Job State Change" event to the account's default bus (in the writing transaction)."""
        bus = f"arn:aws:events:{event['region']}:{event['account']}:event-bus/default"
        self.delivery.enqueue(tx, "events", bus, {"event": event, "hops": 1}, source=event["resources"][0])

    # --- a pass ------------------------------------------------------------------------------------------------

    async def _adopt(self) -> None:
        """On taking the lead: the attempts that were running (before a restart, or on a node that went) are
        taken over by this node's runner — adopted if their containers still run, else failed as on a lost host."""
        active = await self.store.read(lambda tx: store.jobs_in(tx, ("STARTING", "RUNNING")))
        mine = self.running()
        for doc in active:
            if doc["jobId"] not in mine and self.start_attempt is not None:
                self.start_attempt(doc["jobId"], True)

    async def run_pass(self) -> None:
        now = self.clock.now()

        def read(tx: Tx) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], Any, Any]:
            return (
                store.jobs_in(tx, jobs.UNFINISHED),
                store.all_resources(tx, "ce"),
                store.all_resources(tx, "jq"),
                {d["arn"]: d for d in store.all_resources(tx, "sp")},
                store.used_capacity(tx),
            )

        active, environments, queues, policies, used = await self.store.read(read)
        await self._validate_environments(environments)
        by_id = {d["jobId"]: d for d in active}
        wanted = {dep for d in active if d["status"] in ("SUBMITTED", "PENDING") for dep in d[PRIVATE]["deps"]}
        missing = sorted(wanted - set(by_id))
        outside = await self.store.read(lambda tx: store.statuses(tx, missing)) if missing else {}
        changed: dict[str, str] = {}  # job id → its status before this pass

        events: list[dict[str, Any]] = []  # one per transition, several for a job that moves on within the pass

        def move(doc: dict[str, Any], status: str, reason: str | None = None) -> None:
            changed.setdefault(doc["jobId"], doc["status"])
            doc["status"] = status
            if reason is not None:
                doc["statusReason"] = reason
            if status in store.TERMINAL:
                doc["stoppedAt"] = jobs.ms(now)
            events.append(jobs.event(doc, now))

        def status_of(job_id: str) -> str:
            found = by_id.get(job_id)
            return found["status"] if found is not None else outside.get(job_id, "SUCCEEDED")

        for doc in active:
            stop = doc[PRIVATE].get("stop")
            if stop and doc["status"] in ("STARTING", "RUNNING"):
                if stop["kind"] == "terminate":
                    self.stop_attempt(doc["jobId"])
                continue
            if doc[PRIVATE].get("array"):
                continue  # after the children
            if stop:
                doc["isCancelled" if stop["kind"] == "cancel" else "isTerminated"] = True
                move(doc, "FAILED", stop["reason"])
                continue
            if doc["status"] == "SUBMITTED":
                move(doc, "PENDING" if doc[PRIVATE]["deps"] else "RUNNABLE")
            if doc["status"] == "PENDING":
                states = [status_of(dep) for dep in doc[PRIVATE]["deps"]]
                if "FAILED" in states:
                    move(doc, "FAILED", "Dependent Job failed")
                elif all(s == "SUCCEEDED" for s in states):
                    move(doc, "RUNNABLE")
        children: dict[str, list[dict[str, Any]]] = {}
        for doc in active:
            if doc[PRIVATE].get("parent"):
                children.setdefault(doc[PRIVATE]["parent"], []).append(doc)
        for doc in active:
            if doc[PRIVATE].get("array"):
                await self._parent(doc, children.get(doc["jobId"], []), changed, move)
        starts = await self._place(active, environments, queues, policies, used, move, events.append, now)
        docs = [by_id[i] for i in changed] + [d for d in active if d.get("_misfit") and d["jobId"] not in changed]
        for doc in docs:
            doc.pop("_misfit", None)
        if docs:

            def write(tx: Tx) -> None:
                for doc in docs:
                    self.save(tx, doc, None)
                for event in events:
                    self.emit(tx, event)

            await self.store.write(write)
        if self.start_attempt is not None:
            for job_id in starts:
                self.start_attempt(job_id, False)

    async def _parent(
        self,
        doc: dict[str, Any],
        kids: list[dict[str, Any]],
        changed: dict[str, str],
        move: Callable[..., None],
    ) -> None:
        """An array parent: PENDING once submitted; SUCCEEDED when every child succeeded, FAILED when all finished
        and one failed."""
        if doc["status"] == "SUBMITTED":
            move(doc, "PENDING")
        if any(k["status"] in jobs.UNFINISHED for k in kids):
            return
        counts = await self.store.read(lambda tx: store.children_summary(tx, doc["jobId"]))
        for kid in kids:  # this pass's changes are not written yet
            before = changed.get(kid["jobId"], kid["status"])
            counts[before] = counts.get(before, 0) - 1
            counts[kid["status"]] = counts.get(kid["status"], 0) + 1
        if any(counts.get(s, 0) > 0 for s in jobs.UNFINISHED) or not sum(counts.values()):
            return
        if counts.get("FAILED", 0):
            move(doc, "FAILED", "Array Child Job failed")
        else:
            move(doc, "SUCCEEDED", "Array Child Jobs succeeded")
        stop = doc[PRIVATE].get("stop")
        if stop:
            doc["isCancelled" if stop["kind"] == "cancel" else "isTerminated"] = True

    async def _validate_environments(self, environments: list[dict[str, Any]]) -> None:
        """New compute environments become VALID on the scheduler's first pass after CreateComputeEnvironment."""
        fresh = [d for d in environments if d["status"] == "CREATING"]
        if not fresh:
            return
        for doc in fresh:
            doc["status"], doc["statusReason"] = "VALID", "ComputeEnvironment Healthy"

        def write(tx: Tx) -> None:
            for doc in fresh:
                parts = doc["computeEnvironmentArn"].split(":")
                name = doc["computeEnvironmentName"]
                store.put_resource(tx, doc["computeEnvironmentArn"], parts[4], parts[3], "ce", name, 0, "VALID", 0, doc)

        await self.store.write(write)

    async def _place(
        self,
        active: list[dict[str, Any]],
        environments: list[dict[str, Any]],
        queues: list[dict[str, Any]],
        policies: dict[str, dict[str, Any]],
        used: dict[str, tuple[float, int]],
        move: Callable[..., None],
        emit: Callable[[dict[str, Any]], None],
        now: float,
    ) -> list[str]:
        """Start RUNNABLE jobs where they fit; returns the ids started (now STARTING)."""
        runnable: dict[str, list[dict[str, Any]]] = {}
        for doc in active:
            if doc["status"] == "RUNNABLE" and not doc[PRIVATE].get("array") and not doc[PRIVATE].get("stop"):
                runnable.setdefault(doc["jobQueue"], []).append(doc)
        if not runnable:
            return []
        status = await self.containers.status()
        engine = bool(status.get("engine")) or self.processes
        by_arn = {d["computeEnvironmentArn"]: d for d in environments}
        free = {a: resources.capacity(d) - used.get(a, (0.0, 0))[0] for a, d in by_arn.items()}
        _, machine_memory = resources.machine()
        memory_free = machine_memory - sum(m for _, m in used.values())
        running_shares: dict[str, dict[str, float]] = {}
        for doc in active:
            if doc["status"] in ("STARTING", "RUNNING") and doc.get("shareIdentifier"):
                shares = running_shares.setdefault(doc["jobQueue"], {})
                shares[doc["shareIdentifier"]] = shares.get(doc["shareIdentifier"], 0.0) + doc[PRIVATE]["vcpus"]
        started: list[str] = []
        for queue in sorted(queues, key=lambda q: -int(q["priority"])):
            waiting = runnable.get(queue["jobQueueArn"]) or []
            if not waiting or queue["state"] != "ENABLED":
                continue
            order = [by_arn[o["computeEnvironment"]] for o in queue["computeEnvironmentOrder"]]
            order = [d for d in order if d is not None]
            policy = policies.get(queue.get("schedulingPolicyArn") or "")
            usage = dict(running_shares.setdefault(queue["jobQueueArn"], {}))
            if policy is not None:
                for share in {d["shareIdentifier"] for d in waiting}:
                    usage[share] = usage.get(share, 0.0) + self._used(queue["jobQueueArn"], share, policy, now)
            limits = queue.get("jobStateTimeLimitActions") or []
            for doc in _ordered(waiting, policy, usage, order):
                vcpus, memory = doc[PRIVATE]["vcpus"], doc[PRIVATE]["memory"]
                usable = [d for d in order if d["state"] == "ENABLED" and d["status"] == "VALID"]
                blocked = None
                if not order or all(d["status"] == "INVALID" for d in order):
                    blocked = INVALID
                elif not any(vcpus <= resources.capacity(d) for d in order):
                    blocked = MAX_RESOURCE
                elif memory > machine_memory:
                    blocked = MISFIT
                elif not engine:
                    blocked = NO_ENGINE + str(status.get("error", ""))
                if blocked is not None:
                    self._blocked(doc, blocked, limits, move, emit, now)
                    continue
                if policy is not None and not _within_reservation(
                    policy, running_shares[queue["jobQueueArn"]], doc, order, free
                ):
                    continue
                for environment in usable:
                    target = environment["computeEnvironmentArn"]
                    if free[target] + 1e-9 >= vcpus and memory_free >= memory:
                        free[target] -= vcpus
                        memory_free -= memory
                        doc[PRIVATE]["ce"] = target
                        doc[PRIVATE]["ceName"] = environment["computeEnvironmentName"]
                        doc.pop("statusReason", None)
                        move(doc, "STARTING")
                        started.append(doc["jobId"])
                        if doc.get("shareIdentifier"):
                            shares = running_shares[queue["jobQueueArn"]]
                            shares[doc["shareIdentifier"]] = shares.get(doc["shareIdentifier"], 0.0) + vcpus
                            if policy is not None:
                                key = (queue["jobQueueArn"], doc["shareIdentifier"])
                                past = self._used(key[0], key[1], policy, now)
                                self._history[key] = (past + vcpus, now)
                        break
        return started

    def _blocked(
        self,
        doc: dict[str, Any],
        reason: str,
        limits: list[dict[str, Any]],
        move: Callable[..., None],
        emit: Callable[[dict[str, Any]], None],
        now: float,
    ) -> None:
        """A RUNNABLE job that cannot start: its statusReason says why (from when, with a "Batch Job Queue Blocked"
        event); the queue's jobStateTimeLimitActions cancel it once it has waited maxTimeSeconds for that reason."""
        private = doc[PRIVATE]
        if doc.get("statusReason") != reason:
            doc["statusReason"], doc["_misfit"] = reason, True
            private["blockedSince"] = now
            event = jobs.event(doc, now)
            event["detail-type"] = "Batch Job Queue Blocked"
            event["resources"].append(doc["jobQueue"])
            emit(event)
        code = reason.split(" - ", 1)[0]
        for limit in limits:
            if limit.get("state") != "RUNNABLE" or limit.get("reason") != code or limit.get("action") != "CANCEL":
                continue
            if now - float(private.get("blockedSince", now)) >= float(limit["maxTimeSeconds"]) * self.second:
                doc["isCancelled"] = True
                move(doc, "FAILED", f"Canceled by JobStateTimeLimit action due to reason: {code}")
                return

    def _used(self, queue: str, share: str, policy: dict[str, Any], now: float) -> float:
        """A share's past use of the queue (vCPUs started), halving every shareDecaySeconds / 2 (0: not kept)."""
        decay = float(policy["fairsharePolicy"].get("shareDecaySeconds") or 0)
        value, at = self._history.get((queue, share), (0.0, now))
        if decay <= 0:
            return 0.0
        return float(value * 0.5 ** ((now - at) / (decay / 2)))


def _ordered(
    waiting: list[dict[str, Any]],
    policy: dict[str, Any] | None,
    running: dict[str, float],
    environments: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The order a queue's RUNNABLE jobs are considered in: first in, first out; with a fair-share policy, the share
    whose usage (running vCPUs and decayed past use), scaled by its weightFactor, is lowest goes next (within a
    share: schedulingPriority, then age)."""
    if policy is None:
        return waiting
    fairshare = policy["fairsharePolicy"]
    by_share: dict[str, list[dict[str, Any]]] = {}
    for doc in sorted(waiting, key=lambda d: (-int(d.get("schedulingPriority", 0)), d["createdAt"])):
        by_share.setdefault(doc["shareIdentifier"], []).append(doc)
    usage = {share: running.get(share, 0.0) for share in by_share}
    out: list[dict[str, Any]] = []
    while by_share:
        share = min(by_share, key=lambda s: (usage[s] * resources.weight(fairshare, s), s))
        doc = by_share[share].pop(0)
        if not by_share[share]:
            del by_share[share]
        usage[share] += max(doc[PRIVATE]["vcpus"], 0.001)
        out.append(doc)
    return out


def _within_reservation(
    policy: dict[str, Any],
    running: dict[str, float],
    doc: dict[str, Any],
    environments: list[dict[str, Any]],
    free: dict[str, float],
) -> bool:
    """computeReservation: a share that already runs jobs may not take the last (reservation/100)^(active shares)
    of the queue's vCPUs, kept for shares that are not running yet."""
    reservation = int(policy["fairsharePolicy"].get("computeReservation") or 0)
    share = doc["shareIdentifier"]
    if not reservation or running.get(share, 0.0) <= 0:
        return True
    active_shares = sum(1 for v in running.values() if v > 0)
    total = sum(resources.capacity(d) for d in environments)
    reserved = total * (reservation / 100) ** active_shares
    spare = sum(free[d["computeEnvironmentArn"]] for d in environments)
    return bool(spare - doc[PRIVATE]["vcpus"] >= reserved - 1e-9)
