"""DynamoDB resource policies (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy on tables and streams)
and Contributor Insights (UpdateContributorInsights, DescribeContributorInsights, ListContributorInsights): each
calls one PolicyBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend_policies import PolicyBackend


def _policies(ctx: RequestContext) -> PolicyBackend:
    return ctx.runtime.state(PolicyBackend)


@SERVICE.op("PutResourcePolicy")
async def put_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _policies(ctx).put_policy(req["ResourceArn"], req["Policy"], req.get("ExpectedRevisionId"))


@SERVICE.op("GetResourcePolicy")
async def get_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _policies(ctx).get_policy(req["ResourceArn"])


@SERVICE.op("DeleteResourcePolicy")
async def delete_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _policies(ctx).delete_policy(req["ResourceArn"], req.get("ExpectedRevisionId"))


@SERVICE.op("UpdateContributorInsights")
async def update_contributor_insights(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _policies(ctx).update_insights(
        ctx.account, ctx.region, req["TableName"], req.get("IndexName"), req["ContributorInsightsAction"],
        req.get("ContributorInsightsMode"),
    )  # fmt: skip


@SERVICE.op("DescribeContributorInsights")
async def describe_contributor_insights(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _policies(ctx).describe_insights(ctx.account, ctx.region, req["TableName"], req.get("IndexName"))


@SERVICE.op("ListContributorInsights")
async def list_contributor_insights(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _policies(ctx).list_insights(
        ctx.account, ctx.region, req.get("TableName"), req.get("MaxResults"), req.get("NextToken")
    )
