"""ECS cluster and capacity provider operations, and tags: each calls one EcsBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateCluster")
async def create_cluster(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    cluster = await backend(ctx).create_cluster(
        ctx.account,
        ctx.region,
        req.get("clusterName"),
        req.get("tags"),
        req.get("settings"),
        req.get("configuration"),
        req.get("capacityProviders"),
        req.get("defaultCapacityProviderStrategy"),
        req.get("serviceConnectDefaults"),
    )
    return {"cluster": cluster}


@SERVICE.op("DescribeClusters")
async def describe_clusters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_clusters(ctx.account, ctx.region, req.get("clusters"), req.get("include"))


@SERVICE.op("ListClusters")
async def list_clusters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_clusters(ctx.account, ctx.region, req.get("nextToken"), req.get("maxResults"))


@SERVICE.op("DeleteCluster")
async def delete_cluster(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"cluster": await backend(ctx).delete_cluster(ctx.account, ctx.region, req["cluster"])}


@SERVICE.op("UpdateCluster")
async def update_cluster(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    cluster = await backend(ctx).update_cluster(
        ctx.account,
        ctx.region,
        req["cluster"],
        req.get("settings"),
        req.get("configuration"),
        req.get("serviceConnectDefaults"),
    )
    return {"cluster": cluster}


@SERVICE.op("UpdateClusterSettings")
async def update_cluster_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    cluster = await backend(ctx).update_cluster(ctx.account, ctx.region, req["cluster"], req["settings"], None, None)
    return {"cluster": cluster}


@SERVICE.op("PutClusterCapacityProviders")
async def put_cluster_capacity_providers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    cluster = await backend(ctx).put_cluster_capacity_providers(
        ctx.account, ctx.region, req["cluster"], req["capacityProviders"], req["defaultCapacityProviderStrategy"]
    )
    return {"cluster": cluster}


@SERVICE.op("DescribeCapacityProviders")
async def describe_capacity_providers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_capacity_providers(
        ctx.account, ctx.region, req.get("capacityProviders"), req.get("include")
    )


@SERVICE.op("CreateCapacityProvider")
async def create_capacity_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    provider = await backend(ctx).create_capacity_provider(
        ctx.account,
        ctx.region,
        req["name"],
        req.get("autoScalingGroupProvider"),
        req.get("managedInstancesProvider"),
        req.get("tags"),
    )
    return {"capacityProvider": provider}


@SERVICE.op("UpdateCapacityProvider")
async def update_capacity_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    provider = await backend(ctx).update_capacity_provider(
        ctx.account, ctx.region, req["name"], req.get("autoScalingGroupProvider")
    )
    return {"capacityProvider": provider}


@SERVICE.op("DeleteCapacityProvider")
async def delete_capacity_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    provider = await backend(ctx).delete_capacity_provider(ctx.account, ctx.region, req["capacityProvider"])
    return {"capacityProvider": provider}


@SERVICE.op("ListContainerInstances")
async def list_container_instances(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_container_instances(ctx.account, ctx.region, req.get("cluster"), req.get("status"))


@SERVICE.op("DescribeContainerInstances")
async def describe_container_instances(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_container_instances(
        ctx.account, ctx.region, req.get("cluster"), req["containerInstances"]
    )


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(req["resourceArn"], req["tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(req["resourceArn"], req["tagKeys"])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": await backend(ctx).list_tags_for_resource(req["resourceArn"])}
