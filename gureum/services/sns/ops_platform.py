"""Mobile push: platform applications and their endpoints (device tokens).  Publishes to an endpoint are
captured in the inspectable outbox; nothing is sent to APNs or FCM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, arns, limits, store_mobile
from .backend import backend
from .errors import NotFound, ValidationError, invalid
from .ops_topics import page_token, read_page_token
from .store_mobile import Application, Endpoint

T = TypeVar("T")
_CREDENTIALS = ("PlatformCredential", "PlatformPrincipal")  # write-only: AWS never returns them


def _check_app_attributes(attributes: dict[str, str] | None) -> dict[str, str]:
    if not attributes:
        raise ValidationError(
            "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null"
        )
    return attributes


def _check_endpoint_attributes(attributes: dict[str, str]) -> None:
    for name in attributes:
        if name not in limits.ENDPOINT_ATTRIBUTES:
            raise invalid("Attributes", f"Invalid attribute name: {name}")
    if len((attributes.get("CustomUserData") or "").encode()) > limits.CUSTOM_USER_DATA_BYTES:
        raise invalid(
            "Attributes",
            "Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding",
        )
    if "Enabled" in attributes and attributes["Enabled"].lower() not in ("true", "false"):
        raise invalid("Attributes", "Invalid value for attribute: Enabled: must be true or false")


@SERVICE.op("CreatePlatformApplication")
async def create_platform_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name, platform = req["Name"], req["Platform"]
    if not name:
        raise invalid(name, "cannot be empty")
    if len(name) > 256:
        raise invalid(name, "must be at most 256 characters long")
    if not limits.PLATFORM_APP_NAME.match(name):
        raise invalid(name, "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'")
    if platform not in limits.PLATFORMS:
        raise invalid("Platform", f"{platform} is not supported")
    attributes = dict(_check_app_attributes(req.get("Attributes")))
    credential, principal = attributes.get("PlatformCredential"), attributes.get("PlatformPrincipal")
    if platform != "GCM":  # FCM needs only its key; every other platform a principal and a credential
        if credential and not principal:
            raise invalid("Attributes", "PlatformCredential attribute provided without PlatformPrincipal")
        if principal and not credential:
            raise invalid("Attributes", "PlatformPrincipal attribute provided without PlatformCredential")
    kept = {"Enabled": "true", **{k: v for k, v in attributes.items() if k not in _CREDENTIALS}}
    app = Application(
        0, arns.application_arn(ctx.region, ctx.account, platform, name), ctx.account, ctx.region, name, platform, kept
    )
    now = backend(ctx).now()
    await ctx.runtime.store.write(lambda tx: store_mobile.upsert_application(tx, app, now))
    return {"PlatformApplicationArn": app.arn}


async def _in_application(
    ctx: RequestContext, arn: str, fn: Callable[[Tx, Application], T], *, write: bool = False
) -> T:
    arns.application(arn)

    def run(tx: Tx) -> T:
        app = store_mobile.get_application(tx, arn)
        if app is None:
            raise NotFound("PlatformApplication does not exist")
        return fn(tx, app)

    return await (ctx.runtime.store.write(run) if write else ctx.runtime.store.read(run))


@SERVICE.op("GetPlatformApplicationAttributes")
async def get_platform_application_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": await _in_application(ctx, req["PlatformApplicationArn"], lambda tx, app: app.attributes)}


@SERVICE.op("SetPlatformApplicationAttributes")
async def set_platform_application_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    changes = _check_app_attributes(req.get("Attributes"))

    def run(tx: Tx, app: Application) -> None:
        app.attributes.update({k: v for k, v in changes.items() if k not in _CREDENTIALS})
        store_mobile.update_application(tx, app)

    await _in_application(ctx, req["PlatformApplicationArn"], run, write=True)


@SERVICE.op("DeletePlatformApplication")
async def delete_platform_application(ctx: RequestContext, req: dict[str, Any]) -> None:
    arn = req["PlatformApplicationArn"]
    await ctx.runtime.store.write(lambda tx: store_mobile.delete_application(tx, arn))


@SERVICE.op("ListPlatformApplications")
async def list_platform_applications(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = read_page_token(req.get("NextToken"))
    apps = await ctx.runtime.store.read(
        lambda tx: store_mobile.list_applications(tx, ctx.account, ctx.region, after, limits.PAGE_SIZE + 1)
    )
    out: dict[str, Any] = {
        "PlatformApplications": [
            {"PlatformApplicationArn": a.arn, "Attributes": a.attributes} for a in apps[: limits.PAGE_SIZE]
        ]
    }
    if len(apps) > limits.PAGE_SIZE:
        out["NextToken"] = page_token(apps[limits.PAGE_SIZE - 1].id)
    return out


@SERVICE.op("CreatePlatformEndpoint")
async def create_platform_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    token = req["Token"]
    attributes = dict(req.get("Attributes") or {})
    _check_endpoint_attributes(attributes)
    if req.get("CustomUserData") is not None:
        attributes.setdefault("CustomUserData", req["CustomUserData"])  # the attribute wins over the parameter
    wanted = {"Enabled": "true", "Token": token, **attributes}
    now = backend(ctx).now()

    def run(tx: Tx, app: Application) -> str:
        existing = store_mobile.endpoint_by_token(tx, app.arn, token)
        if existing is None:
            endpoint = Endpoint(0, arns.endpoint_arn(app.arn), app.arn, token, wanted)
            if store_mobile.insert_endpoint(tx, endpoint, now):
                return endpoint.arn
            existing = store_mobile.endpoint_by_token(tx, app.arn, token)
            assert existing is not None
        if existing.attributes != wanted:
            raise invalid(
                "Token", f"Endpoint {existing.arn} already exists with the same Token, but different attributes."
            )
        return existing.arn

    return {"EndpointArn": await _in_application(ctx, req["PlatformApplicationArn"], run, write=True)}


@SERVICE.op("ListEndpointsByPlatformApplication")
async def list_endpoints_by_platform_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = read_page_token(req.get("NextToken"))
    rows = await _in_application(
        ctx,
        req["PlatformApplicationArn"],
        lambda tx, app: store_mobile.list_endpoints(tx, app.arn, after, limits.PAGE_SIZE + 1),
    )
    out: dict[str, Any] = {
        "Endpoints": [{"EndpointArn": e.arn, "Attributes": e.attributes} for e in rows[: limits.PAGE_SIZE]]
    }
    if len(rows) > limits.PAGE_SIZE:
        out["NextToken"] = page_token(rows[limits.PAGE_SIZE - 1].id)
    return out


async def _in_endpoint(ctx: RequestContext, arn: str, fn: Callable[[Tx, Endpoint], T], *, write: bool = False) -> T:
    def run(tx: Tx) -> T:
        endpoint = store_mobile.get_endpoint(tx, arn)
        if endpoint is None:
            raise NotFound("Endpoint does not exist")
        return fn(tx, endpoint)

    return await (ctx.runtime.store.write(run) if write else ctx.runtime.store.read(run))


@SERVICE.op("GetEndpointAttributes")
async def get_endpoint_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": await _in_endpoint(ctx, req["EndpointArn"], lambda tx, e: e.attributes)}


@SERVICE.op("SetEndpointAttributes")
async def set_endpoint_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    changes = dict(_check_app_attributes(req.get("Attributes")))
    _check_endpoint_attributes(changes)

    def run(tx: Tx, endpoint: Endpoint) -> None:
        endpoint.attributes.update(changes)
        endpoint.token = endpoint.attributes.get("Token", endpoint.token)
        store_mobile.update_endpoint(tx, endpoint)

    await _in_endpoint(ctx, req["EndpointArn"], run, write=True)


@SERVICE.op("DeleteEndpoint")
async def delete_endpoint(ctx: RequestContext, req: dict[str, Any]) -> None:
    arn = req["EndpointArn"]
    await ctx.runtime.store.write(
        lambda tx: store_mobile.delete_endpoint(tx, arn)
    )  # deleting a missing endpoint succeeds
