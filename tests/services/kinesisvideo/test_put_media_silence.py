"""A camera that pauses longer than the server's body timeout (here 1 s) keeps its PutMedia upload: the upload gets
IDLE acks while it is silent (as AWS sends them for 30 s) and its later fragments are PERSISTED; the body timeout
still ends other slow bodies (tests/admin/test_http_server.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from ._helpers import clusters, put_media
from .conftest import create


@pytest.fixture(scope="module")
def server(store: StoreFactory) -> Iterator[Server]:
    srv = Server(**store(), env={"GUREUM_BODY_TIMEOUT": "1"}).start()
    yield srv
    srv.stop()


def test_a_pause_beyond_the_body_timeout_keeps_the_upload(server: Server, sample_mkv: bytes, name: str) -> None:
    kvs = make_client(server.endpoint, "kinesisvideo")
    create(kvs, name)
    second = clusters(sample_mkv)[1][0]

    def paused() -> Iterator[bytes]:
        yield sample_mkv[:second]
        time.sleep(4.0)  # four body timeouts without a byte
        yield sample_mkv[second:]

    endpoint: Any = kvs.get_data_endpoint(StreamName=name, APIName="PUT_MEDIA")["DataEndpoint"]
    upload = put_media(endpoint, paused(), stream_name=name)
    kinds = [a["EventType"] for a in upload.acks]
    assert "IDLE" in kinds and kinds.count("PERSISTED") == 4, kinds
