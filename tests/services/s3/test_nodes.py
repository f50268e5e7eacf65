"""Two gureum nodes on one PostgreSQL database sharing one body directory (GUREUM_S3_DIR): an object written
through one node is listed and read through the other; a node whose directory is not shared answers InternalError
for a body it cannot find."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ...conftest import STORE_KINDS, make_client
from ...server import Server

pytestmark = pytest.mark.skipif("postgresql" not in STORE_KINDS, reason="several nodes need PostgreSQL")


@pytest.fixture(scope="module")
def nodes(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, Server]]:
    url = pg_cluster.create_database("s3nodes")
    shared = tmp_path_factory.mktemp("s3-shared")
    a = Server(tmp_path_factory.mktemp("a"), store_url=url, env={"GUREUM_S3_DIR": str(shared)}).start()
    b = Server(tmp_path_factory.mktemp("b"), store_url=url, env={"GUREUM_S3_DIR": str(shared)}).start()
    alone = Server(tmp_path_factory.mktemp("c"), store_url=url).start()  # its own <data dir>/s3
    yield a, b, alone
    for node in (a, b, alone):
        node.stop()


def test_objects_are_shared(nodes: tuple[Server, Server, Server], name: str, tmp_path: Path) -> None:
    a, b, alone = (make_client(node.endpoint, "s3") for node in nodes)
    a.create_bucket(Bucket=name)
    body = b"written on a" * 200_000  # 2.4 MB: streamed in and out
    a.put_object(Bucket=name, Key="k", Body=body)
    assert [o["Key"] for o in b.list_objects_v2(Bucket=name)["Contents"]] == ["k"]
    assert b.get_object(Bucket=name, Key="k")["Body"].read() == body
    b.delete_object(Bucket=name, Key="k")
    with pytest.raises(ClientError) as gone:
        a.head_object(Bucket=name, Key="k")
    assert gone.value.response["Error"]["Code"] == "404"
    a.put_object(Bucket=name, Key="elsewhere", Body=b"x")
    with pytest.raises(ClientError) as missing:
        alone.get_object(Bucket=name, Key="elsewhere")
    assert missing.value.response["Error"]["Code"] == "InternalError"
    assert "nodes must share GUREUM_S3_DIR" in nodes[2].log_path.read_text()
