"""AWS Lambda: functions whose code really runs, one process per execution environment speaking the Runtime API.

Layout: functions.py (values, validation), runtimes.py (which interpreter, how to start), runtime_api.py (the
Runtime API server), environment.py (one process), backend.py (pools, concurrency, invoking), store.py (SQL),
ops_*.py (the API), bootstrap/ (the Python and Node.js runtime loops shipped to the environments).
"""

from __future__ import annotations

from pathlib import Path

from .. import Service

SERVICE = Service("lambda", migrations=Path(__file__).parent / "migrations")

from . import (  # noqa: E402,F401  (registers the operations)  # noqa: E402,F401  (function URLs and their HTTP front; provisioned concurrency)  # noqa: E402,F401  (SQS event source mappings and their pollers)
    esm,
    layers,
    ops_aliases,
    ops_async,
    ops_esm,
    ops_functions,
    ops_invoke,
    ops_policy,
    ops_provisioned,
    ops_settings,
    ops_urls,
)
from .admin import ROUTES  # noqa: E402

SERVICE.targets.extend(ops_invoke.TARGETS)
SERVICE.admin_routes.update(ROUTES)
