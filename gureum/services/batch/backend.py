"""BatchBackend: AWS Batch over the store — compute environments, job queues, scheduling policies, job definition
revisions, tags, and jobs (SubmitJob, CancelJob, TerminateJob, DescribeJobs, ListJobs); the scheduler
(scheduler.py) moves jobs through their states and runs them. One method per operation with plain arguments, kept
by the start hook and reached with backend(ctx)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import definitions, jobs, paging, resources, store
from .errors import ClientException
from .resources import arn, name_of
from .submission import JobOperations, definition_of


def backend(ctx: RequestContext) -> BatchBackend:
    return ctx.runtime.state(BatchBackend)


class BatchBackend(JobOperations):
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
        page, more = paging.page(found, token, limit)
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
                # shown only once set, with AWS's defaults for what it leaves out (Terraform reads it back as given)
                doc["updatePolicy"] = {
                    **resources.UPDATE_POLICY_DEFAULTS,
                    **doc.get("updatePolicy", {}),
                    **update_policy,
                }
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
        page, more = paging.page(found, token, limit)
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
        page, more = paging.page([{"arn": d["arn"]} for d in found], token, limit, 1000)
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
            doc = definition_of(tx, account, region, reference, any_status=True)
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
                    if not isinstance(reference, str):
                        raise ClientException(f"{reference!r} is not a job definition name or ARN.")
                    if ":" in reference.rsplit("/", 1)[-1]:
                        found = definition_of(tx, account, region, reference, any_status=True)
                        out += [found] if found else []
                    else:
                        out += store.resources(tx, account, region, "jd", name_of(reference, "job-definition"))
                return out
            return store.resources(tx, account, region, "jd", name)

        found = await self.store.read(read)
        if status:
            found = [d for d in found if d["status"] == status]
        page, more = paging.page(found, token, limit)
        out: dict[str, Any] = {"jobDefinitions": page}
        if more:
            out["nextToken"] = more
        return out


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
