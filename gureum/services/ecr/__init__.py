"""Amazon ECR: the control plane over the JSON protocol (botocore "ecr") and the registry itself — the OCI
Distribution API that `podman push` / `docker pull` / `skopeo copy` speak (registry.py), served on gureum's port
and on <account>.dkr.ecr.<region>.localhost hosts, with blobs content-addressed on disk under the data directory
(<data dir>/ecr, or GUREUM_ECR_DIR — several nodes need one they all reach; a temporary directory when gureum
runs in memory). Settings: GUREUM_ECR_* (settings.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ...aws.authorize import authorizer
from ...containers import engine_state
from ...ports import ImageRegistry
from ...runtime import Runtime
from .. import EdgeRoute, Service
from .backend import EcrBackend
from .blobs import BlobStore
from .maintenance import maintain
from .registry import handle, is_registry_path
from .settings import Settings

SERVICE: Service = Service("ecr", migrations=Path(__file__).parent / "migrations")


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    data_dir = runtime.config.data_dir
    configured = os.environ.get("GUREUM_ECR_DIR")  # several nodes: a directory they all reach
    if configured:
        root = Path(configured)
    else:
        root = Path(data_dir) / "ecr" if data_dir is not None else Path(tempfile.mkdtemp(prefix="gureum-ecr-"))
    settings = Settings.from_env(os.environ)
    be = runtime.keep(
        EcrBackend(runtime.store, runtime.clock, runtime.delivery, BlobStore(root), settings, runtime.deployment_secret)
    )
    runtime.spawn(maintain(runtime, be), "ecr-maintenance")
    authorizer(runtime).register("ecr", be.policy_by_arn)  # IAM enforcement reads repository policies
    runtime.provide(ImageRegistry, be)  # ECS tasks and Lambda images pull from this registry with its credentials


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    be = runtime.state_or_none(EcrBackend)
    if be is not None and runtime.config.data_dir is None and not os.environ.get("GUREUM_ECR_DIR"):
        shutil.rmtree(be.blobs.root, ignore_errors=True)
    await engine_state(runtime).close()


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    """POST /_gureum/reset emptied every table: the blob files go too."""
    runtime.state(EcrBackend).blobs.clear()


# the registry: every request to a <account>.dkr.ecr.<region>.… host, and Distribution API paths on gureum's own
# host (telling them from AWS REST calls under /v2/ by their shape and the absence of a SigV4 signature)
SERVICE.edge_routes += [
    EdgeRoute(handle, host=".dkr.ecr.", streams=True),
    EdgeRoute(handle, path="/v2", accepts=is_registry_path, streams=True),
]

from . import ops_images, ops_policies, ops_registry, ops_repositories  # noqa: E402,F401  (register the operations)
