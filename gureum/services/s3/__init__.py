"""Amazon S3 over the rest-xml protocol, path-style (/bucket/key) and virtual-hosted (bucket.s3.localhost) requests.

The package face: SERVICE (operations registered by ops_*.py) and its lifespan: S3Backend kept at start over the
store and a BlobStore under <data dir>/s3 (or GUREUM_S3_DIR; a temporary directory when gureum runs in memory),
the S3Objects port other services write and read objects through.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ...aws.authorize import authorizer
from ...aws.validate import Rules
from ...ports import S3Objects
from ...runtime import Runtime
from .. import EdgeRoute, Service
from .backend import S3Backend
from .blobs import BlobStore
from .limits import Settings
from .maintenance import maintain
from .port import S3ObjectsPort

# S3 answers bad input with InvalidArgument, never ValidationException
SERVICE: Service = Service(
    "s3", validation=Rules(code="InvalidArgument"), migrations=Path(__file__).parent / "migrations"
)


class _Temporary:
    """The temporary body directory of an in-memory server (removed at stop)."""

    def __init__(self, path: Path) -> None:
        self.path = path


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    settings = Settings.from_env(os.environ)
    config = runtime.config
    if settings.directory is not None:
        root = settings.directory
    elif config.data_dir is not None:
        root = Path(config.data_dir) / "s3"
    else:
        root = Path(tempfile.mkdtemp(prefix="gureum-s3-"))
        runtime.keep(_Temporary(root))
    # bodies are synced to disk before their rows commit when the store's commits survive power loss
    fsync = config.sync == "full" or bool(config.store_url)
    blobs = BlobStore(root, fsync)
    blobs.sweep_tmp()
    be = runtime.keep(S3Backend(runtime.store, runtime.clock, blobs, runtime.delivery))
    be.day_seconds = settings.day_seconds
    be.restore_seconds = settings.restore_seconds
    runtime.provide(S3Objects, S3ObjectsPort(be))
    # IAM enforcement reads bucket policies, tags and owners (cached per node: store.py notifies every change)
    authorizer(runtime).register("s3", be.bucket_facts, notifies=True)
    runtime.spawn(maintain(runtime, be, settings.lifecycle_seconds), "s3-lifecycle")


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    temporary = runtime.state_or_none(_Temporary)
    if temporary is not None:
        shutil.rmtree(temporary.path, ignore_errors=True)


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    """POST /_gureum/reset emptied every table: the bodies go too."""
    runtime.state(S3Backend).blobs.clear()


from . import (  # noqa: E402,F401  (register)
    ops_buckets,
    ops_config,
    ops_multipart,
    ops_objects,
    ops_select,
    ops_stored,
    post_object,
)
from .website import WEBSITE_LABEL, accepts, handle  # noqa: E402

# website endpoints: <bucket>.s3-website.localhost, <bucket>.s3-website-<region>.localhost, …s3-website.<region>…
SERVICE.edge_routes.append(EdgeRoute(handle, host=WEBSITE_LABEL, accepts=accepts))
# browser-based uploads: a form POSTed to /<bucket> (or / on <bucket>.s3.localhost), the file streamed to its object
SERVICE.edge_routes.append(EdgeRoute(post_object.handle, path="/{bucket}", accepts=post_object.accepts, streams=True))
