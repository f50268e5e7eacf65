"""kinesisanalyticsv2 operations for SQL applications: each calls one AnalyticsApplications method (the port
kinesisanalytics provides) and renders v2's shapes."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...ports import AnalyticsApplications
from . import SERVICE, render


def _apps(ctx: RequestContext) -> AnalyticsApplications:
    return ctx.runtime.port(AnalyticsApplications)


def _ts(value: Any) -> float | None:
    return value.timestamp() if hasattr(value, "timestamp") else (float(value) if value is not None else None)


@SERVICE.op("CreateApplication")
async def create_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    render.check_runtime(req["RuntimeEnvironment"])
    configuration = req.get("ApplicationConfiguration") or {}
    sql = configuration.get("SqlApplicationConfiguration") or {}
    doc = await _apps(ctx).create(
        ctx.account,
        ctx.region,
        req["ApplicationName"],
        req.get("ApplicationDescription"),
        render.code_of(configuration),
        req.get("ServiceExecutionRole"),
        sql.get("Inputs") or [],
        sql.get("Outputs") or [],
        sql.get("ReferenceDataSources") or [],
        req.get("CloudWatchLoggingOptions") or [],
        req.get("Tags"),
    )
    return {"ApplicationDetail": render.detail(doc)}


@SERVICE.op("DescribeApplication")
async def describe_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _apps(ctx).describe(ctx.account, ctx.region, req["ApplicationName"])
    return {"ApplicationDetail": render.detail(doc)}


@SERVICE.op("DescribeApplicationVersion")
async def describe_application_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _apps(ctx).describe_version(
        ctx.account, ctx.region, req["ApplicationName"], int(req["ApplicationVersionId"])
    )
    return {"ApplicationVersionDetail": render.detail(doc)}


@SERVICE.op("ListApplicationVersions")
async def list_application_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found: list[tuple[int, str]] = await _apps(ctx).versions(ctx.account, ctx.region, req["ApplicationName"])
    start = int(req["NextToken"]) if str(req.get("NextToken") or "").isdigit() else None
    if start is not None:
        found = [v for v in found if v[0] <= start]
    limit = int(req.get("Limit") or 50)
    out: dict[str, Any] = {
        "ApplicationVersionSummaries": [{"ApplicationVersionId": v, "ApplicationStatus": s} for v, s in found[:limit]]
    }
    if len(found) > limit:
        out["NextToken"] = str(found[limit][0])
    return out


@SERVICE.op("ListApplications")
async def list_applications(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    docs, more = await _apps(ctx).list_applications(
        ctx.account, ctx.region, req.get("NextToken"), int(req.get("Limit") or 50)
    )
    out: dict[str, Any] = {"ApplicationSummaries": [render.summary(d) for d in docs]}
    if more and docs:
        out["NextToken"] = docs[-1]["ApplicationName"]
    return out


@SERVICE.op("DeleteApplication")
async def delete_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _apps(ctx).delete(ctx.account, ctx.region, req["ApplicationName"], _ts(req.get("CreateTimestamp")))
    return {}


async def _change(ctx: RequestContext, req: dict[str, Any], action: str, args: dict[str, Any]) -> dict[str, Any]:
    return await _apps(ctx).change(
        ctx.account, ctx.region, req["ApplicationName"], req.get("CurrentApplicationVersionId"), action, args
    )


def _head(doc: dict[str, Any]) -> dict[str, Any]:
    return {"ApplicationARN": doc["ApplicationARN"], "ApplicationVersionId": doc["ApplicationVersionId"]}


@SERVICE.op("UpdateApplication")
async def update_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    render.check_runtime(req.get("RuntimeEnvironmentUpdate"))
    doc = await _change(ctx, req, "update", {"ApplicationUpdate": render.update_of(req)})
    if req.get("ServiceExecutionRoleUpdate"):
        doc = await _apps(ctx).change(
            ctx.account, ctx.region, req["ApplicationName"], None, "role",
            {"ServiceExecutionRole": req["ServiceExecutionRoleUpdate"]},
        )  # fmt: skip
    return {"ApplicationDetail": render.detail(doc)}


@SERVICE.op("AddApplicationInput")
async def add_application_input(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _change(ctx, req, "add_input", req)
    return {**_head(doc), "InputDescriptions": doc.get("Inputs") or []}


@SERVICE.op("AddApplicationOutput")
async def add_application_output(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _change(ctx, req, "add_output", req)
    return {**_head(doc), "OutputDescriptions": doc.get("Outputs") or []}


@SERVICE.op("DeleteApplicationOutput")
async def delete_application_output(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _head(await _change(ctx, req, "remove_output", req))


@SERVICE.op("AddApplicationReferenceDataSource")
async def add_application_reference_data_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _change(ctx, req, "add_reference", req)
    return {**_head(doc), "ReferenceDataSourceDescriptions": doc.get("References") or []}


@SERVICE.op("DeleteApplicationReferenceDataSource")
async def delete_application_reference_data_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _head(await _change(ctx, req, "remove_reference", req))


@SERVICE.op("AddApplicationCloudWatchLoggingOption")
async def add_application_cloud_watch_logging_option(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _change(ctx, req, "add_logging", req)
    return {**_head(doc), "CloudWatchLoggingOptionDescriptions": doc.get("Logging") or []}


@SERVICE.op("DeleteApplicationCloudWatchLoggingOption")
async def delete_application_cloud_watch_logging_option(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _change(ctx, req, "remove_logging", req)
    return {**_head(doc), "CloudWatchLoggingOptionDescriptions": doc.get("Logging") or []}


@SERVICE.op("AddApplicationInputProcessingConfiguration")
async def add_application_input_processing_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await _change(ctx, req, "set_processing", req)
    found: dict[str, Any] = next((i for i in doc.get("Inputs") or [] if i["InputId"] == req["InputId"]), {})
    return {
        **_head(doc),
        "InputId": req["InputId"],
        "InputProcessingConfigurationDescription": found.get("InputProcessingConfigurationDescription") or {},
    }


@SERVICE.op("DeleteApplicationInputProcessingConfiguration")
async def delete_application_input_processing_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _head(await _change(ctx, req, "remove_processing", req))


@SERVICE.op("StartApplication")
async def start_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    run = (req.get("RunConfiguration") or {}).get("SqlRunConfigurations")
    apps = _apps(ctx)
    if run is None:
        doc = await apps.describe(ctx.account, ctx.region, req["ApplicationName"])
        positions = {i["InputId"]: "NOW" for i in doc.get("Inputs") or []}
    else:
        positions = {
            c["InputId"]: (c.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition") or "NOW"
            for c in run
        }
    await apps.start(ctx.account, ctx.region, req["ApplicationName"], positions)
    return {}


@SERVICE.op("StopApplication")
async def stop_application(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _apps(ctx).stop(ctx.account, ctx.region, req["ApplicationName"])
    return {}


@SERVICE.op("DiscoverInputSchema")
async def discover_input_schema(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _apps(ctx).discover(
        ctx.account,
        ctx.region,
        req.get("ResourceARN"),
        req.get("S3Configuration"),
        (req.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition"),
        ((req.get("InputProcessingConfiguration") or {}).get("InputLambdaProcessor") or {}).get("ResourceARN"),
    )


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await _apps(ctx).list_tags(req["ResourceARN"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _apps(ctx).tag(req["ResourceARN"], req["Tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _apps(ctx).untag(req["ResourceARN"], req["TagKeys"])
    return {}
