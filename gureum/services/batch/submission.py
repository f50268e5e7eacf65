"""Batch's job and tag operations over the store (SubmitJob, DescribeJobs, ListJobs, CancelJob, TerminateJob,
TagResource, ListTagsForResource): the part of BatchBackend that jobs are; the scheduler does the rest."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ...clock import Clock
from ...store.base import Store, Tx
from . import jobs, resources, store
from .errors import ClientException
from .paging import offset as _offset
from .paging import token as _token
from .resources import arn, name_of

_KINDS = {"compute-environment": "ce", "job-queue": "jq", "job-definition": "jd", "scheduling-policy": "sp"}


class JobOperations:
    """SubmitJob and the other job operations (BatchBackend's base)."""

    store: Store
    clock: Clock
    wake: Callable[[], None]

    # --- jobs --------------------------------------------------------------------------------------------------

    async def submit_job(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        """SubmitJob: the job (and an array's children) SUBMITTED; the scheduler takes it from there."""
        now = self.clock.now()
        job_id = str(uuid.uuid4())

        def write(tx: Tx) -> dict[str, Any]:
            return self.submit_in_tx(tx, account, region, request, job_id, now)

        out = await self.store.write(write)
        self.wake()
        return out

    def submit_in_tx(
        self, tx: Tx, account: str, region: str, request: dict[str, Any], job_id: str, now: float
    ) -> dict[str, Any]:
        """SubmitJob inside ``tx`` (the API's call, and the "batch" delivery target's)."""
        queue_arn = arn(account, region, "job-queue", name_of(request["jobQueue"], "job-queue"))
        queue = store.resource(tx, queue_arn)
        if queue is None:
            raise ClientException(f"Job queue {request['jobQueue']} does not exist.")
        definition = definition_of(tx, account, region, request["jobDefinition"], any_status=False)
        if definition is None:
            raise ClientException(f"Job definition {request['jobDefinition']} does not exist or is INACTIVE.")
        policy = store.resource(tx, queue["schedulingPolicyArn"]) if queue.get("schedulingPolicyArn") else None
        depends = list(request.get("dependsOn") or [])
        for dependency in depends:
            if dependency.get("jobId") and store.job(tx, dependency["jobId"]) is None:
                raise ClientException(f"Dependent job {dependency['jobId']} does not exist.")
        rows = jobs.submitted(
            account, region, job_id, now, request, queue, definition, policy, lambda i: store.job(tx, i)
        )
        store.insert_jobs(tx, rows)
        tx.notify(store.JOB_CHANNEL, job_id)
        return {"jobArn": rows[0]["body"]["jobArn"], "jobName": request["jobName"], "jobId": job_id}

    async def describe_jobs(self, ids: list[str]) -> dict[str, Any]:
        if len(ids) > 100:
            raise ClientException("DescribeJobs accepts at most 100 job IDs.")
        ids = [i for i in ids if isinstance(i, str)]

        def read(tx: Tx) -> list[dict[str, Any]]:
            found = store.jobs(tx, ids)
            for doc in found:
                if "size" in (doc.get("arrayProperties") or {}):
                    doc["arrayProperties"]["statusSummary"] = jobs.summary(store.children_summary(tx, doc["jobId"]))
            return found

        found = {d["jobId"]: d for d in await self.store.read(read)}
        return {"jobs": [jobs.public(found[i]) for i in dict.fromkeys(ids) if i in found]}

    async def list_jobs(
        self,
        account: str,
        region: str,
        queue: str | None,
        array_job: str | None,
        multi_node_job: str | None,
        status: str | None,
        limit: int | None,
        token: str | None,
        filters: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        if multi_node_job:
            raise ClientException("Multi-node parallel jobs are not supported by gureum; there are no node jobs.")
        if not queue and not array_job:
            raise ClientException("jobQueue, arrayJobId or multiNodeJobId must be specified.")
        queue_arn = arn(account, region, "job-queue", name_of(queue, "job-queue")) if queue else None
        size = limit or 100
        if not 1 <= size <= 1000:
            raise ClientException("maxResults must be between 1 and 1000.")
        name_prefix = name_exact = definition = None
        after = before = None
        for item in filters or []:
            values = item.get("values") or []
            if len(values) != 1:
                raise ClientException(f"Filter {item.get('name')} must have exactly one value.")
            value = values[0]
            key = item.get("name")
            if key == "JOB_NAME":
                if value.endswith("*"):
                    name_prefix = value[:-1]
                else:
                    name_exact = value
            elif key in ("AFTER_CREATED_AT", "BEFORE_CREATED_AT"):
                try:
                    at = int(value) / 1000
                except ValueError:
                    raise ClientException(f"Filter {key} takes a time in milliseconds since the epoch.") from None
                after, before = (at, before) if key == "AFTER_CREATED_AT" else (after, at)
            elif key == "JOB_DEFINITION":
                definition = value if value.startswith("arn:") else arn(account, region, "job-definition", value)
            else:
                raise ClientException(
                    "Filter name must be JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT or AFTER_CREATED_AT."
                )
        statuses: tuple[str, ...] | None
        if filters:
            statuses = None  # with filters every status is listed (jobStatus is ignored)
        else:
            statuses = (status or "RUNNING",)
        offset = _offset(token)

        def read(tx: Tx) -> list[dict[str, Any]]:
            return store.list_jobs(
                tx,
                account,
                region,
                queue_arn,
                array_job,
                statuses,
                name_prefix,
                name_exact,
                after,
                before,
                definition,
                offset,
                size,
            )

        found = await self.store.read(read)
        out: dict[str, Any] = {"jobSummaryList": [jobs.summary_of(d) for d in found[:size]]}
        if len(found) > size:
            out["nextToken"] = _token(offset + size)
        return out

    async def cancel_job(self, job_id: str, reason: str) -> None:
        """CancelJob: a job not yet STARTING fails (the scheduler carries it out); an array's waiting children too.
        A STARTING or RUNNING job is left alone, as AWS does (TerminateJob stops those)."""
        await self._stop(job_id, "cancel", reason, jobs.CANCELLABLE)

    async def terminate_job(self, job_id: str, reason: str) -> None:
        """TerminateJob: any unfinished job fails; a running container is stopped."""
        await self._stop(job_id, "terminate", reason, jobs.UNFINISHED)

    async def _stop(self, job_id: str, kind: str, reason: str, statuses: tuple[str, ...]) -> None:
        if not reason:
            raise ClientException("reason must be specified.")

        def write(tx: Tx) -> None:
            doc = store.job(tx, job_id)
            if doc is None:
                raise ClientException(f"Job {job_id} does not exist.")
            store.request_stop(tx, job_id, kind, reason, statuses)
            if "size" in (doc.get("arrayProperties") or {}):
                for child in store.children(tx, job_id, statuses):
                    store.request_stop(tx, child, kind, reason, statuses)
            tx.notify(store.JOB_CHANNEL, job_id)

        await self.store.write(write)
        self.wake()

    # --- tags --------------------------------------------------------------------------------------------------

    async def tag_resource(self, target: str, add: dict[str, str] | None, remove: list[str] | None) -> None:
        def write(tx: Tx) -> None:
            if ":job/" in target:
                doc = store.job(tx, target.rsplit("/", 1)[1])
                if doc is None:
                    raise ClientException(f"Resource {target} does not exist.")
                store.set_tags(tx, doc["jobId"], _retag(doc.get("tags") or {}, add, remove))
                return
            found = store.resource(tx, target)
            if found is None:
                raise ClientException(f"Resource {target} does not exist.")
            found["tags"] = _retag(found.get("tags") or {}, add, remove)
            parts = target.split(":")
            kind = _KINDS.get(parts[5].split("/", 1)[0], "")
            status = found.get("status", "ACTIVE")
            store.put_resource(tx, target, parts[4], parts[3], kind, "", 0, status, 0, found)

        await self.store.write(write)

    async def list_tags(self, target: str) -> dict[str, str]:
        def read(tx: Tx) -> dict[str, Any] | None:
            if ":job/" in target:
                return store.job(tx, target.rsplit("/", 1)[1])
            return store.resource(tx, target)

        found = await self.store.read(read)
        if found is None:
            raise ClientException(f"Resource {target} does not exist.")
        return dict(found.get("tags") or {})


def _retag(tags: dict[str, str], add: dict[str, str] | None, remove: list[str] | None) -> dict[str, str]:
    out = {**tags, **(add or {})}
    for key in remove or []:
        out.pop(key, None)
    return resources.check_tags(out)


def definition_of(tx: Tx, account: str, region: str, reference: str, any_status: bool) -> dict[str, Any] | None:
    """A job definition by name (its latest ACTIVE revision), name:revision or ARN."""
    text = name_of(reference, "job-definition")
    name, _, revision = text.partition(":")
    if revision:
        found = store.resource(tx, arn(account, region, "job-definition", f"{name}:{revision}"))
        if found is None or (not any_status and found["status"] != "ACTIVE"):
            return None
        return found
    active = [d for d in store.resources(tx, account, region, "jd", name) if d["status"] == "ACTIVE"]
    return active[-1] if active else None
