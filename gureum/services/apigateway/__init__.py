"""Amazon API Gateway REST APIs: the control plane (rest-json, botocore "apigateway") and the execute-api edge
(edge.py) that serves deployed stages: Lambda proxy, AWS service, HTTP and MOCK integrations, VTL mapping
templates, Lambda authorizers, API keys and usage plans."""

from __future__ import annotations

from pathlib import Path

from .. import EdgeRoute, Service

SERVICE: Service = Service("apigateway", migrations=Path(__file__).parent / "migrations")

from . import (  # noqa: E402,F401  (registers the operations)
    backend,
    ops_apis,
    ops_certificates,
    ops_deploy,
    ops_docs,
    ops_domains,
    ops_import,
    ops_keys,
    ops_methods,
    ops_misc,
    ops_vpclinks,
)
from .edge import handle  # noqa: E402
from .state import EdgeState  # noqa: E402

SERVICE.on_start(backend.start)
SERVICE.on_stop(backend.stop)
SERVICE.on_reset(backend.reset)

# stages by host ({api}.execute-api.…), by path (/restapis/{api}/{stage}/_user_request_/…) and custom domain names;
# the rest of /restapis/… is the control plane, which the AWS dispatcher serves
SERVICE.edge_routes += [
    EdgeRoute(handle, host=".execute-api."),
    EdgeRoute(handle, path="/restapis/{api}/{stage}/_user_request_"),
    EdgeRoute(handle, host_names=lambda runtime: runtime.state(EdgeState).domains),
]
