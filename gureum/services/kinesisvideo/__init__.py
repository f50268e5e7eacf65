"""Amazon Kinesis Video Streams (rest-json; the control plane "kinesisvideo"): streams, signaling channels and their
configurations (backend.py), and the media every KVS data-plane API serves (media.py, playback.py): PutMedia's
ingest at POST /putMedia (edge.py), HLS/DASH sessions served by gureum (hls.py), the WebRTC signaling relay
(signaling.py). The data-plane services (kinesisvideomedia, kinesisvideoarchivedmedia, kinesisvideosignaling) reach
it through the KinesisVideoMedia port. Settings: GUREUM_KINESISVIDEO_* (media.Settings)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ...aws.http import Request
from ...aws.validate import Rules
from ...ports import KinesisVideoMedia
from ...runtime import Runtime
from .. import EdgeRoute, Service
from .archive import FragmentFiles
from .backend import KinesisVideoBackend
from .edge import put_media, serve_session
from .media import MediaBackend, Settings, maintain, media_root
from .playback import Playback
from .port import MediaPort
from .signaling import SignalingRelay

SERVICE: Service = Service(
    "kinesisvideo",
    validation=Rules(patterns=True, code="InvalidArgumentException"),
    migrations=Path(__file__).parent / "migrations",
)


def _has_session_token(request: Request) -> bool:
    return "SessionToken=" in request.query_string


SERVICE.edge_routes.append(EdgeRoute(put_media, path="/putMedia", methods=frozenset({"POST"}), streams=True))
# a session's URLs carry its SessionToken (so that S3 objects at /hls/v1/… of a bucket named "hls" stay S3's)
SERVICE.edge_routes.append(
    EdgeRoute(serve_session, path="/hls/v1", methods=frozenset({"GET"}), accepts=_has_session_token)
)
SERVICE.edge_routes.append(
    EdgeRoute(serve_session, path="/dash/v1", methods=frozenset({"GET"}), accepts=_has_session_token)
)


async def _upgrade(runtime: Runtime, request: Request, ws: Any) -> bool:
    return await runtime.state(SignalingRelay).upgrade(runtime, request, ws)


SERVICE.upgrade = _upgrade


class _Temporary:
    """The fragment directory of an in-memory server (removed at stop)."""

    def __init__(self, path: Path) -> None:
        self.path = path


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    settings = Settings.from_env(os.environ)
    root = media_root(settings, runtime.config.data_dir)
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="gureum-kinesisvideo-"))
        runtime.keep(_Temporary(root))
    files = FragmentFiles(root, runtime.config.sync == "full" or bool(runtime.config.store_url))
    files.sweep_tmp()
    control = runtime.keep(KinesisVideoBackend(runtime.store, runtime.clock))
    media = runtime.keep(MediaBackend(runtime.store, runtime.clock, control, files, settings))
    playback = runtime.keep(Playback(media, runtime.deployment_secret))
    runtime.keep(SignalingRelay(runtime.clock))
    runtime.provide(KinesisVideoMedia, MediaPort(media, control, playback))
    runtime.spawn(maintain(media, lambda: runtime.store.is_leader("kinesisvideo-retention")), "kinesisvideo-retention")


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    temporary = runtime.state_or_none(_Temporary)
    if temporary is not None:
        shutil.rmtree(temporary.path, ignore_errors=True)


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    runtime.state(MediaBackend).files.clear()


from . import ops_channels, ops_config, ops_streams  # noqa: E402,F401  (register)
