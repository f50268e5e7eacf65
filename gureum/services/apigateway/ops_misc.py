"""TestInvokeMethod, FlushStageAuthorizersCache, the account settings (GetAccount/UpdateAccount) and GetModelTemplate."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

from ...aws.context import RequestContext
from ...aws.http import Request
from ...ports import LambdaInvoker
from ...store.base import Tx
from . import SERVICE, store
from .apis import method, read_api, require_api, resource
from .errors import BadRequestException, NotFoundException, not_found
from .model import apply_patch
from .state import EdgeState


@SERVICE.op("TestInvokeMethod")
async def test_invoke_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    from .edge import test_invoke

    def load(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        found = method(doc, req["resourceId"], req["httpMethod"])
        if "methodIntegration" not in found:
            raise BadRequestException("No integration defined for method")
        return doc, resource(doc, req["resourceId"]), found

    doc, item, found = await read_api(ctx, req["restApiId"], load)
    target = urlsplit(req.get("pathWithQueryString") or item["path"])
    headers = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
    for key, values in (req.get("multiValueHeaders") or {}).items():
        headers.setdefault(key.lower(), ",".join(values))
    headers.setdefault("host", ctx.request.host)
    request = Request(
        req["httpMethod"].upper(), target.path or "/", target.query, headers, (req.get("body") or "").encode()
    )
    start = time.perf_counter()
    response = await test_invoke(
        ctx.runtime, ctx.account, ctx.region, doc, item, found, request, req.get("stageVariables") or {}
    )
    latency = int((time.perf_counter() - start) * 1000)
    out_headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in response.headers:
        out_headers[key] = value
        multi.setdefault(key, []).append(value)
    log = f"Execution log for request {request.headers.get('x-amzn-requestid', '')}\nMethod completed with status: {response.status}\n"
    return {
        "status": response.status,
        "body": response.body.decode("utf-8", "replace"),
        "headers": out_headers,
        "multiValueHeaders": multi,
        "log": log,
        "latency": latency,
    }


@SERVICE.op("TestInvokeAuthorizer")
async def test_invoke_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """Call a TOKEN or REQUEST authorizer's function with a simulated request (no cache, no policy evaluation)."""
    from .access import identity_values, lambda_arn

    authorizer = await read_api(ctx, req["restApiId"], lambda doc: _authorizer(doc, req["authorizerId"]))
    target = urlsplit(req.get("pathWithQueryString") or "/")
    headers = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
    query = dict(p.partition("=")[::2] for p in target.query.split("&") if p)
    method_arn = (
        f"arn:aws:execute-api:{ctx.region}:{ctx.account}:{req['restApiId']}/test-invoke-stage/GET{target.path or '/'}"
    )
    start = time.perf_counter()
    identity = identity_values(
        authorizer, {"header": headers, "querystring": query, "path": {}}, req.get("stageVariables") or {}, {}
    )
    if identity is None and authorizer.get("type") == "TOKEN":
        return {"clientStatus": 401, "log": "Unauthorized: the identity source is missing or empty", "latency": 0}
    if authorizer.get("type") == "TOKEN":
        event: dict[str, Any] = {"type": "TOKEN", "methodArn": method_arn, "authorizationToken": (identity or [""])[0]}
    else:
        event = {
            "type": "REQUEST",
            "methodArn": method_arn,
            "resource": target.path or "/",
            "path": target.path or "/",
            "httpMethod": "GET",
            "headers": headers,
            "queryStringParameters": query,
            "pathParameters": {},
            "stageVariables": req.get("stageVariables") or {},
        }
    out = await ctx.runtime.port(LambdaInvoker).invoke(
        ctx.account, ctx.region, lambda_arn(authorizer.get("authorizerUri", "")), json.dumps(event).encode()
    )
    latency = int((time.perf_counter() - start) * 1000)
    try:
        doc = json.loads(out.get("Payload") or b"null")
    except ValueError:
        doc = None
    if out.get("FunctionError"):
        unauthorized = isinstance(doc, dict) and doc.get("errorMessage") == "Unauthorized"
        return {"clientStatus": 401 if unauthorized else 500, "log": json.dumps(doc), "latency": latency}
    if not isinstance(doc, dict) or "policyDocument" not in doc:
        return {
            "clientStatus": 500,
            "log": "Execution failed due to configuration error: Invalid JSON in response",
            "latency": latency,
        }
    return {
        "clientStatus": 200,
        "log": f"Authorizer returned for {method_arn}",
        "latency": latency,
        "principalId": str(doc.get("principalId", "")),
        "policy": json.dumps(doc["policyDocument"]),
        "authorization": {k: [str(v)] for k, v in (doc.get("context") or {}).items()},
    }


