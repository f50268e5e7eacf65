"""AWS Systems Manager Parameter Store: String, StringList and SecureString parameters with versions, labels,
hierarchies (GetParametersByPath), tiers, expiration policies, tags and "Parameter Store Change" events. The rest
of Systems Manager (documents, Run Command, sessions, patching) answers NotImplemented.

Layout: parameters.py (rules and answer shapes, pure), store.py (SQL), backend.py (SsmBackend: every operation),
ops_parameters.py (thin operation handlers)."""

from __future__ import annotations

from pathlib import Path

from ...ports import ParameterValues
from ...runtime import Runtime
from .. import Service

SERVICE = Service("ssm", migrations=Path(__file__).parent / "migrations")

from . import ops_parameters  # noqa: E402,F401  (registers the operations)
from .backend import SsmBackend  # noqa: E402


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.provide(ParameterValues, runtime.keep(SsmBackend(runtime)))
