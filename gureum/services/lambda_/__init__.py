"""AWS Lambda: functions whose code really runs, one process per execution environment speaking the Runtime API.

Layout: ops_*.py (the API: thin, each calls one LambdaBackend method); backend*.py (LambdaBackend, the one backend
object: this node's state and every operation's orchestration); domain modules (functions.py, versions.py,
aliases.py, layers.py, policy.py, async_invoke.py, event_configs.py, provisioned.py, urls.py, mappings.py, esm.py,
packages.py); the node's engine (pool.py: environments, environment.py: one process, function_logs.py: its log
lines on their way to CloudWatch Logs, runtime_api.py, runtimes.py, sandbox.py); store*.py (SQL); url_front.py,
targets.py, admin.py (function URLs, delivery targets, admin routes); bootstrap/ (the Python and Node.js runtime
loops shipped to the environments).
"""

from __future__ import annotations

from pathlib import Path

from .. import Service

SERVICE: Service = Service("lambda", migrations=Path(__file__).parent / "migrations")

from . import (  # noqa: E402,F401  (registers the operations)
    ops_aliases,
    ops_async,
    ops_esm,
    ops_functions,
    ops_invoke,
    ops_layers,
    ops_policy,
    ops_provisioned,
    ops_settings,
    ops_urls,
)
from .admin import ROUTES  # noqa: E402
from .targets import TARGETS  # noqa: E402
from .url_front import ROUTES as URL_ROUTES  # noqa: E402

SERVICE.targets.extend(TARGETS)
SERVICE.admin_routes.update(ROUTES)
SERVICE.edge_routes.extend(URL_ROUTES)