def _authorizer(doc: dict[str, Any], authorizer_id: str) -> dict[str, Any]:
    found = doc.get("authorizers", {}).get(authorizer_id)
    if found is None:
        raise not_found("authorizer")
    return found  # type: ignore[no-any-return]


@SERVICE.op("FlushStageAuthorizersCache")
async def flush_stage_authorizers_cache(ctx: RequestContext, req: dict[str, Any]) -> None:
    def check(tx: Tx) -> None:
        require_api(tx, ctx, req["restApiId"])
        if store.get_stage(tx, req["restApiId"], req["stageName"]) is None:
            raise not_found("stage")

    await ctx.runtime.store.read(check)
    cache = ctx.runtime.state(EdgeState).access.auth_cache  # this node's cache (each node caches on its own)
    for key in [k for k in cache if k[0] == req["restApiId"]]:
        cache.pop(key, None)


@SERVICE.op("FlushStageCache")
async def flush_stage_cache(ctx: RequestContext, req: dict[str, Any]) -> None:
    from .edge import CACHE_CHANNEL

    def flush(tx: Tx) -> None:
        require_api(tx, ctx, req["restApiId"])
        stage = store.get_stage(tx, req["restApiId"], req["stageName"])
        if stage is None:
            raise not_found("stage")
        if not stage.get("cacheClusterEnabled"):
            raise BadRequestException("The stage does not have a cache cluster enabled")
        tx.notify(CACHE_CHANNEL, f"{req['restApiId']}/{req['stageName']}")

    await ctx.runtime.store.write(flush)


_ACCOUNT_DEFAULTS = {
    "id": "account",
    "throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
    "features": ["UsagePlans"],
    "apiKeyVersion": "4",
}


def _account(tx: Tx, ctx: RequestContext) -> dict[str, Any]:
    return store.get_entity(tx, ctx.account, ctx.region, "account", "account") or dict(_ACCOUNT_DEFAULTS)


@SERVICE.op("GetAccount")
async def get_account(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    item = await ctx.runtime.store.read(lambda tx: _account(tx, ctx))
    return {k: v for k, v in item.items() if k != "id"}


@SERVICE.op("UpdateAccount")
async def update_account(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(tx: Tx) -> dict[str, Any]:
        exists = store.get_entity(tx, ctx.account, ctx.region, "account", "account") is not None
        item = apply_patch(
            _account(tx, ctx), req.get("patchOperations") or [], allowed={"cloudwatchRoleArn", "features"}
        )
        if exists:
            store.save_entity(tx, ctx.account, ctx.region, "account", item)
        else:
            store.insert_entity(tx, ctx.account, ctx.region, "account", item, int(ctx.runtime.clock.now()))
        return {k: v for k, v in item.items() if k != "id"}

    return await ctx.runtime.store.write(update)


@SERVICE.op("GetModelTemplate")
async def get_model_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """A mapping template that outputs a model's shape (API Gateway's "Generate template")."""

    def build(doc: dict[str, Any]) -> dict[str, Any]:
        model = doc["models"].get(req["modelName"])
        if model is None:
            raise NotFoundException(f"Invalid model name specified: {req['modelName']}")
        schema = json.loads(model.get("schema") or "{}")
        return {"value": _template(schema, "$input.path('$')", 0)}

    return await read_api(ctx, req["restApiId"], build)


def _template(schema: dict[str, Any], expr: str, depth: int) -> str:
    kind = schema.get("type")
    if kind == "object" and depth < 5:
        var = f"$o{depth}"
        lines = [f"#set({var} = {expr})", "{"]
        props = list((schema.get("properties") or {}).items())
        for i, (name, sub) in enumerate(props):
            comma = "," if i < len(props) - 1 else ""
            lines.append(f'  "{name}" : {_template(sub, f"{var}.{name}", depth + 1)}{comma}')
        lines.append("}")
        return "\n".join(lines)
    if kind == "array" and depth < 5:
        var = f"$e{depth}"
        return f"[\n#foreach({var} in {expr})\n{_template(schema.get('items') or {}, var, depth + 1)}#if($foreach.hasNext),#end\n#end\n]"
    if kind in ("integer", "number", "boolean"):
        return expr
    return f'"{expr}"'
