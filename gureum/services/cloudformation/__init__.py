"""AWS CloudFormation over the query protocol: stacks, change sets, templates (JSON and YAML), the SAM transform,
exports, custom resources. Resources are made through the other services' own AWS operations (caller.py, the
AwsDispatch port), one provider per resource type (providers/).

SERVICE registers the operations (ops_*.py), the custom resource response URL (PUT
/_gureum/cloudformation/responses/<token>) and the lifespan: the backend is kept at start, stacks left in progress
are resumed or rolled back, and a maintenance task renews this node's leases on the stacks it drives.
GUREUM_CFN_CUSTOM_TIMEOUT: seconds a custom resource may take to respond (default 3600, as AWS);
GUREUM_CFN_LEASE_SECONDS: how long a node's claim on a stack it drives lasts unrenewed (default 30).
"""

from __future__ import annotations

import os
from pathlib import Path

from ...aws.http import Request, Response
from ...aws.validate import Rules
from ...runtime import Runtime
from .. import Service

SERVICE: Service = Service(
    "cloudformation",
    validation=Rules(style="coral", code="ValidationError"),
    migrations=Path(__file__).parent / "migrations",
)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    from .backend import CloudFormationBackend

    timeout = float(os.environ.get("GUREUM_CFN_CUSTOM_TIMEOUT", "3600"))
    lease = float(os.environ.get("GUREUM_CFN_LEASE_SECONDS", "30"))
    be = runtime.keep(CloudFormationBackend(runtime, timeout, lease))
    await be.resume(force=runtime.store.dialect == "sqlite")
    runtime.spawn(be.maintain(), "cloudformation-maintenance")


async def _response(runtime: Runtime, request: Request) -> Response:
    """A custom resource's response, PUT to the ResponseURL its request carried."""
    from .backend import CloudFormationBackend

    token = request.path.rstrip("/").rsplit("/", 1)[-1]
    accepted = await runtime.state(CloudFormationBackend).respond(token, request.body)
    return Response(200 if accepted else 404, [("content-length", "0")], b"")


async def _signal(runtime: Runtime, request: Request) -> Response:
    """A signal PUT to a wait condition handle's URL."""
    from .backend import CloudFormationBackend

    token = request.path.rstrip("/").rsplit("/", 1)[-1]
    accepted = await runtime.state(CloudFormationBackend).signal(token, request.body)
    return Response(200 if accepted else 400, [("content-length", "0")], b"")


SERVICE.admin_routes[("PUT", "/_gureum/cloudformation/responses/*")] = _response
SERVICE.admin_routes[("PUT", "/_gureum/cloudformation/signals/*")] = _signal

from . import ops_changesets, ops_drift, ops_stacks, ops_templates  # noqa: E402,F401  (register)
