"""AWS::Batch::ComputeEnvironment, JobQueue, JobDefinition and SchedulingPolicy through Batch's operations
(template members fitted to Batch's camelCase by the caller; Tags a map as Batch takes them). Compute environments
are waited for until VALID; environments and queues are disabled before they are deleted, as CloudFormation does."""

from __future__ import annotations

from typing import Any

from ..caller import ServiceCallError
from ..errors import ResourceFailure
from .base import Context, Created, Provider, tag_changes, tags_map, until


async def _retag(ctx: Context, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
    if gone:
        await ctx.aws("batch", "UntagResource", {"resourceArn": arn, "tagKeys": gone})
    if changed:
        await ctx.aws("batch", "TagResource", {"resourceArn": arn, "tags": changed})


def _with_tags(ctx: Context, params: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    tags = tags_map(props, ctx.tags)
    if tags:
        params["tags"] = tags
    return params


class ComputeEnvironment(Provider):
    type = "AWS::Batch::ComputeEnvironment"
    tags_in_place = True
    system_tags = False
    replace = frozenset({"ComputeEnvironmentName", "Type", "EksConfiguration"})
    name_property = "ComputeEnvironmentName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params = {
            k: v for k, v in props.items() if k not in ("ComputeEnvironmentName", "Tags", "ReplaceComputeEnvironment")
        }
        params["computeEnvironmentName"] = props.get("ComputeEnvironmentName") or ctx.name(128)
        found = await ctx.aws("batch", "CreateComputeEnvironment", _with_tags(ctx, params, props))
        arn = found["computeEnvironmentArn"]
        await self._valid(ctx, arn)
        return Created(arn, {"ComputeEnvironmentArn": arn})

    async def _valid(self, ctx: Context, arn: str) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            found = await ctx.aws("batch", "DescribeComputeEnvironments", {"computeEnvironments": [arn]})
            envs = found.get("computeEnvironments") or []
            if not envs:
                raise ResourceFailure(f"Compute environment {arn} was not found")
            if envs[0].get("status") == "INVALID":
                raise ResourceFailure(envs[0].get("statusReason") or "Compute environment is INVALID")
            return envs[0] if envs[0].get("status") == "VALID" else None

        return await until(ctx, check)

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for member in ("State", "UnmanagedvCpus", "ComputeResources", "ServiceRole", "UpdatePolicy", "Context"):
            if old.get(member) != new.get(member) and new.get(member) is not None:
                changes[member] = new[member]
        if changes:
            await ctx.aws("batch", "UpdateComputeEnvironment", {"computeEnvironment": physical_id, **changes})
            await self._valid(ctx, physical_id)
        await _retag(ctx, physical_id, old, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await self._valid(ctx, physical_id)
        await ctx.aws("batch", "UpdateComputeEnvironment", {"computeEnvironment": physical_id, "state": "DISABLED"})
        await ctx.aws("batch", "DeleteComputeEnvironment", {"computeEnvironment": physical_id})

        async def check() -> dict[str, Any] | None:
            found = await ctx.aws("batch", "DescribeComputeEnvironments", {"computeEnvironments": [physical_id]})
            return {} if not found.get("computeEnvironments") else None

        await until(ctx, check)


class JobQueue(Provider):
    type = "AWS::Batch::JobQueue"
    tags_in_place = True
    system_tags = False
    replace = frozenset({"JobQueueName", "JobQueueType"})
    name_property = "JobQueueName"

    drift = frozenset({"Priority", "State", "SchedulingPolicyArn"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        found = (await ctx.aws("batch", "DescribeJobQueues", {"jobQueues": [physical_id]})).get("jobQueues") or []
        if not found:
            raise ServiceCallError("Batch", "ClientException", "Job queue not found.", 404)
        names = {"priority": "Priority", "state": "State", "schedulingPolicyArn": "SchedulingPolicyArn"}
        return {names[k]: v for k, v in found[0].items() if k in names}

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params = {k: v for k, v in props.items() if k not in ("JobQueueName", "Tags")}
        params["jobQueueName"] = props.get("JobQueueName") or ctx.name(128)
        found = await ctx.aws("batch", "CreateJobQueue", _with_tags(ctx, params, props))
        return Created(found["jobQueueArn"], {"JobQueueArn": found["jobQueueArn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        members = ("State", "Priority", "ComputeEnvironmentOrder", "SchedulingPolicyArn", "JobStateTimeLimitActions")
        for member in members:
            if old.get(member) != new.get(member) and new.get(member) is not None:
                changes[member] = new[member]
        if changes:
            await ctx.aws("batch", "UpdateJobQueue", {"jobQueue": physical_id, **changes})
        await _retag(ctx, physical_id, old, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("batch", "UpdateJobQueue", {"jobQueue": physical_id, "state": "DISABLED"})
        await ctx.aws("batch", "DeleteJobQueue", {"jobQueue": physical_id})


class JobDefinition(Provider):
    """A change registers a new revision of the definition under the same name (the previous one deregistered
    unless ResourceRetentionPolicy.SkipDeregisterOnUpdate keeps it), as CloudFormation updates it; Ref and
    JobDefinitionArn name the latest revision."""

    type = "AWS::Batch::JobDefinition"
    system_tags = False
    replace = frozenset({"JobDefinitionName"})
    name_property = "JobDefinitionName"

    async def _register(self, ctx: Context, name: str, props: dict[str, Any]) -> str:
        params = {k: v for k, v in props.items() if k not in ("JobDefinitionName", "Tags", "ResourceRetentionPolicy")}
        params["jobDefinitionName"] = name
        found = await ctx.aws("batch", "RegisterJobDefinition", _with_tags(ctx, params, props))
        return str(found["jobDefinitionArn"])

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        arn = await self._register(ctx, props.get("JobDefinitionName") or ctx.name(128), props)
        return Created(arn, {"JobDefinitionArn": arn})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        latest = str(attributes.get("JobDefinitionArn") or physical_id)
        name = latest.rsplit("/", 1)[-1].rsplit(":", 1)[0]
        arn = await self._register(ctx, name, new)
        keep = (new.get("ResourceRetentionPolicy") or {}).get("SkipDeregisterOnUpdate")
        if str(keep).lower() != "true":
            await ctx.aws("batch", "DeregisterJobDefinition", {"jobDefinition": latest})
        return {"Ref": arn, "JobDefinitionArn": arn}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws(
            "batch", "DeregisterJobDefinition", {"jobDefinition": attributes.get("JobDefinitionArn") or physical_id}
        )


class SchedulingPolicy(Provider):
    type = "AWS::Batch::SchedulingPolicy"
    system_tags = False
    replace = frozenset({"Name", "Tags"})
    name_property = "Name"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {"name": props.get("Name") or ctx.name(128)}
        if props.get("FairsharePolicy") is not None:
            params["fairsharePolicy"] = props["FairsharePolicy"]
        found = await ctx.aws("batch", "CreateSchedulingPolicy", _with_tags(ctx, params, props))
        return Created(found["arn"], {"Arn": found["arn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(
            "batch", "UpdateSchedulingPolicy", {"arn": physical_id, "fairsharePolicy": new.get("FairsharePolicy") or {}}
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("batch", "DeleteSchedulingPolicy", {"arn": physical_id})


PROVIDERS = [ComputeEnvironment(), JobQueue(), JobDefinition(), SchedulingPolicy()]
