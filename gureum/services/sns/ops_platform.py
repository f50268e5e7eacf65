"""Mobile push operations: platform applications and their endpoints (SnsBackend's Mobile part, mobile.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend


@SERVICE.op("CreatePlatformApplication")
async def create_platform_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = await backend(ctx).create_platform_application(
        ctx.account, ctx.region, req["Name"], req["Platform"], req.get("Attributes")
    )
    return {"PlatformApplicationArn": arn}


@SERVICE.op("GetPlatformApplicationAttributes")
async def get_platform_application_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "Attributes": await backend(ctx).get_platform_application_attributes(caller(ctx), req["PlatformApplicationArn"])
    }


@SERVICE.op("SetPlatformApplicationAttributes")
async def set_platform_application_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_platform_application_attributes(
        caller(ctx), req["PlatformApplicationArn"], req.get("Attributes")
    )


@SERVICE.op("DeletePlatformApplication")
async def delete_platform_application(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_platform_application(caller(ctx), req["PlatformApplicationArn"])


@SERVICE.op("ListPlatformApplications")
async def list_platform_applications(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    page = await backend(ctx).list_platform_applications(ctx.account, ctx.region, req.get("NextToken"))
    apps = [{"PlatformApplicationArn": app.arn, "Attributes": app.attributes} for app in page.items]
    return page.shape("PlatformApplications", apps)


@SERVICE.op("CreatePlatformEndpoint")
async def create_platform_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = await backend(ctx).create_platform_endpoint(
        caller(ctx), req["PlatformApplicationArn"], req["Token"], req.get("Attributes"), req.get("CustomUserData")
    )
    return {"EndpointArn": arn}


@SERVICE.op("ListEndpointsByPlatformApplication")
async def list_endpoints_by_platform_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    page = await backend(ctx).list_endpoints_by_platform_application(
        caller(ctx), req["PlatformApplicationArn"], req.get("NextToken")
    )
    return page.shape("Endpoints", [{"EndpointArn": e.arn, "Attributes": e.attributes} for e in page.items])


@SERVICE.op("GetEndpointAttributes")
async def get_endpoint_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": await backend(ctx).get_endpoint_attributes(caller(ctx), req["EndpointArn"])}


@SERVICE.op("SetEndpointAttributes")
async def set_endpoint_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_endpoint_attributes(caller(ctx), req["EndpointArn"], req.get("Attributes"))


@SERVICE.op("DeleteEndpoint")
async def delete_endpoint(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_endpoint(caller(ctx), req["EndpointArn"])
