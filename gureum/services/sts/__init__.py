"""AWS STS: caller identity and temporary credentials that act in the role's account.

The package face: SERVICE (operations registered by ops.py) and its start hook, which keeps StsBackend.
"""

from __future__ import annotations

from ...runtime import Runtime
from .. import Service
from .backend import StsBackend

SERVICE: Service = Service("sts")


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(StsBackend(runtime))


from . import ops  # noqa: E402,F401  (registers the operations)
