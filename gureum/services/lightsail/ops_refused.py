"""Lightsail resources gureum does not provide, refused by name with what is supported instead: managed databases,
load balancer TLS certificates, block storage disks, domains, distributions, buckets and certificates; container
services run but have no registry login of their own."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .errors import InvalidInputException, ServiceError

_SUPPORTED = (
    "gureum's Lightsail provides instances (Debian 12), key pairs, instance public ports, static IPs, instance "
    "snapshots, HTTP load balancers and container services"
)


def _refuse(what: str) -> ServiceError:
    return InvalidInputException(f"{what} are not supported by gureum: {_SUPPORTED}.")


@SERVICE.op("CreateRelationalDatabase")
async def create_relational_database(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("Managed databases")


@SERVICE.op("CreateRelationalDatabaseFromSnapshot")
async def create_relational_database_from_snapshot(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("Managed databases")


@SERVICE.op("CreateLoadBalancerTlsCertificate")
async def create_load_balancer_tls_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("TLS certificates (load balancers serve HTTP)")


@SERVICE.op("CreateDisk")
async def create_disk(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("Block storage disks")


@SERVICE.op("CreateDomain")
async def create_domain(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("Domains")


@SERVICE.op("CreateDistribution")
async def create_distribution(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("Distributions")


@SERVICE.op("CreateBucket")
async def create_bucket(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("Buckets (use gureum's S3)")


@SERVICE.op("CreateCertificate")
async def create_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _refuse("Certificates")


@SERVICE.op("CreateContainerServiceRegistryLogin")
async def create_container_service_registry_login(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise InvalidInputException(
        "Container services have no registry of their own here: push images to gureum's ECR (or build them in the "
        "container engine) and deploy them by URI, or register an engine image with RegisterContainerImage."
    )
