"""Amazon API Gateway REST APIs: the control plane (rest-json, botocore "apigateway") and the execute-api edge
(edge.py) that serves deployed stages: Lambda proxy, AWS service, HTTP and MOCK integrations, VTL mapping
templates, Lambda authorizers, API keys and usage plans."""

from __future__ import annotations

from pathlib import Path

from ...aws.dispatch import Front, Service

SERVICE = Service("apigateway", migrations=Path(__file__).parent / "migrations")

from . import ops_apis, ops_deploy, ops_docs, ops_domains, ops_import, ops_keys, ops_methods, ops_misc  # noqa: E402,F401  (registers the operations)
from .edge import claims, handle  # noqa: E402

SERVICE.fronts.append(Front(claims=claims, handle=handle))
