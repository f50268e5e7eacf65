"""TestInvokeMethod, TestInvokeAuthorizer and the account settings (GetAccount/UpdateAccount): each calls one
method of the backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("TestInvokeMethod")
async def test_invoke_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).test_invoke_method(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        host=ctx.request.host,
        path_with_query_string=req.get("pathWithQueryString"),
        body=req.get("body"),
        headers=req.get("headers"),
        multi_value_headers=req.get("multiValueHeaders"),
        stage_variables=req.get("stageVariables"),
    )


@SERVICE.op("TestInvokeAuthorizer")
async def test_invoke_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).test_invoke_authorizer(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["authorizerId"],
        path_with_query_string=req.get("pathWithQueryString"),
        headers=req.get("headers"),
        stage_variables=req.get("stageVariables"),
    )


@SERVICE.op("GetAccount")
async def get_account(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_account(ctx.account, ctx.region)


@SERVICE.op("UpdateAccount")
async def update_account(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_account(ctx.account, ctx.region, req.get("patchOperations") or [])
