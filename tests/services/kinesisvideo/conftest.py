"""Fixtures of the Kinesis Video tests: clients of the shared server (the control plane and, at the data endpoint
GetDataEndpoint answers, the media services), a tuned server (strict SigV4, retention hours of 0.5 s, a sweep every
0.2 s) and the session's test MKV (needs ffmpeg; see _helpers)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from ._helpers import ensure_ffmpeg, make_mkv


@pytest.fixture(scope="session")
def kvs(aws: Callable[..., Any]) -> Any:
    return aws("kinesisvideo")


@pytest.fixture(scope="session")
def data_client(kvs: Any) -> Callable[[str, str, str], Any]:
    """A client of a data-plane service at the endpoint GetDataEndpoint answers for ``api``."""

    def make(service: str, stream: str, api: str) -> Any:
        endpoint = kvs.get_data_endpoint(StreamName=stream, APIName=api)["DataEndpoint"]
        return make_client(endpoint, service)

    return make


@pytest.fixture(scope="session")
def sample_mkv(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Four seconds of a 160x120 test pattern at 10 fps: four one-second clusters."""
    ensure_ffmpeg()
    return make_mkv(Path(tmp_path_factory.mktemp("kvs")) / "sample.mkv")


def create(kvs: Any, name: str, retention: int = 1) -> str:
    return str(kvs.create_stream(StreamName=name, DataRetentionInHours=retention, MediaType="video/h264")["StreamARN"])


TUNED = {"GUREUM_KINESISVIDEO_HOUR_SECONDS": "0.5", "GUREUM_KINESISVIDEO_SWEEP_SECONDS": "0.2"}


@pytest.fixture(scope="session")
def tuned(store: StoreFactory) -> Iterator[Server]:
    """Its PATH has no ffmpeg: the operations that remux are refused there (test_no_ffmpeg)."""
    path = ":".join(d for d in os.environ.get("PATH", "").split(":") if d and not (Path(d) / "ffmpeg").exists())
    srv = Server(**store(), env={**TUNED, "PATH": path}, extra_args=["--strict-auth"]).start()
    yield srv
    srv.stop()
