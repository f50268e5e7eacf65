"""MemorySize by real use, on both mechanisms: the memory cgroup (where gureum is root with a writable hierarchy) and,
without one, the RSS watchdog. A runtime that reserves far more address space than it uses (as Go's and the JVM's do)
runs at 128 MB; one that uses more is killed with AWS's out-of-memory report; Max Memory Used is its real RSS."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from .zips import create

CODE = """
import mmap
def handler(event, context):
    reserved = mmap.mmap(-1, event.get('reserve_mb', 0) * 1024 * 1024 or 1)  # address space, untouched
    block = bytearray(event.get('mb', 0) * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    used = len(block)
    if event.get('free'):  # a short peak, gone before the answer: it still went beyond MemorySize
        del block
    return {'reserved': len(reserved), 'used': used}
"""


@pytest.fixture(params=["cgroup", "watchdog"])
def memory_server(request: pytest.FixtureRequest, store: StoreFactory) -> Iterator[Server]:
    env = {"GUREUM_LAMBDA_MEMORY_CGROUP": "0"} if request.param == "watchdog" else {}
    srv = Server(**store(), env=env).start()
    if request.param == "cgroup" and not srv.health()["isolation"]["lambda"].get("memory_cgroup"):
        srv.stop()
        pytest.skip("no writable memory cgroup here (not root, or no hierarchy): the watchdog case covers it")
    yield srv
    srv.stop()


def _invoke(client: Any, name: str, event: Any) -> tuple[dict[str, Any], Any, str]:
    out = client.invoke(FunctionName=name, Payload=json.dumps(event), LogType="Tail")
    return out, json.loads(out["Payload"].read()), base64.b64decode(out["LogResult"]).decode()


def test_memory_by_real_use(memory_server: Server, name: str) -> None:
    client = make_client(memory_server.endpoint, "lambda")
    create(client, name, {"index.py": CODE}, MemorySize=128, Timeout=10)
    # 4 GB of address space reserved, 40 MB used: runs at 128 MB, as Go's and the JVM's reservations do on AWS
    out, doc, log = _invoke(client, name, {"reserve_mb": 4096, "mb": 40})
    assert doc == {"reserved": 4096 * 1024 * 1024, "used": 40 * 1024 * 1024}, doc
    used = int(re.search(r"Max Memory Used: (\d+) MB", log).group(1))  # type: ignore[union-attr]
    assert 40 <= used < 128, log
    for event in ({"mb": 300}, {"mb": 300, "free": True}):
        out, doc, log = _invoke(client, name, event)
        rid = out["ResponseMetadata"]["RequestId"]
        message = f"RequestId: {rid} Error: Runtime exited with error: signal: killed"
        assert out.get("FunctionError") == "Unhandled", (event, doc)
        assert doc == {"errorType": "Runtime.OutOfMemory", "errorMessage": message}, doc
        assert f"{message}\nRuntime.OutOfMemory\n" in log
    _out, doc, _log = _invoke(client, name, {"mb": 8})
    assert doc["used"] == 8 * 1024 * 1024  # a new environment
