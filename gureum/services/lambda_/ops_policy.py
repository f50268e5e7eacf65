"""The function's resource policy (AddPermission, RemovePermission, GetPolicy) and the read-only settings tools
such as Terraform read with every function: code signing, runtime management, recursion."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("AddPermission")
async def add_permission(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    statement = await backend(ctx.runtime).add_permission(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        statement_id=req["StatementId"],
        action=req["Action"],
        principal=req["Principal"],
        source_arn=req.get("SourceArn"),
        source_account=req.get("SourceAccount"),
        principal_org_id=req.get("PrincipalOrgID"),
        event_source_token=req.get("EventSourceToken"),
        function_url_auth_type=req.get("FunctionUrlAuthType"),
        revision_id=req.get("RevisionId"),
    )
    return {"Statement": statement}


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).remove_permission(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier"), req["StatementId"], req.get("RevisionId")
    )
    return {}


@SERVICE.op("GetPolicy")
async def get_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_policy(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier"), ctx.access_key
    )


@SERVICE.op("GetFunctionCodeSigningConfig")
async def get_function_code_signing_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_function_code_signing_config(ctx.account, ctx.region, req["FunctionName"])


@SERVICE.op("GetRuntimeManagementConfig")
async def get_runtime_management_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_runtime_management_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier")
    )


@SERVICE.op("GetFunctionRecursionConfig")
async def get_function_recursion_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_function_recursion_config(ctx.account, ctx.region, req["FunctionName"])


@SERVICE.op("PutRuntimeManagementConfig")
async def put_runtime_management_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).put_runtime_management_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier"), req["UpdateRuntimeOn"],
        req.get("RuntimeVersionArn"),
    )  # fmt: skip


@SERVICE.op("PutFunctionRecursionConfig")
async def put_function_recursion_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).put_function_recursion_config(
        ctx.account, ctx.region, req["FunctionName"], req["RecursiveLoop"]
    )
