"""Function URLs: the API (Create/Get/Update/Delete/ListFunctionUrlConfigs) and the HTTP front that serves them on
gureum's port, as http://{url-id}.lambda-url.{region}.localhost:{port}/… (any host of that form) or, needing no DNS,
http://127.0.0.1:{port}/lambda-url/{url-id}/….  Invocations go through the "lambda.invoke" port, so they are
logged, throttled and routed (aliases) as every other invocation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from ...aws import sigv4
from ...aws.auth import account_for_key
from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...ports import LambdaInvoker
from ...runtime import Runtime
from ...store.base import Tx
from .. import EdgeRoute
from . import SERVICE, store
from .errors import ResourceConflictException, ResourceNotFoundException, function_not_found
from .functions import function_arn, parse_function_name
from .limits import MAX_SYNC_PAYLOAD
from .ops_aliases import is_alias
from .ops_policy import policy_statements
from .urls import (
    BadResponse,
    build_event,
    cors_headers,
    function_url,
    is_preflight,
    json_response,
    locate,
    map_response,
    new_url_id,
    preflight,
    public_access,
)

log = logging.getLogger("gureum.lambda")
_NOT_FOUND = "The resource you requested does not exist."


def _now_iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _row(tx: Tx, account: str, region: str, name: str, qualifier: str) -> tuple[str, dict[str, Any]] | None:
    row = tx.one(
        "SELECT url_id, config FROM lambda_urls WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
        (account, region, name, qualifier),
    )
    return None if row is None else (str(row[0]), dict(json.loads(row[1])))


def _out(
    ctx: RequestContext, url_id: str, region: str, config: dict[str, Any], members: tuple[str, ...]
) -> dict[str, Any]:
    out = {"FunctionUrl": function_url(url_id, region, ctx.request)}
    out.update({key: config[key] for key in members if config.get(key) is not None})
    return out


def _address(ctx: RequestContext, req: dict[str, Any]) -> tuple[str, str, str, str]:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    if ref.qualifier is not None and not is_alias(ref.qualifier):
        raise ServiceError("1 validation error detected: Value at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
                           code="ValidationException", fields={"Type": "User"})  # fmt: skip
    return ref.account or ctx.account, ref.region or ctx.region, ref.name, ref.qualifier or ""


def _check_target(tx: Tx, account: str, region: str, name: str, qualifier: str) -> None:
    if store.get_function(tx, account, region, name) is None:
        raise function_not_found(function_arn(region, account, name, qualifier or None))
    if qualifier and store.get_alias(tx, account, region, name, qualifier) is None:
        raise function_not_found(function_arn(region, account, name, qualifier))


_CONFIG_MEMBERS = ("FunctionArn", "AuthType", "Cors", "CreationTime", "InvokeMode")
_FULL_MEMBERS = ("FunctionArn", "AuthType", "Cors", "CreationTime", "LastModifiedTime", "InvokeMode")


def _note_streaming(mode: str | None) -> None:
    if mode == "RESPONSE_STREAM":
        log.warning(
            "function URL with InvokeMode RESPONSE_STREAM: gureum answers it buffered (the whole response at once)"
        )


@SERVICE.op("CreateFunctionUrlConfig")
async def create_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name, qualifier = _address(ctx, req)
    now = _now_iso(ctx.runtime.clock.now())
    arn = function_arn(region, account, name, qualifier or None)
    config = {"FunctionArn": arn, "AuthType": req["AuthType"], "Cors": req.get("Cors"), "InvokeMode": req.get("InvokeMode") or "BUFFERED",
              "CreationTime": now, "LastModifiedTime": now}  # fmt: skip
    url_id = new_url_id()

    def create(tx: Tx) -> None:
        _check_target(tx, account, region, name, qualifier)
        if _row(tx, account, region, name, qualifier) is not None:
            raise ResourceConflictException(f"Failed to create function url config for [functionArn = {arn}]. Error message:  FunctionUrlConfig exists for this Lambda function",
                                            fields={"Type": "User"})  # fmt: skip
        tx.execute("INSERT INTO lambda_urls (account, region, function_name, qualifier, url_id, config) VALUES (?, ?, ?, ?, ?, ?)",
                   (account, region, name, qualifier, url_id, json.dumps(config)))  # fmt: skip

    await ctx.runtime.store.write(create)
    _note_streaming(config["InvokeMode"])
    return _out(ctx, url_id, region, config, _CONFIG_MEMBERS)


@SERVICE.op("GetFunctionUrlConfig")
async def get_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name, qualifier = _address(ctx, req)

    def read(tx: Tx) -> tuple[str, dict[str, Any]] | None:
        _check_target(tx, account, region, name, qualifier)
        return _row(tx, account, region, name, qualifier)

    found = await ctx.runtime.store.read(read)
    if found is None:
        raise ResourceNotFoundException(_NOT_FOUND, fields={"Type": "User"})
    return _out(ctx, found[0], region, found[1], _FULL_MEMBERS)


@SERVICE.op("UpdateFunctionUrlConfig")
async def update_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name, qualifier = _address(ctx, req)
    now = _now_iso(ctx.runtime.clock.now())

    def update(tx: Tx) -> tuple[str, dict[str, Any]]:
        _check_target(tx, account, region, name, qualifier)
        found = _row(tx, account, region, name, qualifier)
        if found is None:
            raise ResourceNotFoundException(_NOT_FOUND, fields={"Type": "User"})
        url_id, config = found
        for member in ("AuthType", "Cors", "InvokeMode"):
            if req.get(member) is not None:
                config[member] = req[member]
        config["LastModifiedTime"] = now
        tx.execute("UPDATE lambda_urls SET config = ? WHERE url_id = ?", (json.dumps(config), url_id))
        return url_id, config

    url_id, config = await ctx.runtime.store.write(update)
    _note_streaming(req.get("InvokeMode"))
    return _out(ctx, url_id, region, config, _FULL_MEMBERS)


@SERVICE.op("DeleteFunctionUrlConfig")
async def delete_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name, qualifier = _address(ctx, req)

    def delete(tx: Tx) -> bool:
        _check_target(tx, account, region, name, qualifier)
        if _row(tx, account, region, name, qualifier) is None:
            return False
        tx.execute(
            "DELETE FROM lambda_urls WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            (account, region, name, qualifier),
        )
        return True

    if not await ctx.runtime.store.write(delete):
        raise ResourceNotFoundException(_NOT_FOUND, fields={"Type": "User"})
    return {}


@SERVICE.op("ListFunctionUrlConfigs")
async def list_function_url_configs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"])
    account, region = ref.account or ctx.account, ref.region or ctx.region
    limit = req.get("MaxItems") or 50
    start = int(req["Marker"]) if str(req.get("Marker") or "").isdigit() else 0

    def read(tx: Tx) -> list[tuple[Any, ...]]:
        _check_target(tx, account, region, ref.name, "")
        return tx.all(
            "SELECT url_id, config FROM lambda_urls WHERE account = ? AND region = ? AND function_name = ? ORDER BY qualifier",
            (account, region, ref.name),
        )

    rows = await ctx.runtime.store.read(read)
    page = rows[start : start + limit]
    out: dict[str, Any] = {
        "FunctionUrlConfigs": [_out(ctx, str(row[0]), region, json.loads(row[1]), _FULL_MEMBERS) for row in page]
    }
    if start + limit < len(rows):
        out["NextMarker"] = str(start + limit)
    return out


# --- the HTTP front ---------------------------------------------------------------------------------


def _iam_caller(runtime: Runtime, request: Request) -> dict[str, Any] | None:
    """The SigV4 caller of an AWS_IAM URL as requestContext.authorizer.iam; None when unsigned or (strict mode) wrong."""
    try:
        if runtime.config.strict_auth:
            signed = sigv4.authenticate(request, runtime.secret_for, runtime.clock.utcnow())
        else:
            signed = sigv4.read_signature(request)
    except sigv4.SignatureProblem:
        return None
    account = account_for_key(signed.access_key)
    return {"accessKey": signed.access_key, "accountId": account, "callerId": signed.access_key, "cognitoIdentity": None, "principalOrgId": None,
            "userArn": f"arn:aws:iam::{account}:root", "userId": account}  # fmt: skip


async def _handle(runtime: Runtime, request: Request) -> Response:
    request_id = str(uuid.uuid4())
    located = locate(request)
    if located is None:
        return json_response(404, "Not Found", request_id)
    url_id, raw_path = located
    row = await runtime.store.read(
        lambda tx: tx.one(
            "SELECT account, region, function_name, qualifier, config FROM lambda_urls WHERE url_id = ?", (url_id,)
        )
    )
    if row is None:
        return json_response(404, "Not Found", request_id)
    account, region, name, qualifier = str(row[0]), str(row[1]), str(row[2]), str(row[3])
    config = dict(json.loads(row[4]))
    cors = config.get("Cors") or None
    if is_preflight(request, cors):
        return preflight(request, cors or {}, request_id)
    extra = cors_headers(request, cors)
    authorizer: dict[str, Any] | None = None
    if config["AuthType"] == "AWS_IAM":
        authorizer = _iam_caller(runtime, request)
        if authorizer is None:
            return _with(json_response(403, "Forbidden", request_id), extra)
    else:
        found = await runtime.store.read(lambda tx: policy_statements(tx, account, region, name, qualifier or None))
        if found is None or not public_access(found[1], "NONE"):
            return _with(json_response(403, "Forbidden", request_id), extra)
    if len(request.body) > MAX_SYNC_PAYLOAD:
        return _with(
            json_response(
                413, "Request must be smaller than 6291456 bytes for the InvokeFunction operation", request_id
            ),
            extra,
        )
    event = build_event(request, url_id, region, account, raw_path, request_id, runtime.clock.now(), authorizer)
    invoke = runtime.port(LambdaInvoker).invoke
    try:
        out = await invoke(
            account, region, name, json.dumps(event).encode(), qualifier=qualifier or None, request_id=request_id
        )
    except ServiceError as error:
        if error.status == 429:
            return _with(json_response(429, "Rate Exceeded.", request_id), extra)
        if error.status == 413:
            return _with(json_response(413, error.message, request_id), extra)
        return _with(json_response(502 if error.status >= 500 else error.status, error.message, request_id), extra)
    if out.get("FunctionError"):
        return _with(json_response(502, "Internal Server Error", request_id), extra)
    try:
        status, headers, body = map_response(bytes(out.get("Payload") or b""))
    except BadResponse:
        return _with(json_response(502, "Internal Server Error", request_id), extra)
    return Response(status, headers + [("x-amzn-RequestId", request_id)] + extra, body)


def _with(response: Response, headers: list[tuple[str, str]]) -> Response:
    response.headers.extend(headers)
    return response


# host form {url-id}.lambda-url.{region}.localhost, path form /lambda-url/{url-id}/…
SERVICE.edge_routes += [EdgeRoute(_handle, host=".lambda-url."), EdgeRoute(_handle, path="/lambda-url")]
