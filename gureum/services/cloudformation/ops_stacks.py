"""Stack operations (create, update, delete, describe, events, resources, termination protection, exports): each
calls one CloudFormationBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateStack")
async def create_stack(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    stack_id = await backend(ctx).create_stack(
        ctx.account,
        ctx.region,
        ctx.request.host,
        req["StackName"],
        req.get("TemplateBody"),
        req.get("TemplateURL"),
        list(req.get("Parameters") or []),
        list(req.get("Capabilities") or []),
        list(req.get("Tags") or []),
        req.get("RoleARN"),
        req.get("OnFailure"),
        req.get("DisableRollback"),
        bool(req.get("EnableTerminationProtection")),
        list(req.get("NotificationARNs") or []),
        req.get("TimeoutInMinutes"),
        policy_body=req.get("StackPolicyBody"),
        policy_url=req.get("StackPolicyURL"),
    )
    return {"StackId": stack_id}


@SERVICE.op("UpdateStack")
async def update_stack(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    stack_id = await backend(ctx).update_stack(
        ctx.account,
        ctx.region,
        ctx.request.host,
        req["StackName"],
        req.get("TemplateBody"),
        req.get("TemplateURL"),
        bool(req.get("UsePreviousTemplate")),
        list(req.get("Parameters") or []),
        req.get("Capabilities"),
        req.get("Tags"),
        req.get("RoleARN"),
        req.get("DisableRollback"),
        req.get("NotificationARNs"),
        policy_body=req.get("StackPolicyBody"),
        policy_url=req.get("StackPolicyURL"),
        during_body=req.get("StackPolicyDuringUpdateBody"),
        during_url=req.get("StackPolicyDuringUpdateURL"),
    )
    return {"StackId": stack_id}


@SERVICE.op("DeleteStack")
async def delete_stack(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_stack(
        ctx.account,
        ctx.region,
        req["StackName"],
        req.get("RoleARN"),
        list(req.get("RetainResources") or []),
        req.get("DeletionMode"),
    )


@SERVICE.op("DescribeStacks")
async def describe_stacks(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_stacks(ctx.account, ctx.region, req.get("StackName"), req.get("NextToken"))


@SERVICE.op("ListStacks")
async def list_stacks(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_stacks(
        ctx.account, ctx.region, list(req.get("StackStatusFilter") or []), req.get("NextToken")
    )


@SERVICE.op("DescribeStackEvents")
async def describe_stack_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_stack_events(ctx.account, ctx.region, req["StackName"], req.get("NextToken"))


@SERVICE.op("DescribeStackResource")
async def describe_stack_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    detail = await backend(ctx).describe_stack_resource(
        ctx.account, ctx.region, req["StackName"], req["LogicalResourceId"]
    )
    return {"StackResourceDetail": detail}


@SERVICE.op("DescribeStackResources")
async def describe_stack_resources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).describe_stack_resources(
        ctx.account, ctx.region, req.get("StackName"), req.get("LogicalResourceId"), req.get("PhysicalResourceId")
    )
    return {"StackResources": found}


@SERVICE.op("ListStackResources")
async def list_stack_resources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_stack_resources(ctx.account, ctx.region, req["StackName"], req.get("NextToken"))


@SERVICE.op("UpdateTerminationProtection")
async def update_termination_protection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    stack_id = await backend(ctx).update_termination_protection(
        ctx.account, ctx.region, req["StackName"], bool(req["EnableTerminationProtection"])
    )
    return {"StackId": stack_id}


@SERVICE.op("ListExports")
async def list_exports(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_exports(ctx.account, ctx.region, req.get("NextToken"))


@SERVICE.op("ListImports")
async def list_imports(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_imports(ctx.account, ctx.region, req["ExportName"])


@SERVICE.op("SetStackPolicy")
async def set_stack_policy(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_stack_policy(
        ctx.account,
        ctx.region,
        ctx.request.host,
        req["StackName"],
        req.get("StackPolicyBody"),
        req.get("StackPolicyURL"),
    )


@SERVICE.op("GetStackPolicy")
async def get_stack_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_stack_policy(ctx.account, ctx.region, req["StackName"])


@SERVICE.op("CancelUpdateStack")
async def cancel_update_stack(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).cancel_update_stack(ctx.account, ctx.region, req["StackName"])


@SERVICE.op("ContinueUpdateRollback")
async def continue_update_rollback(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).continue_update_rollback(
        ctx.account, ctx.region, req["StackName"], req.get("RoleARN"), list(req.get("ResourcesToSkip") or [])
    )


@SERVICE.op("RollbackStack")
async def rollback_stack(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    stack_id = await backend(ctx).rollback_stack(ctx.account, ctx.region, req["StackName"], req.get("RoleARN"))
    return {"StackId": stack_id}
