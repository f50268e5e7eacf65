"""IAM Access Analyzer, ValidatePolicy only: a policy document checked against IAM's policy grammar, each finding in
AWS's shape with its location in the document (validation.py; spans.py reads JSON keeping positions). Analyzers,
findings, archive rules, access previews, policy generation and the custom checks are not served (the dispatcher
answers them NotImplemented, naming the operation).

The package face: SERVICE (ValidatePolicy registered by ops.py) and its start hook, which keeps the backend.
"""

from __future__ import annotations

from ...runtime import Runtime
from .. import Service
from .backend import AccessAnalyzerBackend

SERVICE: Service = Service("accessanalyzer")


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(AccessAnalyzerBackend())


from . import ops  # noqa: E402,F401  (registers the operations)
