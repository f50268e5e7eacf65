"""kinesisanalytics (v1) operations: each calls one AnalyticsBackend method and renders v1's shapes."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE, render
from .backend import backend


def _ts(value: Any) -> float | None:
    return value.timestamp() if hasattr(value, "timestamp") else (float(value) if value is not None else None)


@SERVICE.op("CreateApplication")
async def create_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await backend(ctx).create(
        ctx.account,
        ctx.region,
        req["ApplicationName"],
        req.get("ApplicationDescription"),
        req.get("ApplicationCode"),
        None,
        req.get("Inputs") or [],
        req.get("Outputs") or [],
        [],
        req.get("CloudWatchLoggingOptions") or [],
        req.get("Tags"),
    )
    return {"ApplicationSummary": render.summary(doc)}


@SERVICE.op("DescribeApplication")
async def describe_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await backend(ctx).describe(ctx.account, ctx.region, req["ApplicationName"])
    return {"ApplicationDetail": render.detail(doc)}


@SERVICE.op("ListApplications")
async def list_applications(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    docs, more = await backend(ctx).list_applications(
        ctx.account, ctx.region, req.get("ExclusiveStartApplicationName"), int(req.get("Limit") or 50)
    )
    return {"ApplicationSummaries": [render.summary(d) for d in docs], "HasMoreApplications": more}


@SERVICE.op("DeleteApplication")
async def delete_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete(ctx.account, ctx.region, req["ApplicationName"], _ts(req.get("CreateTimestamp")))
    return {}


async def _change(ctx: RequestContext, req: dict[str, Any], action: str) -> dict[str, Any]:
    await backend(ctx).change(
        ctx.account, ctx.region, req["ApplicationName"], req.get("CurrentApplicationVersionId"), action, req
    )
    return {}


@SERVICE.op("UpdateApplication")
async def update_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "update")


@SERVICE.op("AddApplicationInput")
async def add_application_input(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "add_input")


@SERVICE.op("AddApplicationOutput")
async def add_application_output(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "add_output")


@SERVICE.op("DeleteApplicationOutput")
async def delete_application_output(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "remove_output")


@SERVICE.op("AddApplicationReferenceDataSource")
async def add_application_reference_data_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "add_reference")


@SERVICE.op("DeleteApplicationReferenceDataSource")
async def delete_application_reference_data_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "remove_reference")


@SERVICE.op("AddApplicationCloudWatchLoggingOption")
async def add_application_cloud_watch_logging_option(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "add_logging")


@SERVICE.op("DeleteApplicationCloudWatchLoggingOption")
async def delete_application_cloud_watch_logging_option(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "remove_logging")


@SERVICE.op("AddApplicationInputProcessingConfiguration")
async def add_application_input_processing_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "set_processing")


@SERVICE.op("DeleteApplicationInputProcessingConfiguration")
async def delete_application_input_processing_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _change(ctx, req, "remove_processing")


@SERVICE.op("StartApplication")
async def start_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    positions = {
        c["Id"]: (c.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition") or "NOW"
        for c in req.get("InputConfigurations") or []
    }
    await backend(ctx).start(ctx.account, ctx.region, req["ApplicationName"], positions)
    return {}


@SERVICE.op("StopApplication")
async def stop_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).stop(ctx.account, ctx.region, req["ApplicationName"])
    return {}


@SERVICE.op("DiscoverInputSchema")
async def discover_input_schema(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).discover(
        ctx.account,
        ctx.region,
        req.get("ResourceARN"),
        req.get("S3Configuration"),
        (req.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition"),
        ((req.get("InputProcessingConfiguration") or {}).get("InputLambdaProcessor") or {}).get("ResourceARN"),
    )


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await backend(ctx).list_tags(req["ResourceARN"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag(req["ResourceARN"], req["Tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag(req["ResourceARN"], req["TagKeys"])
    return {}
