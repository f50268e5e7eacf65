"""BatchBackend: AWS Batch over the store — compute environments, job queues, scheduling policies, job definition
revisions, tags, and jobs (SubmitJob, CancelJob, TerminateJob, DescribeJobs, ListJobs); the scheduler
(scheduler.py) moves jobs through their states and runs them. One method per operation with plain arguments, kept
by the start hook and reached with backend(ctx)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import definitions, jobs, resources, store
from .errors import ClientException
from .resources import arn, name_of

_KINDS = {"compute-environment": "ce", "job-queue": "jq", "job-definition": "jd", "scheduling-policy": "sp"}


def backend(ctx: RequestContext) -> BatchBackend:
    return ctx.runtime.state(BatchBackend)


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(token.encode()).decode()))
    except (ValueError, UnicodeDecodeError):
        raise ClientException("Invalid nextToken.") from None


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def _page(items: list[Any], token: str | None, limit: int | None, most: int = 100) -> tuple[list[Any], str | None]:
    size = limit or most
    if not 1 <= size <= most:
        raise ClientException(f"maxResults must be between 1 and {most}.")
    offset = _offset(token)
    page = items[offset : offset + size]
    return page, _token(offset + size) if offset + size < len(items) else None


class BatchBackend:
    def __init__(self, store_: Store, clock: Clock, wake: Callable[[], None]) -> None:
        self.store = store_
        self.clock = clock
        self.wake = wake  # tells this node's scheduler there is work (other nodes hear the store's notification)

    # --- compute environments ----------------------------------------------------------------------------------

    def _environments(self, tx: Tx, account: str, region: str) -> dict[str, dict[str, Any] | None]:
        found: dict[str, dict[str, Any] | None] = {}
        for doc in store.resources(tx, account, region, "ce"):
            found[doc["computeEnvironmentName"]] = doc
            found[doc["computeEnvironmentArn"]] = doc
        return found

    async def create_compute_environment(
        self,
        account: str,
        region: str,
        name: str,
        kind: str,
        state: str | None,
        unmanaged_vcpus: int | None,
        compute_resources: dict[str, Any] | None,
        service_role: str | None,
        tags: dict[str, str] | None,
        eks: dict[str, Any] | None,
        context: str | None,
    ) -> dict[str, Any]:
        doc = resources.compute_environment(
            account,
            region,
            name,
            kind,
            state,
            unmanaged_vcpus,
            compute_resources,
            service_role,
            tags,
            eks,
            context,
            str(uuid.uuid4()),
        )

        def write(tx: Tx) -> None:
            if store.resource(tx, doc["computeEnvironmentArn"]) is not None:
                raise ClientException("Object already exists")
            at = self.clock.now()
            store.put_resource(tx, doc["computeEnvironmentArn"], account, region, "ce", name, 0, "CREATING", at, doc)
            tx.notify(store.JOB_CHANNEL, "")

        await self.store.write(write)
        self.wake()
        return {"computeEnvironmentName": name, "computeEnvironmentArn": doc["computeEnvironmentArn"]}

    async def describe_compute_environments(
        self, account: str, region: str, names: list[str] | None, limit: int | None, token: str | None
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.resources(tx, account, region, "ce"))
        if names:
            wanted = {name_of(n, "compute-environment") for n in names}
            found = [d for d in found if d["computeEnvironmentName"] in wanted]
        page, more = _page(found, token, limit)
        out: dict[str, Any] = {"computeEnvironments": page}
        if more:
            out["nextToken"] = more
        return out

    async def update_compute_environment(
        self,
        account: str,
        region: str,
        reference: str,
        state: str | None,
        unmanaged_vcpus: int | None,
        compute_resources: dict[str, Any] | None,
        service_role: str | None,
        update_policy: dict[str, Any] | None,
        context: str | None,
    ) -> dict[str, Any]:
        target = arn(account, region, "compute-environment", name_of(reference, "compute-environment"))

        def write(tx: Tx) -> dict[str, Any]:
            doc = store.resource(tx, target)
            if doc is None or doc["status"] == "DELETING":
                raise ClientException(f"Compute environment {reference} does not exist.")
            if doc["status"] == "CREATING":
                raise ClientException(f"Compute environment {doc['computeEnvironmentName']} is still being created.")
            if state is not None:
                doc["state"] = state
            if unmanaged_vcpus is not None:
                if doc["type"] != "UNMANAGED":
                    raise ClientException("unmanagedvCpus can only be specified for an UNMANAGED compute environment.")
                doc["unmanagedvCpus"] = unmanaged_vcpus
            if compute_resources:
                if doc["type"] != "MANAGED":
                    raise ClientException("computeResources can't be specified for an UNMANAGED compute environment.")
                doc["computeResources"] = resources.check_compute_resources(
                    dict(compute_resources), doc["computeResources"]
                )
            if service_role is not None:
                doc["serviceRole"] = service_role
            if update_policy is not None and doc["type"] == "MANAGED":
                doc["updatePolicy"] = {**doc.get("updatePolicy", {}), **update_policy}
            if context is not None:
                doc["context"] = context
            store.put_resource(tx, target, account, region, "ce", doc["computeEnvironmentName"], 0, "VALID", 0, doc)
            tx.notify(store.JOB_CHANNEL, "")
            return doc

        doc = await self.store.write(write)
        self.wake()
        return {"computeEnvironmentName": doc["computeEnvironmentName"], "computeEnvironmentArn": target}

    async def delete_compute_environment(self, account: str, region: str, reference: str) -> None:
        target = arn(account, region, "compute-environment", name_of(reference, "compute-environment"))

        def write(tx: Tx) -> None:
            doc = store.resource(tx, target)
            if doc is None:
                raise ClientException(f"Compute environment {reference} does not exist.")
            if doc["state"] != "DISABLED":
                raise ClientException(
                    f"Cannot delete compute environment {doc['computeEnvironmentName']}: it must be DISABLED first."
                )
            for queue in store.resources(tx, account, region, "jq"):
                if any(o["computeEnvironment"] == target for o in queue["computeEnvironmentOrder"]):
                    raise ClientException("Cannot delete, found existing JobQueue relationship")
            store.delete_resource(tx, target)

        await self.store.write(write)

    # --- job queues --------------------------------------------------------------------------------------------

    async def create_job_queue(
        self,
        account: str,
        region: str,
        name: str,
        state: str | None,
        policy: str | None,
        priority: int,
        order: list[dict[str, Any]] | None,
        service_order: list[dict[str, Any]] | None,
        queue_type: str | None,
        tags: dict[str, str] | None,
        limits: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        resources.check_name(name, "jobQueueName")
        if service_order:
            raise ClientException(
                "serviceEnvironmentOrder is not supported: gureum has no SageMaker; use computeEnvironmentOrder."
            )
        if queue_type in ("EKS", "SAGEMAKER_TRAINING"):
            raise ClientException(f"jobQueueType {queue_type} is not supported: use ECS or ECS_FARGATE.")
        target = arn(account, region, "job-queue", name)

        def write(tx: Tx) -> dict[str, Any]:
            if store.resource(tx, target) is not None:
                raise ClientException("Object already exists")
            doc: dict[str, Any] = {
                "jobQueueName": name,
                "jobQueueArn": target,
                "state": state or "ENABLED",
                "status": "VALID",
                "statusReason": "JobQueue Healthy",
                "priority": resources.check_priority(priority),
                "computeEnvironmentOrder": resources.check_order(order or [], self._environments(tx, account, region)),
                "tags": resources.check_tags(tags),
                "jobStateTimeLimitActions": _check_limits(limits),
            }
            if policy:
                if store.resource(tx, policy) is None:
                    raise ClientException(f"Scheduling policy {policy} does not exist.")
                doc["schedulingPolicyArn"] = policy
            fargate = any(
                resources.is_fargate(store.resource(tx, o["computeEnvironment"]) or {})
                for o in doc["computeEnvironmentOrder"]
            )
            doc["jobQueueType"] = "ECS_FARGATE" if fargate else "ECS"
            store.put_resource(tx, target, account, region, "jq", name, 0, "VALID", self.clock.now(), doc)
            return doc

        await self.store.write(write)
        return {"jobQueueName": name, "jobQueueArn": target}

    async def describe_job_queues(
        self, account: str, region: str, names: list[str] | None, limit: int | None, token: str | None
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.resources(tx, account, region, "jq"))
        if names:
            wanted = {name_of(n, "job-queue") for n in names}
            found = [d for d in found if d["jobQueueName"] in wanted]
        page, more = _page(found, token, limit)
        out: dict[str, Any] = {"jobQueues": page}
        if more:
            out["nextToken"] = more
        return out

    async def update_job_queue(
        self,
        account: str,
        region: str,
        reference: str,
        state: str | None,
        policy: str | None,
        priority: int | None,
        order: list[dict[str, Any]] | None,
        service_order: list[dict[str, Any]] | None,
        limits: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        target = arn(account, region, "job-queue", name_of(reference, "job-queue"))
        if service_order:
            raise ClientException("serviceEnvironmentOrder is not supported: gureum has no SageMaker.")

        def write(tx: Tx) -> dict[str, Any]:
            doc = store.resource(tx, target)
            if doc is None:
                raise ClientException(f"Job queue {reference} does not exist.")
            if state is not None:
                doc["state"] = state
            if priority is not None:
                doc["priority"] = resources.check_priority(priority)
            if order is not None:
                doc["computeEnvironmentOrder"] = resources.check_order(order, self._environments(tx, account, region))
            if policy is not None:
                if not doc.get("schedulingPolicyArn"):
                    raise ClientException(
                        "A job queue without a scheduling policy (first in, first out) can't be given one."
                    )
                if store.resource(tx, policy) is None:
                    raise ClientException(f"Scheduling policy {policy} does not exist.")
                doc["schedulingPolicyArn"] = policy
            if limits is not None:
                doc["jobStateTimeLimitActions"] = _check_limits(limits)
            store.put_resource(tx, target, account, region, "jq", doc["jobQueueName"], 0, "VALID", 0, doc)
            tx.notify(store.JOB_CHANNEL, "")
            return doc

        doc = await self.store.write(write)
        self.wake()
        return {"jobQueueName": doc["jobQueueName"], "jobQueueArn": target}

    async def delete_job_queue(self, account: str, region: str, reference: str) -> None:
        target = arn(account, region, "job-queue", name_of(reference, "job-queue"))

        def write(tx: Tx) -> None:
            doc = store.resource(tx, target)
            if doc is None:
                raise ClientException(f"Job queue {reference} does not exist.")
            if doc["state"] != "DISABLED":
                raise ClientException(f"Cannot delete job queue {doc['jobQueueName']}: it must be DISABLED first.")
            # AWS terminates the queue's jobs when it goes
            for found in store.jobs_in(tx, jobs.UNFINISHED):
                if found["jobQueue"] == target:
                    store.request_stop(tx, found["jobId"], "terminate", "Job queue deleted", jobs.UNFINISHED)
            store.delete_resource(tx, target)
            tx.notify(store.JOB_CHANNEL, "")

        await self.store.write(write)
        self.wake()

    async def job_queue_snapshot(self, account: str, region: str, reference: str) -> dict[str, Any]:
        """GetJobQueueSnapshot: the RUNNABLE jobs at the front of the queue, oldest first (up to 100)."""
        target = arn(account, region, "job-queue", name_of(reference, "job-queue"))

        def read(tx: Tx) -> list[dict[str, Any]] | None:
            if store.resource(tx, target) is None:
                return None
            return [d for d in store.jobs_in(tx, ("RUNNABLE",)) if d["jobQueue"] == target]

        found = await self.store.read(read)
        if found is None:
            raise ClientException(f"Job queue {reference} does not exist.")
        front = [{"jobArn": d["jobArn"], "earliestTimeAtPosition": d["createdAt"]} for d in found[:100]]
        return {"frontOfQueue": {"jobs": front, "lastUpdatedAt": jobs.ms(self.clock.now())}}

    # --- scheduling policies -----------------------------------------------------------------------------------

    async def create_scheduling_policy(
        self, account: str, region: str, name: str, policy: dict[str, Any] | None, tags: dict[str, str] | None
    ) -> dict[str, Any]:
        resources.check_name(name, "name")
        target = arn(account, region, "scheduling-policy", name)
        doc = {"name": name, "arn": target, "fairsharePolicy": resources.check_fairshare(policy)}
        doc["tags"] = resources.check_tags(tags)

        def write(tx: Tx) -> None:
            if store.resource(tx, target) is not None:
                raise ClientException("Object already exists")
            store.put_resource(tx, target, account, region, "sp", name, 0, "ACTIVE", self.clock.now(), doc)

        await self.store.write(write)
        return {"name": name, "arn": target}

    async def describe_scheduling_policies(self, arns: list[str]) -> dict[str, Any]:
        found = await self.store.read(lambda tx: [store.resource(tx, a) for a in arns])
        return {"schedulingPolicies": [d for d in found if d is not None and "fairsharePolicy" in d]}

    async def list_scheduling_policies(
        self, account: str, region: str, limit: int | None, token: str | None
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.resources(tx, account, region, "sp"))
        page, more = _page([{"arn": d["arn"]} for d in found], token, limit, 1000)
        out: dict[str, Any] = {"schedulingPolicies": page}
        if more:
            out["nextToken"] = more
        return out

    async def update_scheduling_policy(self, target: str, policy: dict[str, Any] | None) -> None:
        def write(tx: Tx) -> None:
            doc = store.resource(tx, target)
            if doc is None or "fairsharePolicy" not in doc:
                raise ClientException(f"Scheduling policy {target} does not exist.")
            doc["fairsharePolicy"] = resources.check_fairshare(policy)
            parts = target.split(":")
            store.put_resource(tx, target, parts[4], parts[3], "sp", doc["name"], 0, "ACTIVE", 0, doc)

        await self.store.write(write)

    async def delete_scheduling_policy(self, target: str) -> None:
        def write(tx: Tx) -> None:
            doc = store.resource(tx, target)
            if doc is None or "fairsharePolicy" not in doc:
                raise ClientException(f"Scheduling policy {target} does not exist.")
            parts = target.split(":")
            for queue in store.resources(tx, parts[4], parts[3], "jq"):
                if queue.get("schedulingPolicyArn") == target:
                    raise ClientException(
                        f"Scheduling policy {doc['name']} is in use by job queue {queue['jobQueueName']}."
                    )
            store.delete_resource(tx, target)

        await self.store.write(write)

    # --- job definitions ---------------------------------------------------------------------------------------

    async def register_job_definition(
        self,
        account: str,
        region: str,
        name: str,
        kind: str,
        parameters: dict[str, str] | None,
        priority: int | None,
        container: dict[str, Any] | None,
        node: dict[str, Any] | None,
        retry: dict[str, Any] | None,
        propagate_tags: bool | None,
        timeout: dict[str, Any] | None,
        tags: dict[str, str] | None,
        platforms: list[str] | None,
        eks: dict[str, Any] | None,
        ecs: dict[str, Any] | None,
        consumable: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if consumable:
            raise ClientException("consumableResourceProperties are not supported by gureum yet.")
        body = definitions.check_definition(
            name, kind, parameters, container, node, retry, timeout, platforms, eks, ecs, tags
        )
        if priority is not None:
            if not 0 <= priority <= 9999:
                raise ClientException("schedulingPriority must be between 0 and 9999.")
            body["schedulingPriority"] = priority
        if propagate_tags is not None:
            body["propagateTags"] = bool(propagate_tags)

        def write(tx: Tx) -> dict[str, Any]:
            revision = store.last_revision(tx, account, region, name) + 1
            target = arn(account, region, "job-definition", f"{name}:{revision}")
            doc = {
                "jobDefinitionName": name,
                "jobDefinitionArn": target,
                "revision": revision,
                "status": "ACTIVE",
                **body,
            }
            store.put_resource(tx, target, account, region, "jd", name, revision, "ACTIVE", self.clock.now(), doc)
            return doc

        doc = await self.store.write(write)
        return {"jobDefinitionName": name, "jobDefinitionArn": doc["jobDefinitionArn"], "revision": doc["revision"]}

    async def deregister_job_definition(self, account: str, region: str, reference: str) -> None:
        def write(tx: Tx) -> None:
            doc = _definition(tx, account, region, reference, any_status=True)
            if doc is None:
                raise ClientException(f"Job definition {reference} does not exist.")
            doc["status"] = "INACTIVE"
            store.put_resource(
                tx, doc["jobDefinitionArn"], account, region, "jd", doc["jobDefinitionName"], 0, "INACTIVE", 0, doc
            )

        await self.store.write(write)

    async def describe_job_definitions(
        self,
        account: str,
        region: str,
        references: list[str] | None,
        name: str | None,
        status: str | None,
        limit: int | None,
        token: str | None,
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            if references:
                out = []
                for reference in references:
                    if ":" in reference.rsplit("/", 1)[-1]:
                        found = _definition(tx, account, region, reference, any_status=True)
                        out += [found] if found else []
                    else:
                        out += store.resources(tx, account, region, "jd", name_of(reference, "job-definition"))
                return out
            return store.resources(tx, account, region, "jd", name)

        found = await self.store.read(read)
        if status:
            found = [d for d in found if d["status"] == status]
        page, more = _page(found, token, limit)
        out: dict[str, Any] = {"jobDefinitions": page}
        if more:
            out["nextToken"] = more
        return out

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
        definition = _definition(tx, account, region, request["jobDefinition"], any_status=False)
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


def _check_limits(limits: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for item in limits or []:
        if item.get("action") != "CANCEL":
            raise ClientException("jobStateTimeLimitActions action must be CANCEL.")
        if item.get("state") != "RUNNABLE":
            raise ClientException("jobStateTimeLimitActions state must be RUNNABLE.")
        if not 600 <= int(item.get("maxTimeSeconds", 0)) <= 86400:
            raise ClientException("jobStateTimeLimitActions maxTimeSeconds must be between 600 and 86400.")
        out.append(dict(item))
    if len(out) > 5:
        raise ClientException("jobStateTimeLimitActions can contain at most 5 actions.")
    return out


def _definition(tx: Tx, account: str, region: str, reference: str, any_status: bool) -> dict[str, Any] | None:
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
