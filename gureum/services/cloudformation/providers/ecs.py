"""AWS::ECS::Cluster, AWS::ECS::TaskDefinition and AWS::ECS::Service through ECS's operations (template members
in PascalCase fitted to ECS's camelCase by the caller). A service is waited for until it is stable (its running
count is its desired count), and on delete scaled to zero, deleted and waited for until INACTIVE, as
CloudFormation does."""

from __future__ import annotations

from typing import Any

from ..caller import ServiceCallError
from ..errors import ResourceFailure
from .base import Context, Created, Provider, tag_changes, tags_list, until


def _ecs_tags(props: dict[str, Any], ctx: Context) -> list[dict[str, str]]:
    return [{"key": t["Key"], "value": t["Value"]} for t in tags_list(props, ctx.tags)]


async def _retag(ctx: Context, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
    if gone:
        await ctx.aws("ecs", "UntagResource", {"resourceArn": arn, "tagKeys": gone})
    if changed:
        tags = [{"key": k, "value": v} for k, v in changed.items()]
        await ctx.aws("ecs", "TagResource", {"resourceArn": arn, "tags": tags})


class Cluster(Provider):
    type = "AWS::ECS::Cluster"
    tags_in_place = True
    system_tags = False
    replace = frozenset({"ClusterName"})
    name_property = "ClusterName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("ClusterName") or ctx.name(255)
        params: dict[str, Any] = {
            "clusterName": name,
            **{k: v for k, v in props.items() if k not in ("ClusterName", "Tags", "CapacityProviders")},
        }
        if props.get("CapacityProviders"):
            params["capacityProviders"] = props["CapacityProviders"]
        if "ClusterSettings" in props:
            params["settings"] = params.pop("ClusterSettings")
        tags = _ecs_tags(props, ctx)
        if tags:
            params["tags"] = tags
        cluster = (await ctx.aws("ecs", "CreateCluster", params))["cluster"]
        return Created(name, {"Arn": cluster["clusterArn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if old.get("ClusterSettings") != new.get("ClusterSettings"):
            changes["settings"] = new.get("ClusterSettings") or []
        for member in ("Configuration", "ServiceConnectDefaults"):
            if old.get(member) != new.get(member) and new.get(member) is not None:
                changes[member] = new[member]
        if changes:
            await ctx.aws("ecs", "UpdateCluster", {"cluster": physical_id, **changes})
        providers = ("CapacityProviders", "DefaultCapacityProviderStrategy")
        if any(old.get(m) != new.get(m) for m in providers):
            await ctx.aws(
                "ecs",
                "PutClusterCapacityProviders",
                {
                    "cluster": physical_id,
                    "capacityProviders": new.get("CapacityProviders") or [],
                    "defaultCapacityProviderStrategy": new.get("DefaultCapacityProviderStrategy") or [],
                },
            )
        await _retag(ctx, attributes["Arn"], old, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("ecs", "DeleteCluster", {"cluster": physical_id})


class TaskDefinition(Provider):
    """Every change but the tags registers a new revision (the old one deregistered), as AWS replaces it."""

    type = "AWS::ECS::TaskDefinition"
    tags_in_place = True
    system_tags = False

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return {k: v for k, v in old.items() if k != "Tags"} != {k: v for k, v in new.items() if k != "Tags"}

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {k: v for k, v in props.items() if k != "Tags"}
        params["family"] = params.pop("Family", None) or ctx.name(255)
        tags = _ecs_tags(props, ctx)
        if tags:
            params["tags"] = tags
        found = (await ctx.aws("ecs", "RegisterTaskDefinition", params))["taskDefinition"]
        return Created(found["taskDefinitionArn"], {"TaskDefinitionArn": found["taskDefinitionArn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await _retag(ctx, physical_id, old, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("ecs", "DeregisterTaskDefinition", {"taskDefinition": physical_id})


# the Service members ECS's UpdateService takes (the others are fixed when it is made)
_SERVICE_UPDATES = (
    "DesiredCount",
    "TaskDefinition",
    "CapacityProviderStrategy",
    "DeploymentConfiguration",
    "NetworkConfiguration",
    "PlacementConstraints",
    "PlacementStrategies",
    "PlatformVersion",
    "HealthCheckGracePeriodSeconds",
    "EnableExecuteCommand",
    "EnableECSManagedTags",
    "LoadBalancers",
    "PropagateTags",
    "ServiceRegistries",
    "ServiceConnectConfiguration",
    "VolumeConfigurations",
    "AvailabilityZoneRebalancing",
)


class Service(Provider):
    type = "AWS::ECS::Service"
    tags_in_place = True
    system_tags = False
    replace = frozenset({"ServiceName", "Cluster", "LaunchType", "Role", "SchedulingStrategy", "DeploymentController"})
    name_property = "ServiceName"

    drift = frozenset({"DesiredCount", "TaskDefinition", "LaunchType", "PlatformVersion", "EnableExecuteCommand"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        cluster = physical_id.split("/")[-2] if physical_id.count("/") >= 2 else None
        params: dict[str, Any] = {"services": [physical_id], **({"cluster": cluster} if cluster else {})}
        found = (await ctx.aws("ecs", "DescribeServices", params)).get("services") or []
        if not found or found[0].get("status") == "INACTIVE":
            raise ServiceCallError("ECS", "ServiceNotFoundException", "Service not found.", 400)
        names = {
            "desiredCount": "DesiredCount",
            "taskDefinition": "TaskDefinition",
            "launchType": "LaunchType",
            "platformVersion": "PlatformVersion",
            "enableExecuteCommand": "EnableExecuteCommand",
        }
        return {names[k]: v for k, v in found[0].items() if k in names}

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("ServiceName") or ctx.name(255)
        params: dict[str, Any] = {k: v for k, v in props.items() if k not in ("ServiceName", "Tags")}
        params["serviceName"] = name
        if "PlacementStrategies" in params:
            params["placementStrategy"] = params.pop("PlacementStrategies")
        if "DesiredCount" not in params and props.get("SchedulingStrategy") != "DAEMON":
            params["desiredCount"] = 1  # CloudFormation's default
        tags = _ecs_tags(props, ctx)
        if tags:
            params["tags"] = tags
        service = (await ctx.aws("ecs", "CreateService", params))["service"]
        await self._stable(ctx, service["serviceArn"], service.get("clusterArn") or props.get("Cluster"))
        return Created(service["serviceArn"], {"ServiceArn": service["serviceArn"], "Name": name})

    async def _stable(self, ctx: Context, arn: str, cluster: str | None) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            params: dict[str, Any] = {"services": [arn]}
            if cluster:
                params["cluster"] = cluster
            found = (await ctx.aws("ecs", "DescribeServices", params)).get("services") or []
            if not found:
                raise ResourceFailure(f"Service {arn} was not found")
            service = found[0]
            primary = (service.get("deployments") or [{}])[0]
            if primary.get("rolloutState") == "FAILED":
                raise ResourceFailure(primary.get("rolloutStateReason") or "ECS deployment failed")
            settled = len(service.get("deployments") or []) <= 1
            steady = service.get("runningCount") == service.get("desiredCount")
            return service if settled and steady else None

        return await until(ctx, check)

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        cluster = new.get("Cluster")
        changes: dict[str, Any] = {}
        for member in _SERVICE_UPDATES:
            if old.get(member) != new.get(member) and new.get(member) is not None:
                changes["placementStrategy" if member == "PlacementStrategies" else member] = new[member]
        if changes:
            params: dict[str, Any] = {"service": physical_id, **changes}
            if cluster:
                params["cluster"] = cluster
            await ctx.aws("ecs", "UpdateService", params)
        await _retag(ctx, physical_id, old, new)
        await self._stable(ctx, physical_id, cluster)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        cluster = props.get("Cluster")
        where: dict[str, Any] = {"cluster": cluster} if cluster else {}
        await ctx.aws("ecs", "DeleteService", {"service": physical_id, "force": True, **where})

        async def check() -> dict[str, Any] | None:
            found = (await ctx.aws("ecs", "DescribeServices", {"services": [physical_id], **where})).get("services")
            return {} if not found or found[0].get("status") == "INACTIVE" else None

        await until(ctx, check)


class ClusterCapacityProviderAssociations(Provider):
    """The capacity providers of a cluster (what the AWS CDK's Fargate clusters declare); deleting it empties them."""

    type = "AWS::ECS::ClusterCapacityProviderAssociations"
    replace = frozenset({"Cluster"})
    system_tags = False

    async def _put(self, ctx: Context, cluster: str, providers: list[Any], strategy: list[Any]) -> None:
        await ctx.aws(
            "ecs",
            "PutClusterCapacityProviders",
            {"cluster": cluster, "capacityProviders": providers, "defaultCapacityProviderStrategy": strategy},
        )

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        cluster = str(props.get("Cluster") or "")
        await self._put(
            ctx, cluster, props.get("CapacityProviders") or [], props.get("DefaultCapacityProviderStrategy") or []
        )
        return Created(cluster, {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(
            ctx, physical_id, new.get("CapacityProviders") or [], new.get("DefaultCapacityProviderStrategy") or []
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await self._put(ctx, physical_id, [], [])


PROVIDERS = [Cluster(), TaskDefinition(), Service(), ClusterCapacityProviderAssociations()]
